import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readCredentials } from '../../devices/core/device-config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { CONNACK_NOT_AUTHORIZED, connackCode, mqttJsClient, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fleetctl.js');

describe('fleetctl local: the data-dir commands against a running fleet (separate process, shared data dir)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const env = () => ({ ...process.env, FLEET_DATA_DIR: join(dir.path, 'fleet'), LOG_LEVEL: 'silent' });

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'));
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('registers a device whose bundle connects, and a revocation drops it live', async () => {
    const out = join(dir.path, 'bundle');
    const added = await run(
      'node',
      [CLI, 'local', 'devices', 'add', '--thing', 'cart-cli-1', '--kind', 'cart', '--out', out, '--json'],
      { env: env() },
    );
    const { certificateId } = JSON.parse(added.stdout) as { certificateId: string };
    assert.match(certificateId, /^[0-9a-f]{64}$/);

    const credentials = readCredentials(out);
    const client = await mqttJsClient(fleet.services.broker.tlsPort, credentials, 'cart-cli-1');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));

    const listed = await run('node', [CLI, 'local', 'devices', 'list'], { env: env() });
    assert.match(listed.stdout, /^THING\s+KIND/m);
    assert.match(listed.stdout, /cart-cli-1\s+cart\s+SC-200/);

    await run('node', [CLI, 'certificates', 'revoke', certificateId, '--reason', 'lost'], { env: env() });
    await closed;
    assert.equal(await connackCode(fleet.services.broker.tlsPort, credentials, 'cart-cli-1'), CONNACK_NOT_AUTHORIZED);
  });

  it('a policy detached by fleetctl ends the live connections that relied on it', async () => {
    const out = join(dir.path, 'bundle-2');
    const added = await run(
      'node',
      [CLI, 'local', 'devices', 'add', '--thing', 'cart-cli-2', '--kind', 'cart', '--out', out, '--json'],
      {
        env: env(),
      },
    );
    const { certificateId } = JSON.parse(added.stdout) as { certificateId: string };
    const client = await mqttJsClient(fleet.services.broker.tlsPort, readCredentials(out), 'cart-cli-2');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await run('node', [CLI, 'policies', 'detach', 'DeviceDefault', '--certificate', certificateId], { env: env() });
    await closed;
  });

  it('answers bad input with a coded error and a non-zero exit, changing nothing', async () => {
    const before = fleet.services.registry.listThings().length;
    await assert.rejects(
      run('node', [CLI, 'local', 'devices', 'add', '--thing', 'bad name!', '--kind', 'cart'], { env: env() }),
      (err: { code: number; stderr: string }) => err.code === 1 && /error BAD_REQUEST/.test(err.stderr),
    );
    await assert.rejects(
      run('node', [CLI, 'local', 'devices', 'add', '--thing', 'cart-x', '--kind', 'toaster'], { env: env() }),
      (err: { code: number; stderr: string }) =>
        err.code === 1 && /error BAD_REQUEST: --kind must be one of cart, speaker/.test(err.stderr),
    );
    await assert.rejects(
      run('node', [CLI, 'policies', 'put', 'Broken', '--file', CLI], { env: env() }),
      (err: { code: number; stderr: string }) => err.code === 1 && /error POLICY_INVALID/.test(err.stderr),
    );
    assert.equal(fleet.services.registry.listThings().length, before);
  });
});
