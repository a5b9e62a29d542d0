import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { FleetError } from '../../protocol/errors.ts';
import { LoginThrottle, type LoginThrottleOptions } from '../access/login-throttle.ts';
import { PasswordHasher } from '../access/password-hasher.ts';
import type { MemberRecord } from '../loyalty/member-repository.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { MemberAppRepository } from './member-app-repository.ts';
import { checkMemberPin } from './member-pin.ts';

export interface MemberAppOptions {
  /** An enrolment link works this long (and once). */
  linkMs: number;
  /** A member app session ends this long after sign-in. */
  sessionMs: number;
}

/** Wrong PINs in a row before the PIN locks: 10 guesses in 10^6 (minus the refused weak PINs) for each PIN set. */
export const MEMBER_PIN_MAX_FAILURES = 10;

/**
 * Guessing across member numbers from one address, or at one number from many: past 5 failures per number and per
 * address in 15 minutes each further try waits, doubling (OWASP's back-off, fleet/access/login-throttle.ts). The
 * lock above bounds guesses at one number whatever the addresses.
 */
const PIN_THROTTLE: LoginThrottleOptions = {
  freeAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

const SWEEP_MS = 10 * 60_000;

export interface MemberSignedIn {
  memberId: string;
  sessionSecret: string;
  csrf: string;
  expiresAt: number;
}

export interface MemberPrincipal {
  memberId: string;
  csrf: string;
}

export interface MemberAppDeps {
  db: Database;
  writer: DatabaseWriter;
  /** The loyalty program's members (fleet/loyalty/member-repository.ts). */
  members: { get(id: string): MemberRecord | undefined; byNumber(memberNumber: string): MemberRecord | undefined };
  clock: Clock;
  options: MemberAppOptions;
  hasher?: PasswordHasher;
}

/**
 * How a member signs in to the member app, apart from the staff's sign-in (fleet/access/): staff make a single-use
 * enrolment link for a member (members:write, audited) and hand it over as a QR at the service desk; the member
 * opens it on their phone and chooses a 6-digit PIN, which signs them in; later they sign in with their member
 * number and that PIN. Staff never learn the PIN, and a new link (a new phone, a forgotten PIN) sets a new one and
 * ends the member's app sessions. Sessions live in their own table and cookie (`cf_member`): a member credential can
 * never pass the operations API's authentication, nor a staff credential the member app's.
 */
export class MemberAppAccess {
  private readonly repository: MemberAppRepository;
  private readonly hasher: PasswordHasher;
  private readonly throttle: LoginThrottle;
  private sweepTimer: TimerHandle | undefined;
  /** A real hash to verify against when there is no PIN to check, so every failure takes the same time. */
  private decoyHash: Promise<string> | undefined;

  constructor(private readonly deps: MemberAppDeps) {
    this.repository = new MemberAppRepository(deps.db);
    this.hasher = deps.hasher ?? new PasswordHasher();
    this.throttle = new LoginThrottle(PIN_THROTTLE, () => deps.clock.now());
  }

  start(): void {
    this.sweepTimer = this.deps.clock.setInterval(() => this.sweep(), SWEEP_MS);
  }

  stop(): void {
    this.deps.clock.clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  sweep(): void {
    const now = this.deps.clock.now();
    this.deps.writer.submit('member-app sweep', () => this.repository.deleteExpired(now));
  }

  /**
   * A new enrolment link's secret for a member (MEMBER_NOT_FOUND, MEMBER_INVALID for a disabled member); their
   * earlier unused links stop working.
   */
  async issueLink(memberId: string, createdBy: string): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const expiresAt = now + this.deps.options.linkMs;
    await this.deps.writer.write('member-app link', () => {
      const member = this.deps.members.get(memberId);
      if (!member) throw new FleetError('MEMBER_NOT_FOUND', `no member '${memberId}'`);
      if (member.disabled) throw new FleetError('MEMBER_INVALID', 'the member is disabled');
      this.repository.replaceLinks(token, memberId, now, expiresAt, createdBy);
    });
    return { token, expiresAt };
  }

  /**
   * Redeems an enrolment link: the PIN is checked first (MEMBER_PIN_WEAK leaves the link usable), then the link is
   * used up (MEMBER_APP_LINK_INVALID when unknown, used, replaced or expired), the PIN set, the member's other app
   * sessions ended, and a session opened on this phone.
   */
  async enrol(token: string, pin: string, userAgent: string | null): Promise<MemberSignedIn> {
    checkMemberPin(pin);
    const pinHash = await this.hasher.hash(pin);
    const now = this.deps.clock.now();
    return this.deps.writer.write('member-app enrol', () => {
      const memberId = this.repository.takeLink(token, now);
      const member = memberId ? this.deps.members.get(memberId) : undefined;
      if (!member || member.disabled) {
        throw new FleetError('MEMBER_APP_LINK_INVALID', 'the link is invalid, used or expired; ask for a new one');
      }
      this.repository.setPin(member.id, pinHash, now);
      this.repository.deleteSessionsOf(member.id);
      return this.openSession(member.id, now, userAgent);
    });
  }

  /**
   * Member number and PIN. MEMBER_LOGIN_FAILED alike for an unknown number, a member without a PIN, a disabled
   * member and a wrong PIN; LOGIN_THROTTLED while guessing is slowed down; MEMBER_PIN_LOCKED from the
   * {@link MEMBER_PIN_MAX_FAILURES}th wrong PIN in a row until a new enrolment link.
   */
  async login(memberNumber: string, pin: string, ip: string, userAgent: string | null): Promise<MemberSignedIn> {
    // begin() counts attempts still hashing, so a burst of concurrent guesses cannot all pass before one fails.
    const wait = this.throttle.begin(memberNumber, ip);
    if (wait > 0) {
      throw new FleetError('LOGIN_THROTTLED', 'too many wrong PINs; try again later', { retryAfterMs: wait });
    }
    try {
      const member = this.deps.members.byNumber(memberNumber);
      const stored = member ? this.repository.pin(member.id) : undefined;
      if (member && stored && stored.failures >= MEMBER_PIN_MAX_FAILURES) throw pinLocked();
      this.decoyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
      const ok = await this.hasher.verify(pin, stored?.pinHash ?? (await this.decoyHash));
      if (!member || !stored || member.disabled || !ok) {
        this.throttle.failed(memberNumber, ip);
        if (member && stored && !ok) {
          const failures = await this.deps.writer.write('member-app pin failed', () =>
            this.repository.pinFailed(member.id),
          );
          if (failures >= MEMBER_PIN_MAX_FAILURES) throw pinLocked();
        }
        throw new FleetError('MEMBER_LOGIN_FAILED', 'wrong member number or PIN');
      }
      this.throttle.succeeded(memberNumber);
      const now = this.deps.clock.now();
      return await this.deps.writer.write('member-app login', () => {
        this.repository.pinSucceeded(member.id);
        return this.openSession(member.id, now, userAgent);
      });
    } finally {
      this.throttle.end(memberNumber, ip);
    }
  }

  /** The member behind a `cf_member` cookie; undefined when unknown, expired, or the member is disabled. */
  sessionMember(secret: string): MemberPrincipal | undefined {
    const session = this.repository.findSession(secret);
    if (!session) return undefined;
    if (session.expiresAt <= this.deps.clock.now()) {
      this.deps.writer.submit('member-app expired session', () => this.repository.deleteSession(secret));
      return undefined;
    }
    const member = this.deps.members.get(session.memberId);
    if (!member || member.disabled) return undefined;
    return { memberId: member.id, csrf: session.csrf };
  }

  async logout(secret: string): Promise<void> {
    await this.deps.writer.write('member-app logout', () => this.repository.deleteSession(secret));
  }

  private openSession(memberId: string, now: number, userAgent: string | null): MemberSignedIn {
    const sessionSecret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + this.deps.options.sessionMs;
    this.repository.insertSession(
      sessionSecret,
      { memberId, csrf, createdAt: now, expiresAt },
      userAgent?.slice(0, 300) ?? null,
    );
    return { memberId, sessionSecret, csrf, expiresAt };
  }
}

function pinLocked(): FleetError {
  return new FleetError(
    'MEMBER_PIN_LOCKED',
    'too many wrong PINs: ask at the service desk for a new member app link to set a new PIN',
  );
}
