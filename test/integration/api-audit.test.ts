import assert from 'node:assert/strict';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { type ApiUser, apiUser, eventually, mqttJsClient, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';
const IP = '10.20.30.40';
const UA = 'audit-test/1.0';

interface Entry {
  id: number;
  at: number;
  actor: { id: string | null; username: string };
  action: string;
  targetType: string;
  targetId: string | null;
  storeId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** The audit trail: one entry per change, with who, what, where from; searchable; impossible to rewrite. */
describe('API audit trail', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let client: mqttJs.MqttClient | undefined;

  /** A request from a known address and user agent, by token or by session (cookie + CSRF). */
  function call(
    auth: { token: string } | { cookie: string; csrf: string } | null,
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ) {
    const headers: Record<string, string> = { 'user-agent': UA };
    if (auth && 'token' in auth) headers.authorization = `Bearer ${auth.token}`;
    if (auth && 'cookie' in auth) {
      headers.cookie = auth.cookie;
      headers['x-cf-csrf'] = auth.csrf;
    }
    return fleet.services.http.instance!.inject({
      method,
      url,
      headers,
      remoteAddress: IP,
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  }

  const lastId = () =>
    (fleet.services.db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit_log').get() as { id: number }).id;

  /** Runs `act` and returns the one audit entry it wrote (failing if it wrote none or several). */
  async function onlyEntry(act: () => Promise<{ statusCode: number; body: string }>, status: number): Promise<Entry> {
    const before = lastId();
    const res = await act();
    assert.equal(res.statusCode, status, res.body);
    const all = (await call({ token: hq.token }, 'GET', '/api/audit?limit=500')).json().items as Entry[];
    const fresh = all.filter((e) => e.id > before && !(e.action === 'auth.login' && e.actor.username === 'never'));
    assert.equal(fresh.length, 1, `exactly one entry: ${JSON.stringify(fresh.map((e) => e.action))}`);
    return fresh[0]!;
  }

  function assertEntry(e: Entry, expected: Partial<Entry>): void {
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(e[key as keyof Entry], value, `${e.action}.${key}`);
    }
    assert.equal(e.ip, IP, `${e.action}: ip`);
    assert.equal(e.userAgent, UA, `${e.action}: user agent`);
    assert.ok(Math.abs(e.at - Date.now()) < 60_000, `${e.action}: at`);
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
  });

  after(async () => {
    await client?.endAsync(true);
    await fleet.stop();
    dir.cleanup();
  });

  describe('each change writes exactly one entry', () => {
    const actor = () => ({ id: hq.userId, username: 'hq' });
    let bundle: { certificatePem: string; privateKeyPem: string; caPem: string };

    it('device.register, device.update', async () => {
      let res: Awaited<ReturnType<typeof call>> | undefined;
      const registered = await onlyEntry(async () => {
        res = await call({ token: hq.token }, 'POST', '/api/devices', {
          thingName: 'au-cart',
          kind: 'cart',
          hardwareModel: 'SC-200',
          storeId: A,
        });
        return res;
      }, 201);
      bundle = res!.json().bundle;
      assertEntry(registered, {
        actor: actor(),
        action: 'device.register',
        targetType: 'device',
        targetId: 'au-cart',
        storeId: A,
      });
      assert.equal(registered.details.kind, 'cart');
      const updated = await onlyEntry(
        () => call({ token: hq.token }, 'PATCH', '/api/devices/au-cart', { tags: ['pilot'] }),
        200,
      );
      assertEntry(updated, { action: 'device.update', targetId: 'au-cart', storeId: A, actor: actor() });
    });

    it('shadow.desired', async () => {
      const e = await onlyEntry(
        () => call({ token: hq.token }, 'PATCH', '/api/devices/au-cart/shadow', { desired: { brightness: 70 } }),
        200,
      );
      assertEntry(e, { action: 'shadow.desired', targetType: 'device', targetId: 'au-cart', storeId: A });
      assert.deepEqual(e.details.desired, { brightness: 70 });
    });

    it('command.send', async () => {
      const e = await onlyEntry(
        () =>
          call({ token: hq.token }, 'POST', '/api/devices/au-cart/commands', { name: 'locate', queueForSeconds: 60 }),
        202,
      );
      assertEntry(e, { action: 'command.send', targetType: 'device', targetId: 'au-cart', storeId: A });
      assert.equal(e.details.command, 'locate');
      assert.equal(typeof e.details.commandId, 'string');
    });

    it('alert.acknowledge, alert.resolve, alert-rules.update', async () => {
      const rules = [{ id: 'battery', cause: 'battery-low', threshold: 20, clearThreshold: 25, forSeconds: 0 }];
      const updated = await onlyEntry(() => call({ token: hq.token }, 'PUT', '/api/alert-rules', rules), 200);
      assertEntry(updated, { action: 'alert-rules.update', targetType: 'alert-rules', storeId: null });
      client = await mqttJsClient(fleet.services.broker.tlsPort, bundle, 'au-cart');
      await client.publishAsync(
        'dt/cartfleet/au-cart/telemetry',
        JSON.stringify({ msgId: 'low', ts: Date.now(), metrics: { 'battery.percent': 3 } }),
        { qos: 1 },
      );
      const alert = await eventually(
        () =>
          fleet.services.alerts.list({ state: 'open', storeIds: null, thingName: 'au-cart', limit: 1, offset: 0 })
            .items[0],
        5000,
        'an open alert',
      );
      const ack = await onlyEntry(
        () => call({ token: hq.token }, 'POST', `/api/alerts/${alert.id}/acknowledge`, { note: 'on my way' }),
        200,
      );
      assertEntry(ack, { action: 'alert.acknowledge', targetType: 'alert', targetId: String(alert.id), storeId: A });
      assert.equal(ack.details.note, 'on my way');
      const before = lastId();
      const twice = await call({ token: hq.token }, 'POST', `/api/alerts/${alert.id}/acknowledge`, {});
      assert.equal(twice.json().code, 'ALERT_STATE_INVALID');
      assert.equal(lastId(), before, 'a refused acknowledgement is not audited');
      const resolved = await onlyEntry(
        () => call({ token: hq.token }, 'POST', `/api/alerts/${alert.id}/resolve`, {}),
        200,
      );
      assertEntry(resolved, { action: 'alert.resolve', targetId: String(alert.id), storeId: A });
    });

    it('device.revoke', async () => {
      const e = await onlyEntry(
        () => call({ token: hq.token }, 'POST', '/api/devices/au-cart/revoke', { reason: 'stolen' }),
        200,
      );
      assertEntry(e, { action: 'device.revoke', targetType: 'device', targetId: 'au-cart', storeId: A });
      assert.equal(e.details.reason, 'stolen');
    });

    let created: { id: string; username: string };
    let oneTime: string;
    it('user.create, user.update, user.reset-password', async () => {
      let res: Awaited<ReturnType<typeof call>> | undefined;
      const e = await onlyEntry(async () => {
        res = await call({ token: hq.token }, 'POST', '/api/users', {
          username: 'mgr-a',
          displayName: 'Manager A',
          role: 'store-manager',
          storeIds: [A],
        });
        return res;
      }, 201);
      created = res!.json().user;
      oneTime = res!.json().oneTimePassword;
      assertEntry(e, { action: 'user.create', targetType: 'user', targetId: created.id, actor: actor() });
      assert.equal(JSON.stringify(e.details).includes(oneTime), false, 'the password is not in the log');
      const upd = await onlyEntry(
        () => call({ token: hq.token }, 'PATCH', `/api/users/${created.id}`, { storeIds: [A, B] }),
        200,
      );
      assertEntry(upd, { action: 'user.update', targetId: created.id });
      assert.deepEqual((upd.details.before as { storeIds: string[] }).storeIds, [A]);
      let reset: Awaited<ReturnType<typeof call>> | undefined;
      const r = await onlyEntry(async () => {
        reset = await call({ token: hq.token }, 'POST', `/api/users/${created.id}/reset-password`, {});
        return reset;
      }, 200);
      oneTime = reset!.json().oneTimePassword;
      assertEntry(r, { action: 'user.reset-password', targetId: created.id });
      assert.equal(JSON.stringify(r.details).includes(oneTime), false);
    });

    let session: { cookie: string; csrf: string };
    it('auth.login, auth.login-failed, auth.password', async () => {
      let res: Awaited<ReturnType<typeof call>> | undefined;
      const login = await onlyEntry(async () => {
        res = await call(null, 'POST', '/api/auth/login', { username: 'mgr-a', password: oneTime });
        return res;
      }, 200);
      assertEntry(login, {
        action: 'auth.login',
        targetType: 'user',
        targetId: created.id,
        actor: { id: created.id, username: 'mgr-a' },
      });
      const cookie = String(res!.headers['set-cookie']).split(';')[0]!;
      session = { cookie, csrf: res!.json().csrf };

      const failed = await onlyEntry(
        () => call(null, 'POST', '/api/auth/login', { username: 'mgr-a', password: 'wrong-password' }),
        401,
      );
      assertEntry(failed, { action: 'auth.login-failed', actor: { id: null, username: 'mgr-a' }, targetId: null });
      const unknown = await onlyEntry(
        () => call(null, 'POST', '/api/auth/login', { username: 'nobody', password: 'wrong-password' }),
        401,
      );
      assertEntry(unknown, { action: 'auth.login-failed', actor: { id: null, username: 'nobody' } });
      assert.equal(JSON.stringify(unknown).includes('wrong-password'), false, 'no password is logged');

      const pw = await onlyEntry(
        () =>
          call(session, 'POST', '/api/auth/password', {
            currentPassword: oneTime,
            newPassword: 'Lantern-Harbour-2031',
          }),
        204,
      );
      assertEntry(pw, { action: 'auth.password', targetId: created.id, actor: { id: created.id, username: 'mgr-a' } });
      assert.equal(JSON.stringify(pw).includes('Lantern-Harbour-2031'), false);
    });

    it('token.create, token.delete', async () => {
      let res: Awaited<ReturnType<typeof call>> | undefined;
      const made = await onlyEntry(async () => {
        res = await call(session, 'POST', '/api/auth/tokens', { name: 'export' });
        return res;
      }, 201);
      const token = res!.json() as { id: string; token: string };
      assertEntry(made, { action: 'token.create', targetType: 'token', targetId: token.id });
      assert.equal(made.actor.username, 'mgr-a');
      assert.equal(JSON.stringify(made).includes(token.token), false, 'the secret is not in the log');
      const gone = await onlyEntry(() => call(session, 'DELETE', `/api/auth/tokens/${token.id}`), 204);
      assertEntry(gone, { action: 'token.delete', targetId: token.id });
    });

    it('a login ticket writes auth.login (via ticket)', async () => {
      const ticket = fleet.services.access.issueLoginTicket('mgr-a');
      const e = await onlyEntry(() => call(null, 'GET', `/login?ticket=${ticket}`), 303);
      assertEntry(e, { action: 'auth.login', targetId: created.id });
      assert.equal(e.details.via, 'ticket');
    });

    it('reads and refusals write nothing', async () => {
      const before = lastId();
      await call({ token: hq.token }, 'GET', '/api/devices');
      await call({ token: hq.token }, 'GET', '/api/audit');
      await call(session, 'GET', '/api/auth/me');
      await call({ token: hq.token }, 'PATCH', '/api/devices/au-cart/shadow', { desired: { brightness: 900 } });
      await call({ token: hq.token }, 'POST', '/api/users', { username: 'hq', displayName: 'dup', role: 'viewer' });
      assert.equal(lastId(), before);
    });
  });

  describe('search', () => {
    it('filters by actor, action (exact or family), target, store and time, newest first, with paging', async () => {
      const get = async (query: string) => {
        const res = await call({ token: hq.token }, 'GET', `/api/audit?${query}`);
        assert.equal(res.statusCode, 200, res.body);
        return res.json() as { items: Entry[]; total: number };
      };
      const all = await get('limit=500');
      const stored = (fleet.services.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
      assert.equal(all.total, stored, 'every entry, none left out');
      const ids = all.items.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
        'newest first',
      );

      const byActor = await get('actor=MGR-A&limit=500');
      assert.ok(byActor.total > 0);
      assert.ok(
        byActor.items.every((e) => e.actor.username === 'mgr-a'),
        'actor matches case-insensitively',
      );
      assert.equal(byActor.total, all.items.filter((e) => e.actor.username === 'mgr-a').length);

      const family = await get('action=device&limit=500');
      assert.deepEqual([...new Set(family.items.map((e) => e.action))].sort(), [
        'device.register',
        'device.revoke',
        'device.update',
      ]);
      const exact = await get('action=device.revoke');
      assert.equal(exact.total, 1);
      const notAPrefix = await get('action=dev');
      assert.equal(notAPrefix.total, 0, '`dev` is not a family');

      const target = await get('targetId=au-cart&limit=500');
      assert.equal(target.total, all.items.filter((e) => e.targetId === 'au-cart').length);
      assert.ok(target.total >= 5);

      const store = await get(`storeId=${A}&limit=500`);
      assert.ok(store.items.every((e) => e.storeId === A));

      const middle = all.items[Math.floor(all.items.length / 2)]!;
      const upTo = await get(`to=${middle.at}&limit=500`);
      assert.ok(upTo.items.every((e) => e.at <= middle.at));
      assert.equal(upTo.total, all.items.filter((e) => e.at <= middle.at).length);
      const since = await get(`from=${middle.at}&limit=500`);
      assert.ok(since.items.every((e) => e.at >= middle.at));
      assert.equal(since.total, all.items.filter((e) => e.at >= middle.at).length);
      const empty = await get(`from=${Date.now() + 60_000}`);
      assert.deepEqual(empty, { items: [], total: 0 });

      const page = await get('limit=3&offset=2');
      assert.deepEqual(
        page.items.map((e) => e.id),
        ids.slice(2, 5),
      );
      assert.equal(page.total, all.total);
    });
  });

  describe('append-only', () => {
    it('refuses UPDATE and DELETE on the table, even from inside the process', () => {
      const { db } = fleet.services;
      const count = () => (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
      // The triggers' RAISE(ABORT): SQLite's constraint error of a trigger, with the table's own message.
      const appendOnly = { code: 'SQLITE_CONSTRAINT_TRIGGER', message: /append-only/ };
      const n = count();
      assert.ok(n > 0);
      assert.throws(() => db.prepare("UPDATE audit_log SET actor_name = 'someone-else'").run(), appendOnly);
      assert.throws(() => db.prepare('UPDATE audit_log SET details = ? WHERE id = 1').run('{}'), appendOnly);
      assert.throws(() => db.prepare('DELETE FROM audit_log WHERE id = 1').run(), appendOnly);
      assert.throws(() => db.prepare('DELETE FROM audit_log').run(), appendOnly);
      assert.equal(count(), n);
      const first = db.prepare('SELECT actor_name FROM audit_log WHERE id = 1').get() as { actor_name: string };
      assert.notEqual(first.actor_name, 'someone-else');
    });
  });
});
