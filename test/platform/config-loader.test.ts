import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadCartConfig } from '../../devices/cart/cart-config.ts';
import { loadFleetConfig } from '../../fleet/config.ts';
import { loadConfig } from '../../platform/config-loader.ts';
import { FleetError } from '../../protocol/errors.ts';

/** Runs `load`, expecting one CONFIG_INVALID error, and returns its list of problems. */
function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    assert.ok(err instanceof FleetError, `expected a FleetError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(Array.isArray(err.details), 'details lists the problems');
    const details = err.details as string[];
    for (const problem of details) assert.ok(err.message.includes(problem), `message mentions "${problem}"`);
    return details;
  }
  assert.fail('expected the configuration to be rejected');
}

function hasProblem(problems: string[], prefix: string): boolean {
  return problems.some((p) => p.startsWith(prefix));
}

describe('configuration loading', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cartfleet-config-test-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function writeJson(name: string, value: unknown): string {
    const file = join(dir, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  describe('loadFleetConfig', () => {
    it('runs on defaults with nothing configured', () => {
      const config = loadFleetConfig({ env: {} });
      assert.equal(config.dataDir, './data');
      assert.equal(config.logLevel, 'info');
      assert.deepEqual(config.aws, { region: 'local-1', accountId: '000000000000' });
      assert.equal(config.mqtt.host, '0.0.0.0');
      assert.equal(config.mqtt.tlsPort, 8883);
      assert.equal(config.mqtt.plainPort, null);
      assert.equal(config.mqtt.plainHost, '127.0.0.1');
      assert.equal(config.mqtt.maxPayloadBytes, 128 * 1024);
      assert.deepEqual(config.http, {
        host: '127.0.0.1',
        port: 8080,
        sessionIdleMinutes: 720,
        sessionMaxHours: 168,
        loginTicketMinutes: 10,
        secureCookies: false,
      });
      assert.deepEqual(config.pki.hostNames, ['localhost', '127.0.0.1', '::1']);
      assert.equal(config.presence.offlineGraceMs, 5000);
      assert.equal(config.shadow.maxStateBytes, 8 * 1024);
      assert.equal(config.seedDemoData, false);
    });

    it('reads the file and keeps the defaults of what it leaves out', () => {
      const file = writeJson('fleet.json', { logLevel: 'debug', mqtt: { tlsPort: 1883 }, http: { port: 0 } });
      const config = loadFleetConfig({ file, env: {} });
      assert.equal(config.logLevel, 'debug');
      assert.equal(config.mqtt.tlsPort, 1883);
      assert.equal(config.mqtt.host, '0.0.0.0');
      assert.equal(config.http.port, 0);
      assert.equal(config.http.host, '127.0.0.1');
    });

    it('lets environment variables override the file, per nested field', () => {
      const file = writeJson('fleet.json', {
        logLevel: 'debug',
        mqtt: { tlsPort: 1883, host: '10.1.2.3' },
      });
      const config = loadFleetConfig({
        file,
        env: {
          FLEET_MQTT__TLS_PORT: '9999',
          FLEET_LOG_LEVEL: 'warn',
          FLEET_MQTT__PLAIN_PORT: '1884',
          FLEET_PKI__HOST_NAMES: '["cart.example","10.0.0.1"]',
          FLEET_SEED_DEMO_DATA: 'true',
          FLEET_TELEMETRY__FLUSH_INTERVAL_MS: '50',
        },
      });
      assert.equal(config.mqtt.tlsPort, 9999);
      assert.equal(config.mqtt.host, '10.1.2.3', 'the rest of the file section stays');
      assert.equal(config.mqtt.plainPort, 1884);
      assert.equal(config.logLevel, 'warn');
      assert.deepEqual(config.pki.hostNames, ['cart.example', '10.0.0.1']);
      assert.equal(config.seedDemoData, true);
      assert.equal(config.telemetry.flushIntervalMs, 50);
    });

    it('ignores environment variables of other prefixes', () => {
      const config = loadFleetConfig({
        env: { CART_MQTT__TLS_PORT: '1', FLEETX_LOG_LEVEL: 'debug', fleet_log_level: 'debug', HTTP__PORT: '1' },
      });
      assert.equal(config.mqtt.tlsPort, 8883);
      assert.equal(config.logLevel, 'info');
      assert.equal(config.http.port, 8080);
    });

    it('reads the file named by FLEET_CONFIG, and an explicit file wins over it', () => {
      const fromEnv = writeJson('env.json', { logLevel: 'debug' });
      const explicit = writeJson('explicit.json', { logLevel: 'error' });
      assert.equal(loadFleetConfig({ env: { FLEET_CONFIG: fromEnv } }).logLevel, 'debug');
      assert.equal(loadFleetConfig({ file: explicit, env: { FLEET_CONFIG: fromEnv } }).logLevel, 'error');
    });

    it('reports every invalid value at once, from the file and the environment', () => {
      const file = writeJson('fleet.json', {
        logLevel: 'loud',
        mqtt: { tlsPort: 70000 },
        http: { port: 'eighty' },
        aws: { accountId: '123' },
      });
      const problems = configProblems(() => loadFleetConfig({ file, env: { FLEET_PRESENCE__OFFLINE_GRACE_MS: '-1' } }));
      for (const path of ['logLevel', 'mqtt.tlsPort', 'http.port', 'aws.accountId', 'presence.offlineGraceMs']) {
        assert.ok(hasProblem(problems, `${path}:`), `${path} in ${problems.join(' | ')}`);
      }
      assert.equal(problems.length, 5, problems.join(' | '));
    });

    it('rejects unknown keys, in the file and in the environment', () => {
      const file = writeJson('fleet.json', { mqtt: { tlsport: 1 }, color: 'blue' });
      const problems = configProblems(() => loadFleetConfig({ file, env: { FLEET_HTTP__PROT: '1' } }));
      assert.ok(
        problems.some((p) => p.startsWith('mqtt:') && p.includes('tlsport')),
        problems.join(' | '),
      );
      assert.ok(
        problems.some((p) => p.startsWith('(root):') && p.includes('color')),
        problems.join(' | '),
      );
      assert.ok(
        problems.some((p) => p.startsWith('http:') && p.includes('prot')),
        problems.join(' | '),
      );
    });

    it('reports a missing file, together with the other problems', () => {
      const missing = join(dir, 'nope.json');
      const problems = configProblems(() => loadFleetConfig({ file: missing, env: { FLEET_HTTP__PORT: '-5' } }));
      assert.ok(
        problems.some((p) => p.includes('not found') && p.includes(missing)),
        problems.join(' | '),
      );
      assert.ok(hasProblem(problems, 'http.port:'), problems.join(' | '));
    });

    it('reports a file that is not JSON, or not a JSON object', () => {
      const broken = writeJson('broken.json', '{ "logLevel": ');
      const brokenProblems = configProblems(() => loadFleetConfig({ file: broken, env: {} }));
      assert.ok(
        brokenProblems.some((p) => p.includes('not valid JSON')),
        brokenProblems.join(' | '),
      );
      const list = writeJson('list.json', [1, 2]);
      const listProblems = configProblems(() => loadFleetConfig({ file: list, env: {} }));
      assert.ok(
        listProblems.some((p) => p.includes('must be a JSON object')),
        listProblems.join(' | '),
      );
    });
  });

  describe('loadConfig', () => {
    const schema = z.strictObject({ name: z.string(), limits: z.strictObject({ maxItems: z.number() }) });

    it('keeps an environment value as text when it is not JSON, and lets env beat overrides', () => {
      const config = loadConfig(schema, {
        envPrefix: 'APP',
        env: { APP_NAME: 'north store', APP_LIMITS__MAX_ITEMS: '12' },
        overrides: { name: 'ignored', limits: { maxItems: 1 } },
      });
      assert.deepEqual(config, { name: 'north store', limits: { maxItems: 12 } });
    });

    it('merges overrides over the file', () => {
      const file = writeJson('app.json', { name: 'from-file', limits: { maxItems: 3 } });
      const config = loadConfig(schema, { file, envPrefix: 'APP', env: {}, overrides: { limits: { maxItems: 4 } } });
      assert.deepEqual(config, { name: 'from-file', limits: { maxItems: 4 } });
    });
  });

  describe('loadCartConfig', () => {
    it('requires thingName, certDir and dataDir', () => {
      const problems = configProblems(() => loadCartConfig(undefined, {}));
      for (const key of ['thingName', 'certDir', 'dataDir']) {
        assert.ok(hasProblem(problems, `${key}:`), `${key} in ${problems.join(' | ')}`);
      }
    });

    it('fills the defaults once the required fields are given', () => {
      const file = writeJson('cart.json', { thingName: 'cart-1', certDir: '/certs/cart-1', dataDir: '/data/cart-1' });
      const config = loadCartConfig(file, {});
      assert.equal(config.thingName, 'cart-1');
      assert.equal(config.certDir, '/certs/cart-1');
      assert.equal(config.dataDir, '/data/cart-1');
      assert.equal(config.hardwareModel, 'SC-200');
      assert.equal(config.lowBatteryPercent, 20);
      assert.deepEqual(config.endpoint, { host: 'localhost', port: 8883, contentPort: 8443 });
      assert.deepEqual(config.outbox, { maxMessages: 100_000, batchSize: 50, ackTimeoutMs: 10_000, maxAttempts: 5 });
      assert.equal(config.board.io, 'virtual');
    });

    it('takes CART_* overrides and reads the file named by CART_CONFIG', () => {
      const file = writeJson('cart.json', { thingName: 'cart-1', certDir: '/certs', dataDir: '/data' });
      const config = loadCartConfig(undefined, {
        CART_CONFIG: file,
        CART_THING_NAME: 'cart-7',
        CART_ENDPOINT__PORT: '1883',
        CART_OUTBOX__ACK_TIMEOUT_MS: '250',
      });
      assert.equal(config.thingName, 'cart-7');
      assert.equal(config.endpoint.port, 1883);
      assert.equal(config.endpoint.host, 'localhost');
      assert.equal(config.outbox.ackTimeoutMs, 250);
      assert.equal(config.dataDir, '/data');
    });

    it('rejects an invalid thing name and out-of-range values', () => {
      const problems = configProblems(() =>
        loadCartConfig(undefined, {
          CART_THING_NAME: 'cart 1',
          CART_CERT_DIR: '/c',
          CART_DATA_DIR: '/d',
          CART_LOW_BATTERY_PERCENT: '120',
        }),
      );
      assert.ok(hasProblem(problems, 'thingName:'), problems.join(' | '));
      assert.ok(hasProblem(problems, 'lowBatteryPercent:'), problems.join(' | '));
      assert.equal(problems.length, 2, problems.join(' | '));
    });
  });
});

describe('environment values meant as text', () => {
  it('keeps a numeric-looking env value as text where the schema wants text', async () => {
    const { loadFleetConfig } = await import('../../fleet/config.ts');
    const config = loadFleetConfig({ env: { FLEET_AWS__ACCOUNT_ID: '123456789012', FLEET_MQTT__TLS_PORT: '9000' } });
    assert.equal(config.aws.accountId, '123456789012');
    assert.equal(config.mqtt.tlsPort, 9000);
  });
});

describe('plain listener safety', () => {
  it('refuses a plain listener beyond loopback unless asked for explicitly', async () => {
    const { loadFleetConfig } = await import('../../fleet/config.ts');
    assert.throws(
      () => loadFleetConfig({ env: { FLEET_MQTT__PLAIN_PORT: '1883', FLEET_MQTT__PLAIN_HOST: '0.0.0.0' } }),
      (err: { code?: string; message: string }) => err.code === 'CONFIG_INVALID' && /mqtt\.plainHost/.test(err.message),
    );
    const ok = loadFleetConfig({
      env: {
        FLEET_MQTT__PLAIN_PORT: '1883',
        FLEET_MQTT__PLAIN_HOST: '0.0.0.0',
        FLEET_MQTT__PLAIN_ALLOW_REMOTE: 'true',
      },
    });
    assert.equal(ok.mqtt.plainHost, '0.0.0.0');
    assert.equal(loadFleetConfig({ env: { FLEET_MQTT__PLAIN_PORT: '1883' } }).mqtt.plainHost, '127.0.0.1');
  });
});
