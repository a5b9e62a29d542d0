import type { LoyaltyLedger, PointsHold } from '../../fleet/orders/commerce-ports.ts';
import type { MemberContext } from '../../protocol/commerce/loyalty.ts';
import { FleetError } from '../../protocol/errors.ts';

/**
 * An in-memory loyalty ledger with the real one's contract: holds, capture, release and earn keyed by order (a
 * second call does nothing), reversals keyed by refund. `entries` is its append-only ledger, for before/after checks.
 */
export class FakeLoyaltyLedger implements LoyaltyLedger {
  readonly entries: { kind: string; memberId: string; points: number; ref: string; order?: string }[] = [];
  readonly holds = new Map<string, PointsHold & { state: 'held' | 'captured' | 'released' }>();
  private readonly members = new Map<string, { memberId: string; code: string }>();

  addMember(memberNumber: string, points: number, code = `CFM1.${memberNumber}.123456`): void {
    const memberId = `m-${memberNumber}`;
    this.members.set(memberNumber, { memberId, code });
    this.entries.push({ kind: 'adjust', memberId, points, ref: 'opening' });
  }

  balance(memberId: string): number {
    let sum = 0;
    for (const e of this.entries) if (e.memberId === memberId) sum += e.points;
    for (const h of this.holds.values()) if (h.memberId === memberId && h.state === 'held') sum -= h.points;
    return sum;
  }

  private context(memberNumber: string): MemberContext | undefined {
    const m = this.members.get(memberNumber);
    if (!m) return undefined;
    return {
      memberId: m.memberId,
      memberNumber,
      displayName: `Member ${memberNumber}`,
      tierId: 'standard',
      familyId: null,
      balancePoints: this.balance(m.memberId),
      storeRedeemablePoints: null,
      coupons: [],
      verified: true,
    };
  }

  async login(code: string): Promise<MemberContext> {
    const number = code.split('.')[1] ?? '';
    const m = this.members.get(number);
    if (!m || m.code !== code) throw new FleetError('MEMBER_CODE_INVALID', 'the member code is not valid');
    return this.context(number)!;
  }

  member(memberNumber: string): MemberContext | undefined {
    return this.context(memberNumber);
  }

  async hold(hold: PointsHold): Promise<void> {
    if (this.holds.has(hold.orderId)) return;
    if (hold.points > this.balance(hold.memberId)) throw new FleetError('POINTS_INSUFFICIENT', 'not enough points');
    this.holds.set(hold.orderId, { ...hold, state: 'held' });
  }

  async capture(orderId: string): Promise<void> {
    const h = this.holds.get(orderId);
    if (h?.state !== 'held') return;
    h.state = 'captured';
    this.entries.push({ kind: 'redeem', memberId: h.memberId, points: -h.points, ref: orderId });
  }

  async release(orderId: string): Promise<void> {
    const h = this.holds.get(orderId);
    if (h?.state === 'held') h.state = 'released';
  }

  async earn(input: { orderId: string; memberId: string; points: number }): Promise<void> {
    if (this.entries.some((e) => e.kind === 'earn' && e.ref === input.orderId)) return;
    this.entries.push({ kind: 'earn', memberId: input.memberId, points: input.points, ref: input.orderId });
  }

  async reverse(input: { orderId: string; refundId: string; refundedFen: number; totalFen: number }) {
    if (this.entries.some((e) => e.ref === input.refundId)) return { pointsReversed: 0, pointsReturned: 0 };
    const earned = this.entries.find((e) => e.kind === 'earn' && e.ref === input.orderId);
    const redeemed = this.entries.find((e) => e.kind === 'redeem' && e.ref === input.orderId);
    const booked = (kind: string) =>
      this.entries
        .filter((e) => e.kind === kind && e.order === input.orderId)
        .reduce((s, e) => s + Math.abs(e.points), 0);
    // Cumulative share, less what earlier refunds of the order booked (the real ledger's rule, floored here).
    const share = (p: number, kind: string) =>
      Math.max(0, Math.floor((p * input.refundedFen) / Math.max(1, input.totalFen)) - booked(kind));
    const pointsReversed = earned ? share(earned.points, 'reversal') : 0;
    const pointsReturned = redeemed ? share(-redeemed.points, 'return') : 0;
    const memberId = (earned ?? redeemed)?.memberId ?? '';
    if (pointsReversed > 0)
      this.entries.push({
        kind: 'reversal',
        memberId,
        points: -pointsReversed,
        ref: input.refundId,
        order: input.orderId,
      });
    if (pointsReturned > 0)
      this.entries.push({
        kind: 'return',
        memberId,
        points: pointsReturned,
        ref: input.refundId,
        order: input.orderId,
      });
    return { pointsReversed, pointsReturned };
  }
}
