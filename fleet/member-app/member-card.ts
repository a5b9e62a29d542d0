import type { MemberAppCode, MemberAppProfile } from '../../protocol/api/member-app.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import { qrSvg } from '../http/html-page.ts';
import type { LoyaltyService } from '../loyalty/loyalty-service.ts';

/**
 * What the member app shows a signed-in member, read from the loyalty program: only the member's own data. Of
 * the family only its size and whether they own it; the coupons are theirs alone (a family shares points, not
 * coupons).
 */
export class MemberCard {
  constructor(
    private readonly loyalty: LoyaltyService,
    private readonly promotionName: (promotionId: string) => LocalizedText | undefined,
  ) {}

  profile(memberId: string, csrf: string): MemberAppProfile {
    const { member, balancePoints, family, coupons } = this.loyalty.detail(memberId);
    const tier = this.loyalty.settings.tiers().find((t) => t.id === member.tierId);
    return {
      memberNumber: member.memberNumber,
      displayName: member.displayName,
      tier: { id: member.tierId, name: tier?.name ?? null },
      // A refund can leave a pool below zero for a while; what the member can spend is never negative.
      balancePoints: Math.max(0, balancePoints),
      family: family ? { members: family.members.length, owner: family.ownerId === memberId } : null,
      coupons: coupons
        .filter((c) => c.state === 'issued')
        .map((c) => ({
          id: c.id,
          promotionName: this.promotionName(c.promotionId) ?? null,
          minSpendFen: c.minSpendFen,
          validFrom: c.validFrom,
          validTo: c.validTo,
        })),
      csrf,
    };
  }

  /** The member codes of the step `now` is in and of the next step, with their QR codes. */
  async code(memberId: string, now: number): Promise<MemberAppCode> {
    const { memberNumber, totpSecret } = this.loyalty.member(memberId);
    const step = async (at: number) => {
      const { code, expiresAt } = this.loyalty.codes.current(memberNumber, totpSecret, at);
      return { code, expiresAt, qrSvg: await qrSvg(code) };
    };
    const current = await step(now);
    return { serverTime: now, current, next: await step(current.expiresAt) };
  }
}
