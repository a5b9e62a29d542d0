import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { isChainWideRole, type Role } from '../../protocol/api/roles.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import { type ApiTokenRecord, CredentialRepository, digest } from './credential-repository.ts';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle.ts';
import { oneTimePassword, PasswordHasher } from './password-hasher.ts';
import type { Principal } from './principal.ts';
import { type User, type UserChanges, UserRepository } from './user-repository.ts';

export interface AccessOptions {
  /** A browser session ends after this long without a request. */
  sessionIdleMs: number;
  /** ... and after this long in any case. */
  sessionMaxMs: number;
  loginTicketMs: number;
}

/** How often start() sweeps expired sessions and tickets out of the database. */
const SWEEP_MS = 10 * 60_000;

export interface SignedIn {
  user: User;
  sessionSecret: string;
  csrf: string;
  expiresAt: number;
}

export interface NewUserInput {
  username: string;
  displayName: string;
  role: Role;
  storeIds?: string[];
  regions?: string[];
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/i;
const MIN_PASSWORD = 12;
const SESSION_TOUCH_MS = 60_000;

/**
 * How the service makes the writes that reading a credential entails (last-seen times, an expired session's
 * removal): the fleet passes its `DatabaseWriter`, so that a request is answered while another process holds the
 * database lock and the write follows when it can. Without one they are made at once.
 */
export interface BackgroundWrites {
  submit(label: string, run: () => void): void;
}

const immediateWrites: BackgroundWrites = { submit: (_label, run) => run() };

/**
 * People: users and roles, passwords, browser sessions, API tokens and login tickets, and the scope each person
 * acts in. The first start creates `admin` (hq-admin) with a one-time password that must be changed at first login.
 * Every time decision (session idle and maximum life, token and ticket expiry, touch throttling, the sweep) reads
 * the injected clock. A session ended on purpose (logout, password change or reset, a disabled user) is
 * announced as `session.ended` with its digest, so the live gateway can close that session's sockets at once.
 */
export class AccessService {
  readonly users: UserRepository;
  private readonly credentials: CredentialRepository;
  private sweepTimer: TimerHandle | undefined;
  /** Set by start() when it created the first admin: shown once by the process's entry point, never logged. */
  firstAdmin: { username: string; password: string } | undefined;
  /** A real hash to verify against when the username is unknown, so both failures take the same time. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    db: ConstructorParameters<typeof UserRepository>[0],
    private readonly stores: StoreRepository,
    private readonly options: AccessOptions,
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly hasher = new PasswordHasher(),
    private readonly throttle = new LoginThrottle(DEFAULT_LOGIN_THROTTLE, () => clock.now()),
    private readonly writes: BackgroundWrites = immediateWrites,
  ) {
    this.users = new UserRepository(db, () => clock.now());
    this.credentials = new CredentialRepository(db);
  }

  async start(): Promise<void> {
    if (this.users.count() === 0) {
      const password = oneTimePassword();
      this.users.insert({
        id: randomUUID(),
        username: 'admin',
        displayName: 'Administrator',
        role: 'hq-admin',
        storeIds: [],
        regions: [],
        mustChangePassword: true,
        disabled: false,
        passwordHash: await this.hasher.hash(password),
      });
      this.firstAdmin = { username: 'admin', password };
      this.log.warn('created the first user "admin" with a one-time password (shown once on the console)');
    }
    this.sweepTimer = this.clock.setInterval(() => this.sweep(), SWEEP_MS);
  }

  stop(): void {
    this.clock.clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** Deletes sessions past their maximum life or idle too long, and tickets past theirs (every 10 minutes). */
  sweep(): { sessions: number; tickets: number } {
    const now = this.clock.now();
    return this.credentials.deleteExpired(now, now - this.options.sessionIdleMs);
  }

  // --- signing in ------------------------------------------------------------------------------------------------

  async login(username: string, password: string, ip: string, userAgent: string | null): Promise<SignedIn> {
    // begin() counts attempts still hashing, so a burst of concurrent guesses cannot all pass before one fails.
    const wait = this.throttle.begin(username, ip);
    if (wait > 0) {
      throw new FleetError('LOGIN_THROTTLED', 'too many failed sign-ins; try again later', { retryAfterMs: wait });
    }
    try {
      const found = this.users.findForLogin(username);
      this.decoyHash ??= this.hasher.hash(randomBytes(16).toString('hex'));
      const ok = await this.hasher.verify(password, found?.passwordHash ?? (await this.decoyHash));
      if (!found || !ok || found.user.disabled) {
        this.throttle.failed(username, ip);
        throw new FleetError('LOGIN_FAILED', 'wrong username or password');
      }
      this.throttle.succeeded(username);
      return this.openSession(found.user, ip, userAgent);
    } finally {
      this.throttle.end(username, ip);
    }
  }

  issueLoginTicket(username: string): string {
    const found = this.users.findForLogin(username);
    if (!found) throw new FleetError('USER_NOT_FOUND', `no user '${username}'`);
    const ticket = randomBytes(32).toString('base64url');
    this.credentials.insertTicket(ticket, found.user.id, this.clock.now() + this.options.loginTicketMs);
    return ticket;
  }

  loginWithTicket(ticket: string, ip: string, userAgent: string | null): SignedIn {
    const userId = this.credentials.takeTicket(ticket, this.clock.now());
    const user = userId ? this.users.get(userId) : undefined;
    if (!user || user.disabled) throw new FleetError('LOGIN_TICKET_INVALID', 'the sign-in link is invalid or used');
    return this.openSession(user, ip, userAgent);
  }

  /** Ends one browser session (the user's other sessions go on) and announces it, so its live sockets close. */
  logout(sessionSecret: string): void {
    const userId = this.credentials.deleteSession(sessionSecret);
    if (userId) this.bus.emit('session.ended', { userId, sessionDigest: digest(sessionSecret) });
  }

  /** The principal behind a session cookie; undefined when it is unknown, expired or idle too long. */
  sessionPrincipal(secret: string): Principal | undefined {
    const session = this.credentials.findSession(secret);
    if (!session) return undefined;
    const now = this.clock.now();
    if (session.expiresAt <= now || now - session.lastSeenAt > this.options.sessionIdleMs) {
      this.writes.submit('expired session', () => this.credentials.deleteSession(secret));
      return undefined;
    }
    const user = this.users.get(session.userId);
    if (!user || user.disabled) return undefined;
    if (now - session.lastSeenAt > SESSION_TOUCH_MS) {
      this.writes.submit('session touch', () => this.credentials.touchSession(secret, now));
    }
    return this.principalOf(user, 'session', session.csrf);
  }

  /** The principal behind an API token (`cft_...`). */
  tokenPrincipal(secret: string): Principal | undefined {
    if (!secret.startsWith('cft_')) return undefined;
    const token = this.credentials.findToken(secret);
    if (!token) return undefined;
    const now = this.clock.now();
    if (token.expiresAt !== null && token.expiresAt <= now) return undefined;
    const user = this.users.get(token.userId);
    if (!user || user.disabled) return undefined;
    if (token.lastUsedAt === null || now - token.lastUsedAt > SESSION_TOUCH_MS) {
      this.writes.submit('token touch', () => this.credentials.touchToken(token.id, now));
    }
    return this.principalOf(user, 'token', null);
  }

  principalOf(user: User, via: Principal['via'], csrf: string | null): Principal {
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      storeIds: this.scopeOf(user),
      via,
      mustChangePassword: user.mustChangePassword,
      csrf,
    };
  }

  /** The stores a user may see: null for the whole chain. Regions resolve to the stores in them now. */
  scopeOf(user: Pick<User, 'role' | 'storeIds' | 'regions'>): ReadonlySet<string> | null {
    if (isChainWideRole(user.role)) return null;
    if (user.role === 'viewer' && user.storeIds.length === 0 && user.regions.length === 0) return null;
    const ids = new Set(user.storeIds);
    if (user.regions.length > 0) {
      const regions = new Set(user.regions);
      for (const store of this.stores.listStores()) if (store.region && regions.has(store.region)) ids.add(store.id);
    }
    return ids;
  }

  // --- passwords ------------------------------------------------------------------------------------------------

  /**
   * Changes a user's own password and ends their other browser sessions (a stolen session does not outlive the
   * password that opened it); `keepSession` is the session the change was made from, which goes on. API tokens
   * are kept: they are revoked one by one. Returns how many sessions ended.
   */
  /**
   * Guesses at the current password are throttled like sign-ins (same counters): a stolen session cookie must not
   * become a way to find the password at hashing speed.
   */
  async changePassword(
    userId: string,
    current: string,
    next: string,
    keepSession?: string,
    ip = 'unknown',
  ): Promise<number> {
    const user = this.users.get(userId);
    const hash = this.users.passwordHashOf(userId);
    if (!user || !hash) throw new FleetError('USER_NOT_FOUND', `no user '${userId}'`);
    const wait = this.throttle.begin(user.username, ip);
    if (wait > 0) {
      throw new FleetError('LOGIN_THROTTLED', 'too many wrong passwords; try again later', { retryAfterMs: wait });
    }
    try {
      if (!(await this.hasher.verify(current, hash))) {
        this.throttle.failed(user.username, ip);
        throw new FleetError('PASSWORD_INCORRECT', 'the current password is wrong');
      }
    } finally {
      this.throttle.end(user.username, ip);
    }
    checkStrength(next, user.username);
    if (await this.hasher.verify(next, hash)) throw new FleetError('PASSWORD_WEAK', 'choose a new password');
    this.users.setPassword(userId, await this.hasher.hash(next), false);
    const ended = this.endSessionsOf(userId, keepSession);
    this.bus.emit('user.changed', { userId });
    return ended;
  }

  async resetPassword(userId: string): Promise<string> {
    if (!this.users.get(userId)) throw new FleetError('USER_NOT_FOUND', `no user '${userId}'`);
    const password = oneTimePassword();
    this.users.setPassword(userId, await this.hasher.hash(password), true);
    this.endSessionsOf(userId);
    this.bus.emit('user.changed', { userId });
    return password;
  }

  // --- users ----------------------------------------------------------------------------------------------------

  async createUser(input: NewUserInput, password?: string): Promise<{ user: User; oneTimePassword: string }> {
    if (!USERNAME.test(input.username)) {
      throw new FleetError('USER_INVALID', 'usernames are 2-64 letters, digits, ".", "_" or "-"');
    }
    if (this.users.findForLogin(input.username)) {
      throw new FleetError('USER_EXISTS', `the username '${input.username}' is taken`);
    }
    const scope = this.checkScope(input.role, input.storeIds ?? [], input.regions ?? []);
    const initial = password ?? oneTimePassword();
    const user = this.users.insert({
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName,
      role: input.role,
      ...scope,
      mustChangePassword: password === undefined,
      disabled: false,
      passwordHash: await this.hasher.hash(initial),
    });
    return { user, oneTimePassword: initial };
  }

  updateUser(userId: string, changes: UserChanges, by: string): User {
    const current = this.users.get(userId);
    if (!current) throw new FleetError('USER_NOT_FOUND', `no user '${userId}'`);
    const next = { ...current, ...changes };
    if (userId === by && (next.role !== current.role || next.disabled)) {
      throw new FleetError('USER_INVALID', 'you cannot change your own role or disable yourself');
    }
    const scope = this.checkScope(next.role, next.storeIds, next.regions);
    const updated = this.users.update(userId, { ...changes, ...scope })!;
    if (updated.disabled) this.endSessionsOf(userId);
    this.bus.emit('user.changed', { userId });
    return updated;
  }

  private checkScope(role: Role, storeIds: string[], regions: string[]): { storeIds: string[]; regions: string[] } {
    if (isChainWideRole(role)) return { storeIds: [], regions: [] };
    for (const id of storeIds) {
      if (!this.stores.getStore(id)) throw new FleetError('STORE_NOT_FOUND', `no store '${id}'`);
    }
    if (role === 'store-manager' && (storeIds.length === 0 || regions.length > 0)) {
      throw new FleetError('USER_INVALID', 'a store manager needs one or more stores (and no regions)');
    }
    if (role === 'technician' && storeIds.length === 0 && regions.length === 0) {
      throw new FleetError('USER_INVALID', 'a technician needs stores or regions');
    }
    return { storeIds: [...new Set(storeIds)], regions: [...new Set(regions)] };
  }

  // --- API tokens -----------------------------------------------------------------------------------------------

  createToken(userId: string, name: string, expiresInDays?: number): { record: ApiTokenRecord; token: string } {
    const token = `cft_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const record: ApiTokenRecord = {
      id: randomUUID(),
      userId,
      name,
      createdAt: now,
      expiresAt: expiresInDays ? now + expiresInDays * 86_400_000 : null,
      lastUsedAt: null,
    };
    this.credentials.insertToken(token, record);
    return { record, token };
  }

  listTokens(userId: string): ApiTokenRecord[] {
    return this.credentials.listTokens(userId);
  }

  deleteToken(userId: string, id: string): void {
    if (!this.credentials.deleteToken(userId, id)) throw new FleetError('TOKEN_NOT_FOUND', `no token '${id}'`);
  }

  /** Deletes a user's sessions (all, or all but `except`) and announces each; returns how many ended. */
  private endSessionsOf(userId: string, except?: string): number {
    const digests = this.credentials.deleteSessionsOf(userId, except);
    for (const sessionDigest of digests) this.bus.emit('session.ended', { userId, sessionDigest });
    return digests.length;
  }

  private openSession(user: User, ip: string, userAgent: string | null): SignedIn {
    const now = this.clock.now();
    const sessionSecret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + this.options.sessionMaxMs;
    this.credentials.insertSession(
      sessionSecret,
      { userId: user.id, csrf, createdAt: now, lastSeenAt: now, expiresAt },
      ip,
      userAgent?.slice(0, 300) ?? null,
    );
    this.users.touchLogin(user.id, now);
    return { user: { ...user, lastLoginAt: now }, sessionSecret, csrf, expiresAt };
  }
}

function checkStrength(password: string, username: string): void {
  if (password.length < MIN_PASSWORD) {
    throw new FleetError('PASSWORD_WEAK', `passwords need at least ${MIN_PASSWORD} characters`);
  }
  if (password.length > 256) throw new FleetError('PASSWORD_WEAK', 'passwords are at most 256 characters');
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw new FleetError('PASSWORD_WEAK', 'a password must not contain the username');
  }
  if (new Set(password).size < 5) throw new FleetError('PASSWORD_WEAK', 'a password needs more different characters');
}
