import { promoWindowOpen } from '../../../broadcast/manifest-resolver.ts';
import type { PresencePromo } from '../../../protocol/broadcast/manifest.ts';

/** Why a presence did not play the promo (or `played`). */
export type PresenceDecision =
  | 'played'
  | 'no_promo'
  | 'window_closed'
  | 'battery_low'
  | 'cooldown'
  | 'hourly_cap'
  | 'min_gap'
  | 'busy'
  | 'quiet'
  | 'emergency'
  | 'asset_missing';

const HOUR_MS = 3_600_000;

/**
 * The rules a promo speaker applies to itself before it speaks to a shopper (PresencePromo in the manifest):
 * its windows, the battery floor, a cooldown after each play, a cap per rolling hour, and the manifest's global
 * minimum gap after any announcement. Counts only plays that really started.
 */
export class PresenceGate {
  private starts: number[] = [];
  private lastPromoEnd = Number.NEGATIVE_INFINITY;
  private rotation = 0;

  check(
    promo: PresencePromo | null,
    now: number,
    context: { battery: number | undefined; lastAnnouncementEnd: number; minGapMs: number },
  ): PresenceDecision {
    if (!promo) return 'no_promo';
    if (!promoWindowOpen(promo, now)) return 'window_closed';
    if (context.battery !== undefined && context.battery < promo.minBatteryPercent) return 'battery_low';
    if (now < this.lastPromoEnd + promo.cooldownMs) return 'cooldown';
    this.starts = this.starts.filter((t) => t > now - HOUR_MS);
    if (this.starts.length >= promo.maxPerHour) return 'hourly_cap';
    if (now < context.lastAnnouncementEnd + context.minGapMs) return 'min_gap';
    return 'played';
  }

  /** The next asset of the rotation. */
  nextAsset(promo: PresencePromo): string {
    const sha = promo.assets[this.rotation % promo.assets.length] as string;
    this.rotation++;
    return sha;
  }

  started(at: number): void {
    this.starts.push(at);
  }

  ended(at: number): void {
    this.lastPromoEnd = Math.max(this.lastPromoEnd, at);
  }
}
