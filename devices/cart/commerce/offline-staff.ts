import type { Clock } from '../../../platform/clock.ts';
import { backoffDelayMs, DEFAULT_FAILURE_BACKOFF, type FailureBackoff } from '../../../platform/failure-backoff.ts';
import { matchesStaffVerifier } from '../../../platform/staff-code-verifier.ts';
import { staffCodeString } from '../../../protocol/commerce/orders.ts';
import type { OfflineStaff } from '../../../protocol/commerce/snapshot.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { ShopJournal } from './shop-journal.ts';

/** Whose code it was. */
export interface OfflineStaffMember {
  userId: string;
  username: string;
}

/** The cart's count of wrong staff codes, as its journal file keeps it. */
export interface StaffThrottleRecord {
  failures: number;
  firstAt: number;
  blockedUntil: number;
}

const STAFF_CODE = new RegExp(staffCodeString.pattern);

/** The journal file of the throttle, beside the trip's (`cart-shop.json`) in the cart's data dir. */
export const STAFF_THROTTLE_FILE = 'staff-code-throttle.json';

/**
 * Staff codes checked on the cart while it has no network: a code is accepted only if it matches one of the offline
 * verifiers in the store's pricing snapshot (`snapshot.staff`: scrypt(code, salt) per person who may approve there,
 * `platform/staff-code-verifier.ts`). Every verifier is tried (a cart sends no user name: the code alone names its
 * owner), on libuv's thread pool, so the screen never blocks; about 14 ms each at the fleet's parameters.
 *
 * Wrong codes are throttled like the fleet's (`platform/failure-backoff.ts`: 5 free failures in 15 minutes, then
 * waits doubling from 1 s up to 15 minutes; STAFF_CODE_INVALID with `retryAfterMs` while one runs), for the cart as a
 * whole, one check at a time (guesses sent together wait for the one before). The count lives in its own journal
 * file (temp file, fsync, rename), not in the trip's: a new trip or a restart of the cart does not reset it.
 */
export class OfflineStaffCodes {
  private record: StaffThrottleRecord | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly journal: ShopJournal<StaffThrottleRecord>,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly backoff: FailureBackoff = DEFAULT_FAILURE_BACKOFF,
  ) {}

  start(): void {
    this.record = this.journal.load();
  }

  /** Milliseconds before the next try is allowed; 0 when it is. */
  retryAfter(): number {
    const now = this.clock.now();
    const record = this.live(now);
    return record ? Math.max(0, record.blockedUntil - now) : 0;
  }

  /**
   * Whose code this is among `staff` (the snapshot's; none: no code verifies), or STAFF_CODE_INVALID. Checks run one
   * after another, each judged by the throttle when its turn comes.
   */
  verify(code: string, staff: readonly OfflineStaff[] | undefined): Promise<OfflineStaffMember> {
    const turn = this.queue.then(() => this.check(code, staff ?? []));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async check(code: string, staff: readonly OfflineStaff[]): Promise<OfflineStaffMember> {
    const wait = this.retryAfter();
    if (wait > 0) {
      throw new FleetError(
        'STAFF_CODE_INVALID',
        `too many wrong staff codes; try again in ${Math.ceil(wait / 1000)} s`,
        { retryAfterMs: wait },
      );
    }
    const owner = STAFF_CODE.test(code) ? await this.owner(code, staff) : undefined;
    if (!owner) {
      this.failed();
      throw new FleetError('STAFF_CODE_INVALID', 'the staff code is not valid in this store');
    }
    if (this.record) {
      this.record = null;
      this.journal.clear();
    }
    return { userId: owner.userId, username: owner.username };
  }

  private async owner(code: string, staff: readonly OfflineStaff[]): Promise<OfflineStaff | undefined> {
    // A verifier scrypt refuses (parameters the schema let through but this platform cannot run) matches nothing.
    const matches = await Promise.all(staff.map((s) => matchesStaffVerifier(code, s).catch(() => false)));
    return staff[matches.indexOf(true)];
  }

  private failed(): void {
    const now = this.clock.now();
    const record = this.live(now) ?? { failures: 0, firstAt: now, blockedUntil: 0 };
    record.failures++;
    const delay = backoffDelayMs(record.failures, this.backoff);
    if (delay > 0) record.blockedUntil = now + delay;
    this.record = record;
    this.journal.save(record);
  }

  /** The count now: forgotten once its window has passed with no wait running. */
  private live(now: number): StaffThrottleRecord | null {
    const record = this.record;
    if (!record) return null;
    // The cart's clock went back (set by hand, or by NTP after a drift): no wait is longer than the cap.
    if (record.blockedUntil - now > this.backoff.maxDelayMs) record.blockedUntil = now + this.backoff.maxDelayMs;
    if (now - record.firstAt > this.backoff.windowMs && now >= record.blockedUntil) {
      this.record = null;
      this.journal.clear();
      return null;
    }
    return record;
  }
}
