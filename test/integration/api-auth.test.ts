import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

/**
 * Signing in as the browser does (real HTTP: cookies, CSRF header), as scripts do (API tokens), and the first
 * admin's forced password change, tickets, throttling and disabled users.
 */
describe('API authentication', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let base: string;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    base = `http://127.0.0.1:${fleet.services.http.port}`;
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  interface Browser {
    cookie: string;
    csrf: string;
    setCookie: string;
    body: { user: Record<string, unknown>; csrf: string };
  }

  async function browserLogin(username: string, password: string): Promise<Browser> {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('cf_session='));
    assert.ok(setCookie, 'a session cookie is set');
    const body = (await res.json()) as Browser['body'];
    return { cookie: setCookie.split(';')[0] ?? '', csrf: body.csrf, setCookie, body };
  }

  /** Calls with the session cookie; `csrf` null leaves the header out. */
  function browser(b: { cookie: string; csrf?: string }) {
    return (method: string, path: string, body?: unknown, csrfOverride?: string | null) => {
      const csrf = csrfOverride === undefined ? b.csrf : (csrfOverride ?? undefined);
      return fetch(`${base}${path}`, {
        method,
        headers: {
          cookie: b.cookie,
          ...(csrf !== undefined ? { 'x-cf-csrf': csrf } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    };
  }

  /** A login over inject from a chosen client address, so throttling in one test does not reach the others. */
  const injectLogin = (username: string, password: string, remoteAddress: string) =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password },
      remoteAddress,
    });

  describe('browser sessions', () => {
    let mei: ApiUser;
    before(async () => {
      mei = await apiUser(fleet, 'mei', 'viewer');
    });

    it('sets an HttpOnly, SameSite=Strict session cookie and returns the CSRF value', async () => {
      const b = await browserLogin('mei', mei.password);
      const attributes = b.setCookie.toLowerCase();
      assert.match(attributes, /;\s*httponly/);
      assert.match(attributes, /;\s*samesite=strict/);
      assert.match(attributes, /;\s*path=\//);
      assert.doesNotMatch(attributes, /;\s*secure/, 'secureCookies is off by default');
      assert.ok(b.csrf.length >= 20);
      assert.equal(b.body.user.username, 'mei');
      assert.equal(b.body.user.passwordHash, undefined, 'no hash leaves the server');
      assert.ok(!JSON.stringify(b.body).includes('scrypt'));
      const me = await browser(b)('GET', '/api/auth/me');
      assert.equal(me.status, 200);
      const body = (await me.json()) as { csrf: string; storeIds: unknown; permissions: string[] };
      assert.equal(body.csrf, b.csrf);
      assert.equal(body.storeIds, null, 'an unscoped viewer sees the whole chain');
      assert.ok(body.permissions.includes('devices:read'));
      assert.ok(!body.permissions.includes('devices:desired'));
    });

    it('refuses a state-changing request by cookie without the x-cf-csrf header (CSRF_MISSING)', async () => {
      const b = await browserLogin('mei', mei.password);
      const call = browser(b);
      const before = (await (await call('GET', '/api/auth/tokens')).json()) as unknown[];
      for (const csrf of [null, '', 'not-the-value', `${b.csrf}x`]) {
        const res = await call('POST', '/api/auth/tokens', { name: 'nope' }, csrf);
        assert.equal(res.status, 403, `csrf ${csrf}`);
        assert.equal(((await res.json()) as { code: string }).code, 'CSRF_MISSING');
      }
      const csrfless = await fetch(`${base}/api/auth/tokens`, {
        method: 'POST',
        headers: { cookie: b.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'nope' }),
      });
      assert.equal(csrfless.status, 403);
      assert.equal(((await csrfless.json()) as { code: string }).code, 'CSRF_MISSING');
      assert.equal(((await (await call('GET', '/api/auth/tokens')).json()) as unknown[]).length, before.length);
      const ok = await call('POST', '/api/auth/tokens', { name: 'with csrf' });
      assert.equal(ok.status, 201);
    });

    it("does not accept one session's CSRF value for another session", async () => {
      const first = await browserLogin('mei', mei.password);
      const second = await browserLogin('mei', mei.password);
      assert.notEqual(first.csrf, second.csrf);
      const res = await browser(first)('POST', '/api/auth/tokens', { name: 'x' }, second.csrf);
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { code: string }).code, 'CSRF_MISSING');
    });

    it('logs out: the cookie is cleared and the session no longer works', async () => {
      const b = await browserLogin('mei', mei.password);
      const call = browser(b);
      const refused = await call('POST', '/api/auth/logout', undefined, null);
      assert.equal(refused.status, 403, 'logout is state-changing too');
      assert.equal((await call('GET', '/api/auth/me')).status, 200, 'still signed in');
      const res = await call('POST', '/api/auth/logout');
      assert.equal(res.status, 204);
      const cleared = res.headers.getSetCookie().find((c) => c.startsWith('cf_session='));
      assert.ok(cleared && /cf_session=;/.test(cleared), `cleared: ${cleared}`);
      const after = await call('GET', '/api/auth/me');
      assert.equal(after.status, 401);
      assert.equal(((await after.json()) as { code: string }).code, 'NOT_AUTHENTICATED');
    });

    it('refuses a request without credentials or with an unknown cookie (NOT_AUTHENTICATED)', async () => {
      const attempts: Record<string, string>[] = [
        {},
        { cookie: 'cf_session=made-up' },
        { authorization: 'Bearer cft_made-up' },
      ];
      for (const headers of attempts) {
        const res = await fetch(`${base}/api/devices`, { headers });
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as { code: string }).code, 'NOT_AUTHENTICATED');
      }
    });

    it('answers 401 on every documented route but the public ones when no one is signed in', async () => {
      const app = fleet.services.http.instance!;
      const spec = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as {
        paths: Record<string, Record<string, unknown>>;
      };
      const open = new Set([
        'POST /api/auth/login',
        'GET /healthz',
        // the member app's sign-in: a member, not staff (test/integration/api-member-app.test.ts)
        'POST /api/member-app/login',
        'POST /api/member-app/enrol',
      ]);
      let checked = 0;
      for (const [path, methods] of Object.entries(spec.paths)) {
        for (const method of Object.keys(methods)) {
          const key = `${method.toUpperCase()} ${path}`;
          if (open.has(key)) continue;
          const url = path.replace(/\{[^}]+\}/g, (m) => (m === '{id}' ? '1' : 'x'));
          const res = await app.inject({
            method: method.toUpperCase() as 'GET',
            url,
            payload: method === 'get' ? undefined : {},
          });
          assert.equal(res.statusCode, 401, `${key}: ${res.body.slice(0, 80)}`);
          checked++;
        }
      }
      assert.ok(checked >= 35, `every route was tried (${checked})`);
    });

    it('guards routes reached by a percent-encoded path (/%61pi/... is the route /api/...)', async () => {
      const app = fleet.services.http.instance!;
      for (const url of ['/%61pi/users', '/%61pi/audit', '/%6detrics', '/api/user%73']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 401, `${url}: ${res.body.slice(0, 80)}`);
        assert.equal(res.json().code, 'NOT_AUTHENTICATED');
      }
      const created = await app.inject({
        method: 'POST',
        url: '/%61pi/users',
        payload: { username: 'intruder', displayName: 'Intruder', role: 'hq-admin' },
      });
      assert.equal(created.statusCode, 401);
      assert.equal(fleet.services.access.users.findForLogin('intruder'), undefined, 'no user was created');
    });
  });

  describe('the first admin', () => {
    it('must change the one-time password before any other route answers', async () => {
      const first = fleet.services.access.firstAdmin;
      assert.ok(first, 'the first start created admin');
      const b = await browserLogin(first.username, first.password);
      assert.equal(b.body.user.mustChangePassword, true);
      const call = browser(b);
      for (const [method, path] of [
        ['GET', '/api/devices'],
        ['GET', '/api/overview'],
        ['GET', '/api/users'],
        ['GET', '/api/audit'],
        ['GET', '/metrics'],
        ['POST', '/api/users'],
      ] as const) {
        const res = await call(
          method,
          path,
          method === 'POST' ? { username: 'x', displayName: 'x', role: 'viewer' } : undefined,
        );
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(((await res.json()) as { code: string }).code, 'PASSWORD_CHANGE_REQUIRED', `${method} ${path}`);
      }
      assert.equal(fleet.services.access.users.findForLogin('x'), undefined, 'no user was created');
      const me = await call('GET', '/api/auth/me');
      assert.equal(me.status, 200, '/api/auth/* stays reachable');

      const wrong = await call('POST', '/api/auth/password', {
        currentPassword: 'wrong',
        newPassword: 'Tide-Pool-Lantern-42',
      });
      assert.equal(wrong.status, 403);
      assert.equal(((await wrong.json()) as { code: string }).code, 'PASSWORD_INCORRECT');
      const weak = await call('POST', '/api/auth/password', { currentPassword: first.password, newPassword: 'short' });
      assert.equal(weak.status, 400);
      assert.equal(((await weak.json()) as { code: string }).code, 'PASSWORD_WEAK');
      assert.equal((await call('GET', '/api/devices')).status, 403, 'still required after refused changes');

      const changed = await call('POST', '/api/auth/password', {
        currentPassword: first.password,
        newPassword: 'Tide-Pool-Lantern-42',
      });
      assert.equal(changed.status, 204);
      assert.equal((await call('GET', '/api/devices')).status, 200);
      assert.equal((await call('GET', '/metrics')).status, 200);
      const again = await injectLogin('admin', first.password, '10.1.0.1');
      assert.equal(again.statusCode, 401, 'the one-time password is spent');
      assert.equal((await injectLogin('admin', 'Tide-Pool-Lantern-42', '10.1.0.1')).statusCode, 200);
    });
  });

  describe('failed sign-ins', () => {
    before(async () => {
      await apiUser(fleet, 'kim', 'viewer');
    });

    it('answers 401 LOGIN_FAILED alike for a wrong password and an unknown user, with no cookie', async () => {
      const wrong = await injectLogin('kim', 'not-the-password', '10.2.0.1');
      const unknown = await injectLogin('nobody-here', 'not-the-password', '10.2.0.2');
      for (const res of [wrong, unknown]) {
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'LOGIN_FAILED');
        assert.equal(res.headers['set-cookie'], undefined);
      }
      assert.equal(wrong.json().message, unknown.json().message, 'the answer does not tell which was wrong');
    });

    it("refuses a disabled user's correct password with LOGIN_FAILED", async () => {
      const user = await apiUser(fleet, 'gone', 'viewer');
      await apiAs(fleet, hq.token).patch(`/api/users/${user.userId}`, { disabled: true });
      const res = await injectLogin('gone', user.password, '10.2.0.3');
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'LOGIN_FAILED');
    });

    it('throttles repeated failures with 429 LOGIN_THROTTLED and retry-after, even for the right password', async () => {
      const kim = await apiUser(fleet, 'kim-throttled', 'viewer');
      const ip = '10.3.0.1';
      for (let i = 0; i < 5; i++) assert.equal((await injectLogin(kim.username, `wrong-${i}`, ip)).statusCode, 401);
      const throttled = await injectLogin(kim.username, 'wrong-again', ip);
      assert.equal(throttled.statusCode, 429);
      assert.equal(throttled.json().code, 'LOGIN_THROTTLED');
      const retryAfterMs = throttled.json().details.retryAfterMs as number;
      assert.ok(retryAfterMs > 0 && retryAfterMs <= 1000, `retryAfterMs ${retryAfterMs}`);
      assert.equal(throttled.headers['retry-after'], String(Math.ceil(retryAfterMs / 1000)));
      const right = await injectLogin(kim.username, kim.password, ip);
      assert.equal(right.statusCode, 429, 'the right password waits too');
      const elsewhere = await injectLogin(kim.username, kim.password, '10.3.0.2');
      assert.equal(elsewhere.statusCode, 429, 'the username is throttled from every address');
      const otherUser = await injectLogin('hq', hq.password, '10.3.0.3');
      assert.equal(otherUser.statusCode, 200, 'other users are not');
    });

    it('throttles concurrent guesses too: a burst cannot all be checked before the first one fails', async () => {
      const lee = await apiUser(fleet, 'lee-burst', 'viewer');
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) => injectLogin(lee.username, `wrong-${i}`, '10.4.0.1')),
      );
      const codes = burst.map((r) => r.json().code as string);
      assert.equal(codes.filter((c) => c === 'LOGIN_FAILED').length, 5, 'only the free attempts are checked');
      assert.equal(codes.filter((c) => c === 'LOGIN_THROTTLED').length, 15);
    });
  });

  describe('login tickets', () => {
    it('signs in once with GET /login?ticket=… (303 and a session cookie)', async () => {
      const user = await apiUser(fleet, 'ticketed', 'viewer');
      const ticket = fleet.services.access.issueLoginTicket('ticketed');
      const res = await fetch(`${base}/login?ticket=${encodeURIComponent(ticket)}`, { redirect: 'manual' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/');
      const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('cf_session='));
      assert.ok(setCookie);
      assert.match(setCookie.toLowerCase(), /httponly/);
      const me = await fetch(`${base}/api/auth/me`, { headers: { cookie: setCookie.split(';')[0] ?? '' } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { user: { id: string } }).user.id, user.userId);

      const again = await fetch(`${base}/login?ticket=${encodeURIComponent(ticket)}`, { redirect: 'manual' });
      assert.equal(again.status, 303);
      assert.equal(again.headers.get('location'), '/login?error=ticket');
      assert.equal(
        again.headers.getSetCookie().find((c) => c.startsWith('cf_session=')),
        undefined,
        'a used ticket signs nobody in',
      );
      const made = await fetch(`${base}/login?ticket=made-up`, { redirect: 'manual' });
      assert.equal(made.headers.get('location'), '/login?error=ticket');
    });
  });

  describe('API tokens', () => {
    let sam: ApiUser;
    let session: Browser;
    before(async () => {
      sam = await apiUser(fleet, 'sam', 'store-manager', { storeIds: ['hf-shanghai-xuhui'] });
      session = await browserLogin('sam', sam.password);
    });

    it('are created from a session, listed without their secret, used, and deleted', async () => {
      const call = browser(session);
      const created = await call('POST', '/api/auth/tokens', { name: 'nightly export', expiresInDays: 30 });
      assert.equal(created.status, 201);
      const token = (await created.json()) as { id: string; name: string; token: string; expiresAt: number };
      assert.match(token.token, /^cft_[A-Za-z0-9_-]{40,}$/);
      assert.equal(token.name, 'nightly export');
      assert.ok(Math.abs(token.expiresAt - (Date.now() + 30 * 86_400_000)) < 60_000);

      const list = (await (await call('GET', '/api/auth/tokens')).json()) as Record<string, unknown>[];
      const listed = list.find((t) => t.id === token.id);
      assert.ok(listed);
      assert.equal(listed.token, undefined, 'the secret is shown once');
      assert.ok(!JSON.stringify(list).includes(token.token));

      const script = apiAs(fleet, token.token);
      const devices = await script.get('/api/devices');
      assert.equal(devices.statusCode, 200);
      const me = (await script.get('/api/auth/me')).json();
      assert.deepEqual(me.storeIds, ['hf-shanghai-xuhui'], "the token carries its user's scope");
      assert.equal(me.csrf, null);
      assert.equal(
        (await script.patch('/api/devices/none/shadow', { desired: { brightness: 1 } })).json().code,
        'THING_NOT_FOUND',
        'no CSRF header needed with a token',
      );

      const deleted = await call('DELETE', `/api/auth/tokens/${token.id}`);
      assert.equal(deleted.status, 204);
      const after = await script.get('/api/devices');
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().code, 'NOT_AUTHENTICATED');
      const twice = await call('DELETE', `/api/auth/tokens/${token.id}`);
      assert.equal(twice.status, 404);
      assert.equal(((await twice.json()) as { code: string }).code, 'TOKEN_NOT_FOUND');
    });

    it('cannot be created with a token, nor deleted by someone else', async () => {
      const byToken = await apiAs(fleet, sam.token).post('/api/auth/tokens', { name: 'from a script' });
      assert.equal(byToken.statusCode, 403);
      assert.equal(byToken.json().code, 'NOT_AUTHORIZED');
      const samTokenId = fleet.services.access.listTokens(sam.userId)[0]!.id;
      const foreign = await apiAs(fleet, hq.token).delete(`/api/auth/tokens/${samTokenId}`);
      assert.equal(foreign.statusCode, 404);
      assert.equal(foreign.json().code, 'TOKEN_NOT_FOUND');
      assert.equal((await apiAs(fleet, sam.token).get('/api/devices')).statusCode, 200, 'still works');
    });

    it('stop working once expired', async () => {
      const { token, record } = fleet.services.access.createToken(sam.userId, 'short-lived', 1);
      assert.equal((await apiAs(fleet, token).get('/api/devices')).statusCode, 200);
      fleet.services.db.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, record.id);
      const res = await apiAs(fleet, token).get('/api/devices');
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'NOT_AUTHENTICATED');
    });
  });

  describe('a disabled user', () => {
    it('loses their token and their session at once, and gets them back when re-enabled (token only)', async () => {
      const lee = await apiUser(fleet, 'lee', 'technician', { regions: ['east'] });
      const session = await browserLogin('lee', lee.password);
      assert.equal((await browser(session)('GET', '/api/devices')).status, 200);
      assert.equal((await apiAs(fleet, lee.token).get('/api/devices')).statusCode, 200);

      const disabled = await apiAs(fleet, hq.token).patch(`/api/users/${lee.userId}`, { disabled: true });
      assert.equal(disabled.statusCode, 200);
      assert.equal(disabled.json().disabled, true);
      for (const res of [
        (await browser(session)('GET', '/api/devices')).status,
        (await apiAs(fleet, lee.token).get('/api/devices')).statusCode,
      ]) {
        assert.equal(res, 401);
      }

      await apiAs(fleet, hq.token).patch(`/api/users/${lee.userId}`, { disabled: false });
      assert.equal((await apiAs(fleet, lee.token).get('/api/devices')).statusCode, 200);
      assert.equal((await browser(session)('GET', '/api/devices')).status, 401, 'the session stays ended');
    });
  });
});
