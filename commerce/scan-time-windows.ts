/**
 * When judging promotion windows at each line's scan time changes nothing. The fleet prices an order twice (plan
 * decision 7): with the store's current snapshot at checkout (`windowsAt: 'at'`) and with the snapshot the cart
 * claims, windows judged at each line's `scannedAt`. When the cart claims the current snapshot, the two differ only
 * by the instants at which windows are judged; if every promotion of the store is open at each line's scan minute
 * exactly when it is open at checkout, the engine takes the same candidates and gives the same basket, so one
 * pricing serves as both (test/commerce/scan-time-windows.test.ts checks that against the engine).
 */
import type { PricingContext } from './pricing-context.ts';
import { isWindowOpenAt, type LocalTime, localTime } from './promotion-window.ts';

/**
 * True when every promotion in `context` is open (or closed) at each of `scannedAts` as it is at `at`, in the
 * store's zone, at the engine's resolution (the local minute). False, not an error, for a time the engine would
 * refuse: the caller then prices twice and the engine answers.
 */
export function windowsAgreeAtScan(context: PricingContext, at: number, scannedAts: readonly number[]): boolean {
  // Lines scanned in the checkout minute need no wall clock at all (localTime is the costly part).
  const atMinute = Math.floor(at / 60_000);
  if (scannedAts.every((t) => Math.floor(t / 60_000) === atMinute)) return Number.isSafeInteger(at);
  const zone = context.snapshot.store.timeZone;
  let now: LocalTime;
  try {
    now = localTime(at, zone);
  } catch {
    return false;
  }
  const openNow = new Map<string, boolean>();
  const seen = new Set<number>([atMinute]);
  for (const scannedAt of scannedAts) {
    const minute = Math.floor(scannedAt / 60_000);
    if (seen.has(minute)) continue;
    seen.add(minute);
    let then: LocalTime;
    try {
      then = localTime(minute * 60_000, zone);
    } catch {
      return false;
    }
    if (then.date === now.date && then.weekday === now.weekday && then.minute === now.minute) continue;
    for (const { promotion } of context.promotions) {
      let open = openNow.get(promotion.id);
      if (open === undefined) {
        open = isWindowOpenAt(promotion.window, now);
        openNow.set(promotion.id, open);
      }
      if (isWindowOpenAt(promotion.window, then) !== open) return false;
    }
  }
  return true;
}
