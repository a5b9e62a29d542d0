import assert from 'node:assert/strict';
import { AccessService } from '../../../fleet/access/access-service.ts';
import { digest } from '../../../fleet/access/credential-repository.ts';
import { LoginThrottle } from '../../../fleet/access/login-throttle.ts';
import { PasswordHasher } from '../../../fleet/access/password-hasher.ts';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const MAX = 8 * 60 * MINUTE;
const TICKET = 10 * MINUTE;
/** How often AccessService sweeps (SWEEP_MS in access-service.ts). */
const SWEEP = 10 * MINUTE;
const DAY = 86_400_000;
const PASSWORD = 'Harbour-Lights-1987';

/** Session, token and ticket lifetimes, touch throttling and the sweep, on a clock the test moves. */
describe('AccessService over time (fake clock)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let clock: FakeClock;
  let access: AccessService;
  let userId: string;
  let ended: FleetEvents['session.ended'][];

  const signIn = async () => (await access.login('mei', PASSWORD, '127.0.0.1', null)).sessionSecret;
  const alive = (secret: string) => access.sessionPrincipal(secret) !== undefined;
  const sessionRow = (secret: string) =>
    db.prepare('SELECT last_seen_at, expires_at FROM sessions WHERE id_hash = ?').get(digest(secret)) as
      | { last_seen_at: number; expires_at: number }
      | undefined;
  const count = (table: 'sessions' | 'login_tickets') =>
    (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  beforeEach(async () => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    clock = new FakeClock();
    const bus = new EventBus<FleetEvents>(silentLogger());
    ended = [];
    bus.on('session.ended', (e) => ended.push(e));
    access = new AccessService(
      db,
      new StoreRepository(db),
      { sessionIdleMs: IDLE, sessionMaxMs: MAX, loginTicketMs: TICKET },
      bus,
      silentLogger(),
      clock,
      new PasswordHasher({ N: 1024, r: 8, p: 1 }),
      new LoginThrottle({ freeAttempts: 100, baseDelayMs: 1, maxDelayMs: 1, windowMs: 1 }, () => clock.now()),
    );
    await access.start();
    userId = (await access.createUser({ username: 'mei', displayName: 'Mei', role: 'viewer' }, PASSWORD)).user.id;
  });

  afterEach(() => {
    access.stop();
    db.close();
    dir.cleanup();
  });

  describe('browser sessions', () => {
    it('stamps sessions, users and sign-ins with the injected clock', async () => {
      const start = clock.now();
      const signedIn = await access.login('mei', PASSWORD, '127.0.0.1', null);
      assert.equal(signedIn.expiresAt, start + MAX);
      assert.equal(signedIn.user.lastLoginAt, start);
      assert.deepEqual(sessionRow(signedIn.sessionSecret), { last_seen_at: start, expires_at: start + MAX });
      assert.equal(access.users.get(userId)?.createdAt, start);
    });

    it('ends a session left unused for longer than sessionIdleMs', async () => {
      const used = await signIn();
      const unused = await signIn();
      clock.advance(IDLE);
      assert.ok(alive(used), 'exactly sessionIdleMs without use is still fine');
      clock.advance(1);
      assert.equal(access.sessionPrincipal(unused), undefined, 'one millisecond more is too long');
      assert.equal(sessionRow(unused), undefined, 'and the dead session is deleted');
      assert.ok(alive(used), 'the session used at the limit lives on');
      clock.advance(IDLE + 1);
      assert.equal(access.sessionPrincipal(used), undefined);
    });

    it('keeps a session in use alive past sessionIdleMs, up to sessionMaxMs', async () => {
      const secret = await signIn();
      const start = clock.now();
      while (clock.now() - start < MAX - 20 * MINUTE) {
        clock.advance(20 * MINUTE);
        assert.ok(alive(secret), `alive after ${(clock.now() - start) / MINUTE} min of use`);
      }
      assert.ok(clock.now() - start > 3 * IDLE, 'well past the idle limit');
    });

    it('ends a session at sessionMaxMs however much it is used', async () => {
      const secret = await signIn();
      const start = clock.now();
      while (clock.now() - start + 20 * MINUTE < MAX) {
        clock.advance(20 * MINUTE);
        assert.ok(alive(secret));
      }
      clock.advance(start + MAX - 1 - clock.now());
      assert.ok(alive(secret), 'one millisecond before sessionMaxMs');
      clock.advance(1);
      assert.equal(access.sessionPrincipal(secret), undefined, 'at sessionMaxMs');
      assert.equal(sessionRow(secret), undefined);
    });

    it('records use (last_seen_at) at most once a minute', async () => {
      const secret = await signIn();
      const start = clock.now();
      clock.advance(30_000);
      assert.ok(alive(secret));
      assert.equal(sessionRow(secret)?.last_seen_at, start, 'not written 30 s after the last write');
      clock.advance(30_000);
      assert.ok(alive(secret));
      assert.equal(sessionRow(secret)?.last_seen_at, start, 'nor at exactly a minute');
      clock.advance(1);
      assert.ok(alive(secret));
      assert.equal(sessionRow(secret)?.last_seen_at, start + MINUTE + 1, 'written once more than a minute passed');
      for (let i = 0; i < 5; i++) {
        clock.advance(10_000);
        assert.ok(alive(secret));
      }
      assert.equal(sessionRow(secret)?.last_seen_at, start + MINUTE + 1, 'six uses within the minute: no write');
      clock.advance(10_001);
      assert.ok(alive(secret));
      assert.equal(sessionRow(secret)?.last_seen_at, clock.now());
    });
  });

  describe('API tokens', () => {
    it('refuses a token once expiresInDays have passed', () => {
      const { token, record } = access.createToken(userId, 'cli', 2);
      assert.equal(record.expiresAt, clock.now() + 2 * DAY);
      clock.advance(2 * DAY - 1);
      assert.equal(access.tokenPrincipal(token)?.username, 'mei', 'one millisecond before expiry');
      clock.advance(1);
      assert.equal(access.tokenPrincipal(token), undefined, 'at expiry');
      clock.advance(DAY);
      assert.equal(access.tokenPrincipal(token), undefined, 'and after');
    });

    it('keeps a token without expiry working, recording its use at most once a minute', () => {
      const { token } = access.createToken(userId, 'forever');
      const start = clock.now();
      assert.ok(access.tokenPrincipal(token));
      assert.equal(access.listTokens(userId)[0]?.lastUsedAt, start, 'the first use is written');
      clock.advance(MINUTE);
      assert.ok(access.tokenPrincipal(token));
      assert.equal(access.listTokens(userId)[0]?.lastUsedAt, start, 'not again within the minute');
      clock.jump(3650 * DAY);
      assert.ok(access.tokenPrincipal(token), 'ten years later');
      assert.equal(access.listTokens(userId)[0]?.lastUsedAt, clock.now());
    });
  });

  describe('login tickets', () => {
    it('accepts a ticket within its life', () => {
      const ticket = access.issueLoginTicket('mei');
      clock.advance(TICKET - 1);
      assert.equal(access.loginWithTicket(ticket, '127.0.0.1', null).user.username, 'mei');
    });

    it('refuses a ticket past its life, and consumes it all the same', () => {
      // Issued off the sweep's beat (every 10 minutes from start()): the login, not the sweep, meets it expired.
      clock.advance(MINUTE);
      const ticket = access.issueLoginTicket('mei');
      clock.advance(TICKET);
      assert.equal(count('login_tickets'), 1);
      assert.throws(
        () => access.loginWithTicket(ticket, '127.0.0.1', null),
        (err: unknown) => isFleetError(err, 'LOGIN_TICKET_INVALID'),
      );
      assert.equal(count('login_tickets'), 0, 'the expired ticket is gone');
      assert.equal(count('sessions'), 0, 'nobody was signed in');
    });
  });

  describe('the sweep', () => {
    it('runs every 10 minutes from start(): deletes sessions past their maximum life or idle too long and tickets past theirs, and nothing else', async () => {
      const t0 = clock.now();
      const old = await signIn(); // in use until its maximum life
      clock.advance(MINUTE);
      access.issueLoginTicket('mei'); // its life ends at t0 + 11 minutes, between two sweeps
      clock.advance(2 * SWEEP - MINUTE - 1);
      assert.equal(count('login_tickets'), 1, 'kept until the first sweep after its life ended');
      clock.advance(1);
      assert.equal(count('login_tickets'), 0, 'deleted by the sweep at t0 + 20 minutes');
      assert.ok(alive(old));
      while (clock.now() - t0 < MAX - 5 * MINUTE) {
        clock.advance(Math.min(25 * MINUTE, MAX - 5 * MINUTE - (clock.now() - t0)));
        assert.ok(alive(old));
      }
      const idle = await signIn(); // never used again
      clock.advance(5 * MINUTE); // t0 + MAX: a sweep
      assert.equal(sessionRow(old), undefined, 'swept at its maximum life');
      assert.ok(sessionRow(idle));
      const recent = await signIn();
      clock.advance(2 * SWEEP); // the idle session is 25 minutes idle at this sweep
      assert.ok(sessionRow(idle), 'idle for less than sessionIdleMs at the sweep: kept');
      clock.advance(SWEEP);
      assert.equal(sessionRow(idle), undefined, 'idle for longer than sessionIdleMs at the sweep: deleted');
      assert.ok(sessionRow(recent), 'idle for exactly sessionIdleMs at the sweep: kept');
      assert.equal(count('sessions'), 1);
    });

    it('deletes on demand what the next sweep would, and stop() ends the sweeping', async () => {
      await signIn();
      clock.advance(IDLE + 1);
      assert.deepEqual(access.sweep(), { sessions: 1, tickets: 0 });
      assert.deepEqual(access.sweep(), { sessions: 0, tickets: 0 }, 'nothing left to delete');
      const pending = clock.pending;
      access.stop();
      assert.equal(clock.pending, pending - 1, 'the sweep timer is cleared');
    });
  });

  describe('ending sessions on purpose (session.ended)', () => {
    it('logout ends that session only and announces its digest', async () => {
      const first = await signIn();
      const second = await signIn();
      access.logout(first);
      assert.deepEqual(ended, [{ userId, sessionDigest: digest(first) }]);
      assert.equal(access.sessionPrincipal(first), undefined);
      assert.ok(alive(second), "the user's other session goes on");
      access.logout(first);
      access.logout('made-up');
      assert.equal(ended.length, 1, 'an unknown or already ended session announces nothing');
    });

    it("a password change ends the user's other sessions, keeps the one it came from and the tokens", async () => {
      const here = await signIn();
      const other = await signIn();
      const third = await signIn();
      const { token } = access.createToken(userId, 'cli');
      const next = 'A-Much-Better-One-2024';
      assert.equal(await access.changePassword(userId, PASSWORD, next, here), 2);
      assert.deepEqual(
        ended.map((e) => e.sessionDigest).sort(),
        [digest(other), digest(third)].sort(),
        'each ended session is announced',
      );
      assert.ok(ended.every((e) => e.userId === userId));
      assert.ok(alive(here));
      assert.equal(access.sessionPrincipal(other), undefined);
      assert.equal(access.sessionPrincipal(third), undefined);
      assert.ok(access.tokenPrincipal(token), 'API tokens are kept');

      assert.equal(await access.changePassword(userId, next, 'Another-Good-One-2025'), 1, 'by token: all sessions');
      assert.equal(access.sessionPrincipal(here), undefined);
    });

    it('a reset by an admin and disabling the user end all their sessions, announced', async () => {
      const a = await signIn();
      const b = await signIn();
      await access.resetPassword(userId);
      assert.deepEqual(ended.map((e) => e.sessionDigest).sort(), [digest(a), digest(b)].sort());
      await access.changePassword(userId, await access.resetPassword(userId), 'A-Much-Better-One-2024');
      ended = [];
      const c = await access.login('mei', 'A-Much-Better-One-2024', '127.0.0.1', null);
      access.updateUser(userId, { disabled: true }, 'someone-else');
      assert.deepEqual(ended, [{ userId, sessionDigest: digest(c.sessionSecret) }]);
    });
  });
});
