import { createHmac, randomInt } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { FleetError } from '../../protocol/errors.ts';
import { LoginThrottle } from '../access/login-throttle.ts';
import { can, inScope, type Principal } from '../access/principal.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';

/** A staff code's owner, as the cart's approval is audited. */
export interface StaffMember {
  userId: string;
  username: string;
}

/**
 * Staff codes: a 6-digit code per attendant, typed on a cart's screen to approve at once what needs an attendant
 * there (an age check, an offline payment). The fleet makes the code (random, unique in the chain: a cart sends no
 * user name, so the code alone must name its owner) and shows it once; it keeps only HMAC-SHA256(pepper, code),
 * the pepper in `secrets/staff-code-key`, so a copy of the database alone does not give the codes away (six digits
 * are too few for a salted slow hash to protect, and a unique lookup needs a deterministic digest).
 *
 * Guessing is throttled per cart and per store with the sign-in throttle's back-off (5 free failures, then
 * doubling waits); a code is accepted only from a person who may manage attendants in that store, and not disabled.
 */
export class StaffCodes {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Database,
    private readonly writer: DatabaseWriter,
    private readonly pepper: Buffer,
    private readonly principalOf: (userId: string) => Principal | undefined,
    clock: Pick<Clock, 'now'>,
  ) {
    this.throttle = new LoginThrottle(undefined, () => clock.now());
  }

  /** Makes a new code for the user (the old one stops working) and answers it: shown once, never stored. */
  async issue(userId: string, at: number): Promise<string> {
    return this.writer.write('staff code', () => {
      for (;;) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const digest = this.digest(code);
        const taken = this.db.prepare('SELECT user_id FROM staff_codes WHERE code_digest = ?').get(digest) as
          | { user_id: string }
          | undefined;
        if (taken && taken.user_id !== userId) continue;
        this.db
          .prepare(
            `INSERT INTO staff_codes (user_id, code_digest, created_at) VALUES (?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET code_digest = excluded.code_digest, created_at = excluded.created_at`,
          )
          .run(userId, digest, at);
        return code;
      }
    });
  }

  /**
   * The attendant whose code this is, if they may approve in `storeId`; otherwise STAFF_CODE_INVALID (a wait
   * imposed by the throttle is the same code, with `retryAfterMs` in the details).
   */
  verify(code: string, storeId: string, cart: string): StaffMember {
    const wait = this.throttle.begin(cart, storeId);
    if (wait > 0) {
      throw new FleetError(
        'STAFF_CODE_INVALID',
        `too many wrong staff codes; try again in ${Math.ceil(wait / 1000)} s`,
        {
          retryAfterMs: wait,
        },
      );
    }
    try {
      const row = /^\d{6}$/.test(code)
        ? (this.db.prepare('SELECT user_id FROM staff_codes WHERE code_digest = ?').get(this.digest(code)) as
            | { user_id: string }
            | undefined)
        : undefined;
      const principal = row ? this.principalOf(row.user_id) : undefined;
      if (!principal || !can(principal, 'attendants:manage') || !inScope(principal, storeId)) {
        this.throttle.failed(cart, storeId);
        throw new FleetError('STAFF_CODE_INVALID', 'the staff code is not valid in this store');
      }
      this.throttle.succeeded(cart);
      return { userId: principal.userId, username: principal.username };
    } finally {
      this.throttle.end(cart, storeId);
    }
  }

  private digest(code: string): string {
    return createHmac('sha256', this.pepper).update(code).digest('base64url');
  }
}
