import type { MemberContext } from '../../../protocol/commerce/loyalty.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { CommerceClient } from './commerce-client.ts';

/** `CFM1.{memberNumber}.{totp6}`: what the member app's QR holds (plan decision 8; fleet/loyalty/member-code.ts). */
const MEMBER_CODE = /^CFM1\.(\d{6,12})\.(\d{6})$/;

export function isMemberCode(code: string): boolean {
  return MEMBER_CODE.test(code.trim());
}

/**
 * Logs a member in from the code the cart's scanner read. Online, the fleet verifies the code and answers with the
 * member's context (points, coupons, the store's remaining redeemable points). Offline, the code cannot be verified:
 * the member shops with member prices and earns (credited when the order reaches the fleet), but cannot pay with
 * points or use coupons (the context says `verified: false` and carries none).
 */
export async function loginMember(
  client: Pick<CommerceClient, 'request'>,
  code: string,
  timeoutMs = 4_000,
): Promise<{ member: MemberContext; code: string }> {
  const match = MEMBER_CODE.exec(code.trim());
  if (!match) throw new FleetError('MEMBER_CODE_INVALID', 'not a member code');
  const memberNumber = match[1] as string;
  try {
    const body = await client.request('member-login', { code: code.trim() }, timeoutMs);
    const member = (body.member ?? body) as MemberContext;
    return { member: { ...member, verified: true }, code: code.trim() };
  } catch (err) {
    if (!(err instanceof FleetError) || err.code !== 'DEVICE_OFFLINE') throw err;
    return { member: offlineMember(memberNumber), code: code.trim() };
  }
}

/** What the cart knows of a member it could not verify: the number on the code, nothing else. */
export function offlineMember(memberNumber: string): MemberContext {
  return {
    memberId: `unverified-${memberNumber}`,
    memberNumber,
    displayName: `****${memberNumber.slice(-4)}`,
    tierId: 'unverified',
    familyId: null,
    balancePoints: 0,
    storeRedeemablePoints: 0,
    coupons: [],
    verified: false,
  };
}
