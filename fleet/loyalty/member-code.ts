import type { Clock } from '../../platform/clock.ts';
import { formatMemberCode, parseMemberCode } from '../../protocol/commerce/loyalty.ts';
import { FleetError } from '../../protocol/errors.ts';
import { LoginThrottle } from '../access/login-throttle.ts';
import { base32Decode, MEMBER_CODE_TOTP, timeStep, totp, verifyTotp } from './totp.ts';

/** What verifying a code needs to know about the member it names. */
export interface MemberSecret {
  memberId: string;
  totpSecret: string;
  disabled: boolean;
}

/**
 * Guessing a 6-digit code: 3 of 10^6 values pass at any moment (±1 step). Past 10 failures for one member number
 * in 15 minutes every further try waits, doubling (fleet/access/login-throttle.ts), so a cart that scans guesses
 * gets nowhere.
 */
const CODE_THROTTLE = { freeAttempts: 10, baseDelayMs: 1000, maxDelayMs: 15 * 60_000, windowMs: 15 * 60_000 };

/**
 * The member codes of plan decision 8: `CFM1.{memberNumber}.{totp6}`, RFC 6238 TOTP with the member's own secret,
 * 30 s steps, the current step and one on either side accepted.
 *
 * A code may be used more than once within its window, on more than one cart: two carts of one family (or one
 * member whose cart rebooted) log in with what the phone shows, and nothing a login grants is worth protecting
 * by single use: redeeming points is bounded by the pool's balance and the store's daily limit, checked in one
 * transaction per hold. A code seen over a shopper's shoulder is good for at most 90 s.
 */
export class MemberCodes {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly secretOf: (memberNumber: string) => MemberSecret | undefined,
    private readonly clock: Clock,
  ) {
    this.throttle = new LoginThrottle(CODE_THROTTLE, () => clock.now());
  }

  /** The code a member app shows at `at`, and when its own step ends. */
  current(memberNumber: string, totpSecret: string, at = this.clock.now()): { code: string; expiresAt: number } {
    const step = timeStep(at, MEMBER_CODE_TOTP.stepSeconds);
    return {
      code: formatMemberCode(memberNumber, totp(base32Decode(totpSecret), at)),
      expiresAt: (step + 1) * MEMBER_CODE_TOTP.stepSeconds * 1000,
    };
  }

  /**
   * The member id a code proves. Every refusal is MEMBER_CODE_INVALID, whether the number is unknown, the member
   * disabled or the password wrong: a cart learns nothing about which member numbers exist. LOGIN_THROTTLED after
   * too many failures for one number.
   */
  verify(code: string, at = this.clock.now()): string {
    const parsed = parseMemberCode(code);
    if (!parsed) throw new FleetError('MEMBER_CODE_INVALID', 'not a member code');
    const wait = this.throttle.retryAfter(parsed.memberNumber, parsed.memberNumber);
    if (wait > 0) {
      throw new FleetError('LOGIN_THROTTLED', 'too many wrong member codes; try again later', {
        retryAfterMs: wait,
      });
    }
    const member = this.secretOf(parsed.memberNumber);
    const ok = member !== undefined && verifyTotp(base32Decode(member.totpSecret), parsed.otp, at);
    if (!ok || member.disabled) {
      this.throttle.failed(parsed.memberNumber, parsed.memberNumber);
      throw new FleetError('MEMBER_CODE_INVALID', 'the member code is wrong or has expired');
    }
    this.throttle.succeeded(parsed.memberNumber);
    return member.memberId;
  }
}
