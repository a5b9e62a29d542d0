import assert from 'node:assert/strict';
import { AccessService } from '../../../fleet/access/access-service.ts';
import { LoginThrottle } from '../../../fleet/access/login-throttle.ts';
import { PasswordHasher } from '../../../fleet/access/password-hasher.ts';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { DEMO_CHAIN, seedDemoData } from '../../../fleet/registry/demo-seed.ts';
import { StoreRepository } from '../../../fleet/registry/store-repository.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';
const WEST = 'hf-chengdu-test';
const PASSWORD = 'Harbour-Lights-1987';

function rejectsWith(code: string) {
  return (err: unknown) => {
    assert.ok(isFleetError(err), `a FleetError, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

describe('AccessService', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let access: AccessService;
  let clock: FakeClock;
  let changed: string[];

  beforeEach(async () => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    const stores = new StoreRepository(db);
    seedDemoData(stores);
    const demoStore = stores.getStore(A)!;
    stores.upsertStore({ ...demoStore, id: WEST, name: 'Chengdu', region: 'west', chainId: DEMO_CHAIN.id });
    clock = new FakeClock();
    const bus = new EventBus<FleetEvents>(silentLogger());
    changed = [];
    bus.on('user.changed', (e) => changed.push(e.userId));
    access = new AccessService(
      db,
      stores,
      { sessionIdleMs: 60_000, sessionMaxMs: 3_600_000, loginTicketMs: 60_000 },
      bus,
      silentLogger(),
      clock,
      new PasswordHasher({ N: 1024, r: 8, p: 1 }),
      new LoginThrottle({ freeAttempts: 100, baseDelayMs: 1, maxDelayMs: 1, windowMs: 1 }),
    );
    await access.start();
  });

  afterEach(() => {
    access.stop();
    db.close();
    dir.cleanup();
  });

  describe('first start', () => {
    it('creates admin (hq-admin) with a one-time password that must be changed', async () => {
      assert.equal(access.firstAdmin?.username, 'admin');
      const signedIn = await access.login('admin', access.firstAdmin!.password, '127.0.0.1', null);
      assert.equal(signedIn.user.role, 'hq-admin');
      assert.equal(signedIn.user.mustChangePassword, true);
      assert.equal(access.sessionPrincipal(signedIn.sessionSecret)?.mustChangePassword, true);
    });
  });

  describe('scope', () => {
    it('resolves regions to the stores in them and adds listed stores', () => {
      assert.deepEqual([...access.scopeOf({ role: 'technician', storeIds: [], regions: ['east'] })!].sort(), [B, A]);
      assert.deepEqual([...access.scopeOf({ role: 'technician', storeIds: [], regions: ['west'] })!], [WEST]);
      assert.deepEqual(
        [...access.scopeOf({ role: 'viewer', storeIds: [A], regions: ['west'] })!].sort(),
        [A, WEST].sort(),
      );
      assert.deepEqual([...access.scopeOf({ role: 'viewer', storeIds: [], regions: ['north'] })!], []);
    });

    it('gives a store manager exactly their stores', () => {
      assert.deepEqual([...access.scopeOf({ role: 'store-manager', storeIds: [A], regions: [] })!], [A]);
    });

    it('makes hq-admins and unscoped viewers chain-wide (null)', () => {
      assert.equal(access.scopeOf({ role: 'hq-admin', storeIds: [A], regions: [] }), null);
      assert.equal(access.scopeOf({ role: 'viewer', storeIds: [], regions: [] }), null);
    });

    it('does not make an unscoped store manager or technician chain-wide', () => {
      assert.deepEqual([...access.scopeOf({ role: 'store-manager', storeIds: [], regions: [] })!], []);
      assert.deepEqual([...access.scopeOf({ role: 'technician', storeIds: [], regions: [] })!], []);
    });

    it("puts the user's current scope on their principal", async () => {
      const { user } = await access.createUser(
        { username: 'tech-east', displayName: 'T', role: 'technician', regions: ['east'] },
        PASSWORD,
      );
      const { token } = access.createToken(user.id, 'cli');
      assert.deepEqual([...access.tokenPrincipal(token)!.storeIds!].sort(), [B, A]);
      access.updateUser(user.id, { regions: ['west'] }, 'someone-else');
      assert.deepEqual([...access.tokenPrincipal(token)!.storeIds!], [WEST], 'a token follows its user');
    });
  });

  describe('users', () => {
    it('refuses invalid usernames (USER_INVALID)', async () => {
      for (const username of ['a', '-dash', 'with space', 'x'.repeat(65), 'ümlaut', '']) {
        await assert.rejects(
          access.createUser({ username, displayName: 'X', role: 'viewer' }),
          rejectsWith('USER_INVALID'),
          username,
        );
      }
    });

    it('refuses a taken username, whatever its case (USER_EXISTS)', async () => {
      await access.createUser({ username: 'mei', displayName: 'Mei', role: 'viewer' });
      await assert.rejects(
        access.createUser({ username: 'MEI', displayName: 'X', role: 'viewer' }),
        rejectsWith('USER_EXISTS'),
      );
      await assert.rejects(
        access.createUser({ username: 'admin', displayName: 'X', role: 'viewer' }),
        rejectsWith('USER_EXISTS'),
      );
    });

    it('refuses unknown stores (STORE_NOT_FOUND)', async () => {
      await assert.rejects(
        access.createUser({ username: 'sm', displayName: 'X', role: 'store-manager', storeIds: ['nowhere'] }),
        rejectsWith('STORE_NOT_FOUND'),
      );
      await assert.rejects(
        access.createUser({ username: 'vw', displayName: 'X', role: 'viewer', storeIds: [A, 'nowhere'] }),
        rejectsWith('STORE_NOT_FOUND'),
      );
    });

    it('requires stores of a store manager and a scope of a technician (USER_INVALID)', async () => {
      for (const input of [
        { role: 'store-manager' as const },
        { role: 'store-manager' as const, storeIds: [A], regions: ['east'] },
        { role: 'store-manager' as const, regions: ['east'] },
        { role: 'technician' as const },
      ]) {
        await assert.rejects(
          access.createUser({ username: 'someone', displayName: 'X', ...input }),
          rejectsWith('USER_INVALID'),
          JSON.stringify(input),
        );
      }
      assert.equal(access.users.findForLogin('someone'), undefined, 'nothing was created');
    });

    it('drops the scope of an hq-admin and de-duplicates stores', async () => {
      const { user: hq } = await access.createUser({
        username: 'hq',
        displayName: 'HQ',
        role: 'hq-admin',
        storeIds: [A],
      });
      assert.deepEqual(hq.storeIds, []);
      const { user: sm, oneTimePassword } = await access.createUser({
        username: 'sm',
        displayName: 'SM',
        role: 'store-manager',
        storeIds: [A, A],
      });
      assert.deepEqual(sm.storeIds, [A]);
      assert.equal(sm.mustChangePassword, true, 'a generated password must be changed');
      assert.ok(oneTimePassword.length >= 16);
    });

    it('refuses a change to your own role or disabling yourself', async () => {
      const { user } = await access.createUser({ username: 'hq', displayName: 'HQ', role: 'hq-admin' });
      assert.throws(() => access.updateUser(user.id, { disabled: true }, user.id), rejectsWith('USER_INVALID'));
      assert.throws(() => access.updateUser(user.id, { role: 'viewer' }, user.id), rejectsWith('USER_INVALID'));
      assert.equal(access.users.get(user.id)?.disabled, false);
      assert.equal(access.updateUser(user.id, { displayName: 'Boss' }, user.id).displayName, 'Boss');
    });

    it('checks the scope of an update against the resulting role', async () => {
      const { user } = await access.createUser({ username: 'hq', displayName: 'HQ', role: 'hq-admin' });
      assert.throws(() => access.updateUser(user.id, { role: 'store-manager' }, 'other'), rejectsWith('USER_INVALID'));
      assert.throws(
        () => access.updateUser(user.id, { role: 'store-manager', storeIds: ['nowhere'] }, 'other'),
        rejectsWith('STORE_NOT_FOUND'),
      );
      assert.equal(access.users.get(user.id)?.role, 'hq-admin', 'unchanged');
      assert.throws(
        () => access.updateUser('no-such-id', { displayName: 'x' }, 'other'),
        rejectsWith('USER_NOT_FOUND'),
      );
    });

    it('ends the sessions of a disabled user and refuses their tokens and logins', async () => {
      const { user } = await access.createUser({ username: 'vw', displayName: 'V', role: 'viewer' }, PASSWORD);
      const session = await access.login('vw', PASSWORD, '127.0.0.1', null);
      const { token } = access.createToken(user.id, 'cli');
      access.updateUser(user.id, { disabled: true }, 'other');
      assert.equal(access.sessionPrincipal(session.sessionSecret), undefined);
      assert.equal(access.tokenPrincipal(token), undefined);
      await assert.rejects(access.login('vw', PASSWORD, '127.0.0.1', null), rejectsWith('LOGIN_FAILED'));
      assert.deepEqual(changed, [user.id]);
    });
  });

  describe('passwords', () => {
    let userId: string;
    beforeEach(async () => {
      userId = (await access.createUser({ username: 'mei', displayName: 'Mei', role: 'viewer' }, PASSWORD)).user.id;
    });

    it('refuses a wrong current password (PASSWORD_INCORRECT)', async () => {
      await assert.rejects(
        access.changePassword(userId, 'not-it', 'A-Much-Better-One-2024'),
        rejectsWith('PASSWORD_INCORRECT'),
      );
    });

    it('throttles guesses at the current password like sign-ins (a stolen session is no password oracle)', async () => {
      const strict = new AccessService(
        db,
        new StoreRepository(db),
        { sessionIdleMs: 60_000, sessionMaxMs: 3_600_000, loginTicketMs: 60_000 },
        new EventBus<FleetEvents>(silentLogger()),
        silentLogger(),
        clock,
        new PasswordHasher({ N: 1024, r: 8, p: 1 }),
        new LoginThrottle({ freeAttempts: 2, baseDelayMs: 60_000, maxDelayMs: 60_000, windowMs: 600_000 }, () =>
          clock.now(),
        ),
      );
      for (let i = 0; i < 2; i++) {
        await assert.rejects(
          strict.changePassword(userId, 'guess', 'A-Much-Better-One-2024', undefined, '10.0.0.9'),
          rejectsWith('PASSWORD_INCORRECT'),
        );
      }
      await assert.rejects(
        strict.changePassword(userId, PASSWORD, 'A-Much-Better-One-2024', undefined, '10.0.0.9'),
        rejectsWith('LOGIN_THROTTLED'),
        'even the right password waits',
      );
      await assert.rejects(strict.login('mei', PASSWORD, '10.0.0.8', null), rejectsWith('LOGIN_THROTTLED'));
    });

    it('refuses weak new passwords (PASSWORD_WEAK)', async () => {
      for (const next of ['Short-1', 'x'.repeat(257), 'my-name-is-MEI-2024', 'abababababababab', PASSWORD]) {
        await assert.rejects(
          access.changePassword(userId, PASSWORD, next),
          rejectsWith('PASSWORD_WEAK'),
          next.slice(0, 20),
        );
      }
      await access.login('mei', PASSWORD, '127.0.0.1', null);
    });

    it('accepts a strong new password: the old one stops working, the forced change is cleared', async () => {
      const reset = await access.resetPassword(userId);
      assert.equal(access.users.get(userId)?.mustChangePassword, true);
      await access.changePassword(userId, reset, 'A-Much-Better-One-2024');
      assert.equal(access.users.get(userId)?.mustChangePassword, false);
      await assert.rejects(access.login('mei', reset, '127.0.0.1', null), rejectsWith('LOGIN_FAILED'));
      await access.login('mei', 'A-Much-Better-One-2024', '127.0.0.1', null);
    });

    it('ends the sessions of a user whose password is reset', async () => {
      const session = await access.login('mei', PASSWORD, '127.0.0.1', null);
      await access.resetPassword(userId);
      assert.equal(access.sessionPrincipal(session.sessionSecret), undefined);
      await assert.rejects(access.resetPassword('no-such-id'), rejectsWith('USER_NOT_FOUND'));
    });
  });

  describe('tokens and tickets', () => {
    it('refuses unknown, foreign-format and expired tokens', async () => {
      const { user } = await access.createUser({ username: 'mei', displayName: 'Mei', role: 'viewer' }, PASSWORD);
      const { token, record } = access.createToken(user.id, 'cli', 1);
      assert.equal(access.tokenPrincipal(token)?.username, 'mei');
      assert.equal(access.tokenPrincipal(`${token}x`), undefined);
      assert.equal(access.tokenPrincipal(token.slice(4)), undefined);
      db.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1, record.id);
      assert.equal(access.tokenPrincipal(token), undefined);
      assert.throws(() => access.deleteToken('someone-else', record.id), rejectsWith('TOKEN_NOT_FOUND'));
      access.deleteToken(user.id, record.id);
      assert.deepEqual(access.listTokens(user.id), []);
    });

    it('signs in once with a ticket', () => {
      const ticket = access.issueLoginTicket('admin');
      assert.equal(access.loginWithTicket(ticket, '127.0.0.1', null).user.username, 'admin');
      assert.throws(() => access.loginWithTicket(ticket, '127.0.0.1', null), rejectsWith('LOGIN_TICKET_INVALID'));
      assert.throws(() => access.issueLoginTicket('nobody'), rejectsWith('USER_NOT_FOUND'));
    });
  });
});
