import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { type ApiUser, apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
/** Far below the gateway's once-a-minute revalidation: an end this quick was not the timer's. */
const PROMPTLY_MS = 3000;

interface Browser {
  cookie: string;
  csrf: string;
}

/** What a socket saw, in order: its events by name, and `disconnect:<reason>`. */
interface Watched {
  socket: Socket;
  log: string[];
  devices: string[];
}

/**
 * A browser session ended on purpose closes the live sockets opened with it at once (the `session.ended` event),
 * not at the next once-a-minute revalidation; the same user's other sessions keep theirs.
 */
describe('live sockets end with their session (socket.io)', () => {
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let url: string;
  let devices = 0;
  const sockets: Socket[] = [];

  async function login(user: ApiUser): Promise<Browser> {
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    assert.equal(res.status, 200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cf_session='))!;
    return { cookie: cookie.split(';')[0]!, csrf: ((await res.json()) as { csrf: string }).csrf };
  }

  function call(b: Browser, method: string, path: string, body?: unknown) {
    return fetch(`${url}${path}`, {
      method,
      headers: {
        cookie: b.cookie,
        'x-cf-csrf': b.csrf,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  /** Opens a socket as the console does (session cookie, own origin), or as a script (`auth.token`). */
  async function open(credential: { cookie: string } | { token: string }): Promise<Watched> {
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...('token' in credential
        ? { auth: { token: credential.token } }
        : { extraHeaders: { cookie: credential.cookie, origin: url } }),
    });
    sockets.push(socket);
    const watched: Watched = { socket, log: [], devices: [] };
    socket.onAny((event: string, payload: { thingName?: string }) => {
      if (event === 'device' && payload?.thingName) watched.devices.push(payload.thingName);
      // A cart registered in a store is announced its pricing snapshot (named shadow commerce): device news, too.
      else if (event !== 'shadow') watched.log.push(event);
    });
    socket.on('disconnect', (reason) => watched.log.push(`disconnect:${reason}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });
    return watched;
  }

  const ENDED = ['session-ended', 'disconnect:io server disconnect'];

  async function endedPromptly(watched: Watched[], what: string): Promise<void> {
    await eventually(() => watched.every((w) => w.log.length >= 2), PROMPTLY_MS, what);
    for (const w of watched) {
      assert.deepEqual(w.log, ENDED, `${what}: told why, then disconnected by the server`);
      assert.equal(w.socket.connected, false);
    }
  }

  /** Still connected and still receiving: a device registered now reaches every one of them. */
  async function stillLive(watched: Watched[], what: string): Promise<void> {
    const thingName = `live-session-${++devices}`;
    const res = await apiAs(fleet, hq.token).post('/api/devices', {
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: A,
    });
    assert.equal(res.statusCode, 201, res.body);
    await eventually(() => watched.every((w) => w.devices.includes(thingName)), 5000, `${what} hears of ${thingName}`);
    for (const w of watched) {
      assert.equal(w.socket.connected, true, what);
      assert.deepEqual(w.log, [], `${what}: no session-ended, no disconnect`);
    }
  }

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    url = `http://127.0.0.1:${fleet.services.http.port}`;
    hq = await apiUser(fleet, 'hq', 'hq-admin');
  });

  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it("logout closes that session's sockets at once, and not the same user's other session's", async () => {
    const duo = await apiUser(fleet, 'duo', 'viewer');
    const laptop = await login(duo);
    const phone = await login(duo);
    const laptopTabs = [await open(laptop), await open(laptop)];
    const phoneTab = await open(phone);
    const someoneElse = await open(await login(await apiUser(fleet, 'bystander', 'viewer')));

    const res = await call(laptop, 'POST', '/api/auth/logout');
    assert.equal(res.status, 204);
    await endedPromptly(laptopTabs, 'both tabs of the signed-out session');
    await stillLive([phoneTab, someoneElse], "the user's other session and another user");
    assert.equal((await call(phone, 'GET', '/api/auth/me')).status, 200);
  });

  it("a password change closes the sockets of the user's other sessions, not the one it was made from", async () => {
    const mover = await apiUser(fleet, 'mover', 'viewer');
    const here = await login(mover);
    const elsewhere = await login(mover);
    const hereTab = await open(here);
    const elsewhereTabs = [await open(elsewhere), await open(elsewhere)];
    const script = await open({ token: mover.token });

    const res = await call(here, 'POST', '/api/auth/password', {
      currentPassword: mover.password,
      newPassword: 'Brand-New-Secret-2031',
    });
    assert.equal(res.status, 204, await res.text());
    await endedPromptly(elsewhereTabs, 'the sockets of the other session');
    await stillLive([hereTab, script], 'the session the change came from and the API token');
    assert.equal((await call(here, 'GET', '/api/auth/me')).status, 200, 'this session goes on');
    assert.equal((await call(elsewhere, 'GET', '/api/auth/me')).status, 401, 'the other one has ended');
  });

  it("a password reset by an admin closes all the user's live sockets", async () => {
    const forgetful = await apiUser(fleet, 'forgetful', 'viewer');
    const tabs = [await open(await login(forgetful)), await open(await login(forgetful))];
    const script = await open({ token: forgetful.token });
    const bystander = await open({ token: hq.token });
    const res = await apiAs(fleet, hq.token).post(`/api/users/${forgetful.userId}/reset-password`, {});
    assert.equal(res.statusCode, 200, res.body);
    await endedPromptly([...tabs, script], 'every session socket, and the token socket (password change required)');
    await stillLive([bystander], 'the admin');
  });
});
