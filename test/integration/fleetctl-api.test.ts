import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readCredentials } from '../../devices/core/device-config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { Command } from '../../protocol/api/commands.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  registerDevice,
  startFleet,
  tempDir,
} from '../helpers/fleet-harness.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fleetctl.js');
const STORE = 'hf-shanghai-xuhui';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in its own process, as a person or a script runs it: no terminal, so no colour and no prompts. */
function fleetctl(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function ok(run: Run): Run {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}

describe('fleetctl over the operations API (real fleet, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let server: string;
  let admin: ApiUser;
  let viewer: ApiUser;
  let configHome: string;
  let configCount = 0;

  /** A fresh, empty XDG_CONFIG_HOME for each call site that wants one: no test sees another's login. */
  const freshConfigHome = () => join(dir.path, `xdg-${++configCount}`);
  /** The environment of a script: FLEETCTL_SERVER/FLEETCTL_TOKEN, nothing inherited that could point elsewhere. */
  const envFor = (token: string | undefined, xdg = configHome): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: xdg, LOG_LEVEL: 'silent' };
    for (const key of ['FLEETCTL_SERVER', 'FLEETCTL_TOKEN', 'FLEET_DATA_DIR', 'FLEET_CONFIG', 'NO_COLOR']) {
      delete env[key];
    }
    if (token) Object.assign(env, { FLEETCTL_SERVER: server, FLEETCTL_TOKEN: token });
    return env;
  };

  before(async () => {
    dir = tempDir();
    // A short command timeout: a locate sent before the cart has subscribed fails fast and is retried.
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true, commands: { timeoutMs: 4000 } });
    server = `http://127.0.0.1:${fleet.services.http.port}`;
    admin = await apiUser(fleet, 'ada', 'hq-admin');
    viewer = await apiUser(fleet, 'vic', 'viewer');
    configHome = freshConfigHome();
    for (const [thingName, kind] of [
      ['cart-cli-a', 'cart'],
      ['cart-cli-b', 'cart'],
      ['spk-cli-a', 'speaker'],
    ] as const) {
      await fleet.services.registry.registerDevice({
        thingName,
        kind,
        hardwareModel: kind === 'cart' ? 'SC-200' : 'BX-100',
        storeId: STORE,
      });
    }
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('not signed in: exit 3 with a hint, whatever the command', async () => {
    for (const args of [
      ['devices', 'list'],
      ['alerts', 'list'],
      ['users', 'list'],
    ]) {
      const run = await fleetctl(args, envFor(undefined, freshConfigHome()));
      assert.equal(run.code, 3, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /error NOT_SIGNED_IN/);
      assert.match(run.stderr, /fleetctl login/);
    }
    const refused = await fleetctl(['devices', 'list'], envFor('cft_not-a-real-token'));
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /error NOT_AUTHENTICATED/);
  });

  it('login --password-stdin stores a working token in a 0600 file; logout deletes it on the server and here', async () => {
    const xdg = freshConfigHome();
    const env = envFor(undefined, xdg);
    const wrong = await fleetctl(
      ['login', '--server', server, '--username', admin.username, '--password-stdin'],
      env,
      'not-the-password\n',
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /error LOGIN_FAILED/);
    const file = join(xdg, 'cartfleet', 'credentials.json');
    assert.equal(existsSync(file), false, 'a failed login writes nothing');

    const login = ok(
      await fleetctl(
        ['login', '--server', server, '--username', admin.username, '--password-stdin'],
        env,
        `${admin.password}\n`,
      ),
    );
    assert.match(login.stdout, /Signed in to .* as ada \(hq-admin\)/);
    assert.ok(!login.stdout.includes(admin.password) && !login.stderr.includes(admin.password));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { server: string; token: string; username: string };
    assert.equal(stored.server, server);
    assert.equal(stored.username, 'ada');
    assert.ok(!readFileSync(file, 'utf8').includes(admin.password), 'the password is never stored');
    const me = await apiAs(fleet, stored.token).get('/api/auth/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.username, 'ada');
    const tokens = fleet.services.access.listTokens(admin.userId).map((t) => t.name);
    assert.ok(tokens.includes(`fleetctl@${hostname()}`), tokens.join(', '));

    // The next commands use the file (no FLEETCTL_* in env).
    const whoami = ok(await fleetctl(['whoami'], env));
    assert.match(whoami.stdout, /ada \(hq-admin\)/);

    ok(await fleetctl(['logout'], env));
    assert.equal(existsSync(file), false);
    assert.equal((await apiAs(fleet, stored.token).get('/api/auth/me')).statusCode, 401, 'the token is deleted');
    assert.equal((await fleetctl(['devices', 'list'], env)).code, 3);
  });

  it('login with a one-time password says so; `fleetctl password --password-stdin` changes it', async () => {
    const { user, oneTimePassword } = await fleet.services.access.createUser({
      username: 'newbie',
      displayName: 'New Bie',
      role: 'viewer',
    });
    const env = envFor(undefined, freshConfigHome());
    const login = ok(
      await fleetctl(
        ['login', '--server', server, '--username', 'newbie', '--password-stdin'],
        env,
        `${oneTimePassword}\n`,
      ),
    );
    assert.match(login.stderr, /must change its one-time password.*fleetctl password/);
    const blocked = await fleetctl(['devices', 'list'], env);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /error PASSWORD_CHANGE_REQUIRED/);
    ok(await fleetctl(['password', '--password-stdin'], env, `${oneTimePassword}\nA-much-longer-secret-42\n`));
    assert.equal(fleet.services.access.users.get(user.id)?.mustChangePassword, false);
    ok(await fleetctl(['devices', 'list'], env));
  });

  it('devices list: an aligned table by default, the API JSON with --json, every page with --all', async () => {
    const env = envFor(admin.token);
    const table = ok(await fleetctl(['devices', 'list', '--store', STORE], env));
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^THING\s+KIND\s+STORE\s+ZONE\s+PRESENCE\s+BATTERY\s+VERSION\s+ALERTS\s+LAST SEEN$/);
    assert.match(table.stdout, /^cart-cli-a\s+cart\s+hf-shanghai-xuhui\s+-\s+never\s/m);
    assert.match(table.stdout, /^spk-cli-a\s+speaker\s+/m);
    const kindColumn = lines[0]?.indexOf('KIND') ?? -1;
    for (const line of lines.slice(1)) assert.match(line.slice(kindColumn), /^(cart|speaker) /, `aligned: ${line}`);
    assert.ok(!table.stdout.includes('\u001b['), 'no colour when stdout is not a terminal');

    const json = JSON.parse(ok(await fleetctl(['devices', 'list', '--kind', 'cart', '--json'], env)).stdout) as {
      items: { thingName: string; kind: string }[];
      total: number;
    };
    const viaApi = (await apiAs(fleet, admin.token).get('/api/devices?kind=cart')).json() as { total: number };
    assert.equal(json.total, viaApi.total);
    assert.ok(json.items.every((d) => d.kind === 'cart'));
    assert.ok(json.items.some((d) => d.thingName === 'cart-cli-b'));

    const all = await fleetctl(['devices', 'list', '--all', '--limit', '2', '--json'], env);
    ok(all);
    const everything = JSON.parse(all.stdout) as { items: { thingName: string }[]; total: number };
    assert.equal(everything.total, fleet.services.registry.listThings().length, 'an hq-admin lists every device');
    assert.equal(everything.items.length, everything.total);
    assert.equal(new Set(everything.items.map((d) => d.thingName)).size, everything.total, 'no page twice');
    assert.match(all.stderr, /fetching devices: 2\/\d+/, 'progress on stderr');

    const bad = await fleetctl(['devices', 'list', '--presence', 'sleeping'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error BAD_REQUEST/);
    assert.equal((await fleetctl(['devices', 'list', '--colour'], env)).code, 2, 'unknown option: usage');
  });

  it('devices add writes a bundle that connects, and prints no private key', async () => {
    const env = envFor(admin.token);
    const out = join(dir.path, 'bundle-api');
    const run = ok(
      await fleetctl(['devices', 'add', 'cart-cli-new', '--kind', 'cart', '--store', STORE, '--out', out], env),
    );
    assert.ok(!run.stdout.includes('PRIVATE KEY') && !run.stderr.includes('PRIVATE KEY'));
    assert.match(run.stdout, /^THING\s+CERTIFICATE\s+BUNDLE/m);
    assert.equal(statSync(join(out, 'key.pem')).mode & 0o777, 0o600);
    const thing = fleet.services.registry.getThing('cart-cli-new');
    assert.equal(thing?.storeId, STORE);
    assert.equal(thing?.hardwareModel, 'SC-200');
    const identity = JSON.parse(readFileSync(join(out, 'thing.json'), 'utf8')) as { certificateId: string };
    assert.deepEqual(
      fleet.services.registry.certificatesOf('cart-cli-new').map((c) => c.certificateId),
      [identity.certificateId],
    );
    const client = await mqttJsClient(fleet.services.broker.tlsPort, readCredentials(out), 'cart-cli-new');
    await client.endAsync();

    const again = await fleetctl(
      ['devices', 'add', 'cart-cli-other', '--kind', 'cart', '--store', STORE, '--out', out],
      env,
    );
    assert.equal(again.code, 2, 'an existing key.pem is never overwritten');
    assert.equal(fleet.services.registry.getThing('cart-cli-other'), undefined, 'and nothing is registered');

    const json = ok(
      await fleetctl(
        [
          'devices',
          'add',
          'spk-cli-new',
          '--kind',
          'speaker',
          '--store',
          STORE,
          '--out',
          join(dir.path, 'b2'),
          '--json',
        ],
        env,
      ),
    );
    assert.ok(!json.stdout.includes('PRIVATE KEY'));
    assert.equal((JSON.parse(json.stdout) as { device: { thingName: string } }).device.thingName, 'spk-cli-new');
  });

  it('devices set changes desired state (numbers parsed, null deletes); bad values change nothing', async () => {
    const env = envFor(admin.token);
    ok(await fleetctl(['devices', 'set', 'spk-cli-a', 'volume=40'], env));
    const shadow = async () =>
      (await apiAs(fleet, admin.token).get('/api/devices/spk-cli-a/shadow')).json() as {
        desired: Record<string, unknown> | null;
        version: number;
      };
    assert.deepEqual((await shadow()).desired, { volume: 40 });
    const version = (await shadow()).version;
    const refused = await fleetctl(['devices', 'set', 'spk-cli-a', 'volume=400'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error DESIRED_STATE_INVALID/);
    assert.equal((await shadow()).version, version);
    ok(await fleetctl(['devices', 'set', 'spk-cli-a', 'volume=null'], env));
    assert.equal((await shadow()).desired?.volume, undefined);
    const viewerSet = await fleetctl(['devices', 'set', 'spk-cli-a', 'volume=10'], envFor(viewer.token));
    assert.equal(viewerSet.code, 1);
    assert.match(viewerSet.stderr, /error NOT_AUTHORIZED/);
  });

  it('devices revoke needs a reason and revokes every certificate', async () => {
    const env = envFor(admin.token);
    assert.equal((await fleetctl(['devices', 'revoke', 'cart-cli-b'], env)).code, 2);
    assert.ok(fleet.services.registry.certificatesOf('cart-cli-b').every((c) => c.status === 'ACTIVE'));
    ok(await fleetctl(['devices', 'revoke', 'cart-cli-b', '--reason', 'stolen'], env));
    const statuses = fleet.services.registry.certificatesOf('cart-cli-b').map((c) => c.status);
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'REVOKED'), statuses.join(','));
    const shown = ok(await fleetctl(['devices', 'show', 'cart-cli-b'], env));
    assert.match(shown.stdout, /^Certificates/m);
    assert.match(shown.stdout, /REVOKED/);
    const missing = await fleetctl(['devices', 'show', 'cart-nope'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /error THING_NOT_FOUND/);
  });

  it('users add: an hq-admin gets a one-time password; a viewer is refused with NOT_AUTHORIZED', async () => {
    const refused = await fleetctl(
      ['users', 'add', 'mallory', '--role', 'hq-admin', '--name', 'Mallory'],
      envFor(viewer.token),
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error NOT_AUTHORIZED/);
    assert.equal(
      fleet.services.access.users.list().some((u) => u.username === 'mallory'),
      false,
    );

    const env = envFor(admin.token);
    const added = ok(
      await fleetctl(['users', 'add', 'li.wei', '--role', 'store-manager', '--name', 'Li Wei', '--store', STORE], env),
    );
    const otp = /One-time password: (\S+)/.exec(added.stdout)?.[1];
    assert.ok(otp, added.stdout);
    const user = fleet.services.access.users.list().find((u) => u.username === 'li.wei');
    assert.equal(user?.role, 'store-manager');
    assert.deepEqual(user?.storeIds, [STORE]);
    assert.equal(user?.mustChangePassword, true);
    await fleet.services.access.login('li.wei', otp, '127.0.0.1', null);

    ok(await fleetctl(['users', 'set', 'li.wei', '--role', 'technician'], env));
    assert.equal(fleet.services.access.users.get(user.id)?.role, 'technician');
    const listed = ok(await fleetctl(['users', 'list'], env));
    assert.match(listed.stdout, /^li\.wei\s+Li Wei\s+technician\s+hf-shanghai-xuhui/m);
  });

  describe('with a real cart runtime', () => {
    let cart: SimulatedCart;

    before(async () => {
      const zones = fleet.services.stores.listZones(STORE);
      cart = new SimulatedCart(
        {
          thingName: 'cart-cli-live',
          endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
          certDir: join(dir.path, 'cart-cli-live'),
          dataDir: join(dir.path, 'cart-cli-live', 'data'),
          telemetryIntervalMs: 200,
          healthIntervalMs: 300,
        },
        await registerDevice(fleet, 'cart-cli-live', 'cart'),
        zones,
        { drainPerMinute: 0.2, chargePerMinute: 0.5, timeScale: 1 },
        mulberry32(7),
        silentLogger(),
      );
      // Any temperature above 0 °C opens an alert at once, so the cart's first health report raises one.
      fleet.services.alerts.replaceRules([
        { id: 'hot', cause: 'temperature-high', threshold: 0, clearThreshold: -10, forSeconds: 0 },
      ]);
      await cart.start();
    });

    after(async () => {
      await cart?.stop();
    });

    it('alerts list shows the open alert; ack and resolve change it', async () => {
      const env = envFor(admin.token);
      const alert = await eventually(
        () =>
          fleet.services.alerts
            .list({ state: 'active', storeIds: null, thingName: 'cart-cli-live', limit: 5, offset: 0 })
            .items.find((a) => a.cause === 'temperature-high'),
        10_000,
        'a temperature alert',
      );
      const table = ok(await fleetctl(['alerts', 'list'], env));
      assert.match(table.stdout, /^ID\s+SEVERITY\s+STATE\s+CAUSE\s+DEVICE/);
      assert.match(
        table.stdout,
        new RegExp(`^\\s*${alert.id}\\s+warning\\s+open\\s+temperature-high\\s+cart-cli-live`, 'm'),
      );
      const json = JSON.parse(
        ok(await fleetctl(['alerts', 'list', '--device', 'cart-cli-live', '--json'], env)).stdout,
      );
      assert.ok((json.items as { id: number }[]).some((a) => a.id === alert.id));

      ok(await fleetctl(['alerts', 'ack', String(alert.id), '--note', 'looking'], env));
      assert.equal(fleet.services.alerts.get(alert.id).state, 'acknowledged');
      assert.equal(fleet.services.alerts.get(alert.id).note, 'looking');
      const viewerResolve = await fleetctl(['alerts', 'resolve', String(alert.id)], envFor(viewer.token));
      assert.equal(viewerResolve.code, 1);
      assert.match(viewerResolve.stderr, /error NOT_AUTHORIZED/);
      ok(await fleetctl(['alerts', 'resolve', String(alert.id)], env));
      assert.equal(fleet.services.alerts.get(alert.id).state, 'resolved');
    });

    it('commands send locate --wait follows the command to the cart and prints its result', async () => {
      const env = envFor(admin.token);
      // The cart answers commands once it has subscribed to its command topic.
      const run = await eventually(
        async () => {
          const attempt = await fleetctl(
            ['commands', 'send', 'cart-cli-live', 'locate', '--param', 'seconds=1', '--wait', '--json'],
            env,
          );
          return attempt.code === 0 ? attempt : undefined;
        },
        20_000,
        'a locate that succeeds',
      );
      const command = JSON.parse(run.stdout) as Command;
      assert.equal(command.status, 'succeeded');
      assert.deepEqual(command.result, { seconds: 1 });
      assert.equal(fleet.services.commands.get(command.id)?.status, 'succeeded');
      assert.equal(command.requestedBy, 'ada');

      const listed = ok(await fleetctl(['commands', 'list', 'cart-cli-live'], env));
      assert.match(listed.stdout, new RegExp(`^${command.id.slice(0, 8)}\\s+locate\\s+succeeded\\s+ada`, 'm'));

      // A parameter without --param is refused, not dropped: nothing is sent.
      const before = fleet.services.commands.list('cart-cli-live', 50).length;
      const stray = await fleetctl(['commands', 'send', 'cart-cli-live', 'locate', 'seconds=30'], env);
      assert.equal(stray.code, 2, stray.stderr);
      assert.match(stray.stderr, /error USAGE: unexpected argument 'seconds=30'/);
      assert.match(stray.stderr, /--param seconds=30/);
      assert.equal(fleet.services.commands.list('cart-cli-live', 50).length, before);

      const offline = await fleetctl(['commands', 'send', 'cart-cli-a', 'locate'], env);
      assert.equal(offline.code, 1);
      assert.match(offline.stderr, /error DEVICE_OFFLINE/);
      const queued = ok(
        await fleetctl(['commands', 'send', 'cart-cli-a', 'reboot', '--queue-for', '10m', '--json'], env),
      );
      const q = JSON.parse(queued.stdout) as Command;
      assert.equal(q.status, 'queued');
      assert.equal(q.expiresAt - q.requestedAt, 600_000, 'queued for exactly 10 minutes');
    });
  });
});
