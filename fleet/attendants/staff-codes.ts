import { createHmac, randomInt } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import { STAFF_VERIFIER_PARAMS, staffCodeVerifier, staffVerifierSalt } from '../../platform/staff-code-verifier.ts';
import type { OfflineStaff, StaffVerifierParams } from '../../protocol/commerce/snapshot.ts';
import { FleetError } from '../../protocol/errors.ts';
import { LoginThrottle } from '../access/login-throttle.ts';
import { can, inScope, type Principal } from '../access/principal.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';

/** A staff code's owner, as the cart's approval is audited. */
export interface StaffMember {
  userId: string;
  username: string;
}

interface VerifierRow {
  user_id: string;
  offline_salt: string;
  offline_verifier: string;
  offline_params: string;
}

/**
 * Staff codes: a 6-digit code per attendant, typed on a cart's screen to approve at once what needs an attendant
 * there (an age check, an offline payment). The fleet makes the code (random, unique in the chain: a cart sends no
 * user name, so the code alone must name its owner) and shows it once. It keeps HMAC-SHA256(pepper, code), the pepper
 * in `secrets/staff-code-key`, for the unique lookup of an online check; and, since migration 25, an offline
 * verifier: a per-person random salt and scrypt(code, salt) with the parameters it was made with
 * (`platform/staff-code-verifier.ts`). The verifiers of the people who may approve in a store travel in that
 * store's pricing snapshot, so a cart without network can accept only real codes (docs/architecture.md, "Offline
 * staff codes": six digits are few, so a verifier copied off a cart — or out of this database, whose snapshots
 * hold them — gives its code away to a patient attacker; codes rotate by being made again). Codes made before migration 25 have
 * no verifier: they work online only until their owner makes a new one.
 *
 * Guessing is throttled per cart and per store with the sign-in throttle's back-off (5 free failures, then
 * doubling waits); a code is accepted only from a person who may manage attendants in that store, and not disabled.
 */
export class StaffCodes {
  private readonly throttle: LoginThrottle;
  private offs: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly writer: DatabaseWriter,
    private readonly pepper: Buffer,
    private readonly principalOf: (userId: string) => Principal | undefined,
    private readonly bus: EventBus<FleetEvents>,
    clock: Pick<Clock, 'now'>,
  ) {
    this.throttle = new LoginThrottle(undefined, () => clock.now());
  }

  /**
   * A person's role, stores or disabled state changed: if they have an offline verifier, the snapshots that carry it
   * (or should now) are rebuilt. Their stores before the change are not known here, so every store is; a store whose
   * staff did not change gets no new version.
   */
  start(): void {
    this.offs.push(
      this.bus.on('user.changed', ({ userId }) => {
        const row = this.db
          .prepare('SELECT 1 FROM staff_codes WHERE user_id = ? AND offline_verifier IS NOT NULL')
          .get(userId);
        if (row) this.bus.emit('staff.changed', { storeIds: null });
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** Makes a new code for the user (the old one stops working) and answers it: shown once, never stored. */
  async issue(userId: string, at: number): Promise<string> {
    const salt = staffVerifierSalt();
    const params = STAFF_VERIFIER_PARAMS;
    for (;;) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const digest = this.digest(code);
      // Derived before the write (it takes milliseconds on the thread pool); the write checks uniqueness again.
      const verifier = await staffCodeVerifier(code, salt, params);
      const stored = await this.writer.write('staff code', () => {
        const taken = this.db.prepare('SELECT user_id FROM staff_codes WHERE code_digest = ?').get(digest) as
          | { user_id: string }
          | undefined;
        if (taken && taken.user_id !== userId) return false;
        this.db
          .prepare(
            `INSERT INTO staff_codes (user_id, code_digest, created_at, offline_salt, offline_verifier, offline_params)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (user_id) DO UPDATE SET code_digest = excluded.code_digest, created_at = excluded.created_at,
               offline_salt = excluded.offline_salt, offline_verifier = excluded.offline_verifier,
               offline_params = excluded.offline_params`,
          )
          .run(userId, digest, at, salt, verifier, JSON.stringify(params));
        return true;
      });
      if (!stored) continue;
      const principal = this.principalOf(userId);
      this.bus.emit('staff.changed', { storeIds: principal?.storeIds ? [...principal.storeIds] : null });
      return code;
    }
  }

  /**
   * The offline verifiers a cart of `storeId` carries in its snapshot: every person with one who may approve there now
   * (attendants:manage, the store in scope, not disabled), sorted by user id so that equal staff make equal bytes.
   */
  offlineStaff(storeId: string): OfflineStaff[] {
    const rows = this.db
      .prepare(
        `SELECT user_id, offline_salt, offline_verifier, offline_params FROM staff_codes
         WHERE offline_verifier IS NOT NULL ORDER BY user_id`,
      )
      .all() as VerifierRow[];
    const staff: OfflineStaff[] = [];
    for (const row of rows) {
      const principal = this.principalOf(row.user_id);
      if (!principal || !can(principal, 'attendants:manage') || !inScope(principal, storeId)) continue;
      staff.push({
        userId: principal.userId,
        username: principal.username,
        salt: row.offline_salt,
        verifier: row.offline_verifier,
        params: JSON.parse(row.offline_params) as StaffVerifierParams,
      });
    }
    return staff;
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
