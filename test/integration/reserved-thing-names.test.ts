import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeviceConfigSchema } from '../../devices/core/device-config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { ThingSchema } from '../../fleet/registry/registry-types.ts';
import { isFleetError } from '../../protocol/errors.ts';
import { CLAIM_CLIENT_ID_PREFIX, THING_NAME_RULE } from '../../protocol/topics.ts';
import { apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fleetctl.js');
const STORE = 'hf-shanghai-xuhui';
const RESERVED = `${CLAIM_CLIENT_ID_PREFIX}cart-1`;

/**
 * Claim connections use client ids `provision-{serial}`: no thing may be named into that prefix, wherever things
 * are created. Each refusal comes with a positive control (a name just outside the prefix is accepted), so a test
 * that passed because every registration failed would show.
 */
describe('thing names in the claim client-id prefix are refused everywhere a thing is created', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('the registry refuses it with THING_NAME_RESERVED and registers nothing', async () => {
    const { registry } = fleet.services;
    await assert.rejects(
      registry.registerDevice({ thingName: RESERVED, kind: 'cart', hardwareModel: 'SC-200' }),
      (err) => isFleetError(err) && err.code === 'THING_NAME_RESERVED',
    );
    assert.equal(registry.getThing(RESERVED), undefined);
    assert.equal(registry.listCertificates().filter((c) => c.subjectCn === RESERVED).length, 0);
    // The prefix is exact: a name that only resembles it is a thing name like any other.
    await registry.registerDevice({ thingName: 'provision_cart-1', kind: 'cart', hardwareModel: 'SC-200' });
    await registry.registerDevice({ thingName: 'Provision-cart-1', kind: 'cart', hardwareModel: 'SC-200' });
  });

  it('the operations API answers 400 THING_NAME_RESERVED', async () => {
    const admin = await apiUser(fleet, 'names-admin', 'hq-admin');
    const api = apiAs(fleet, admin.token);
    const refused = await api.post('/api/devices', {
      thingName: RESERVED,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.json().code, 'THING_NAME_RESERVED');
    assert.equal(fleet.services.registry.getThing(RESERVED), undefined);
    const accepted = await api.post('/api/devices', {
      thingName: 'api-cart-1',
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: STORE,
    });
    assert.equal(accepted.statusCode, 201);
  });

  it('a hardware model, which policies can substitute into topics, holds no MQTT wildcard or level separator', async () => {
    const admin = await apiUser(fleet, 'models-admin', 'hq-admin');
    const api = apiAs(fleet, admin.token);
    for (const hardwareModel of ['#', 'SC+200', 'SC/200', '']) {
      const refused = await api.post('/api/devices', {
        thingName: 'model-cart-1',
        kind: 'cart',
        hardwareModel,
        storeId: STORE,
      });
      assert.equal(refused.statusCode, 400, hardwareModel);
      assert.equal(refused.json().code, 'BAD_REQUEST', hardwareModel);
      assert.equal(ThingSchema.shape.hardwareModel.safeParse(hardwareModel).success, false, hardwareModel);
    }
    assert.equal(fleet.services.registry.getThing('model-cart-1'), undefined);
    const accepted = await api.post('/api/devices', {
      thingName: 'model-cart-1',
      kind: 'cart',
      hardwareModel: 'SC-200.v2_b',
      storeId: STORE,
    });
    assert.equal(accepted.statusCode, 201);
  });

  it('fleetctl local devices add exits 1 with THING_NAME_RESERVED', async () => {
    const env = { ...process.env, FLEET_DATA_DIR: join(dir.path, 'fleet'), LOG_LEVEL: 'silent' };
    const add = (thing: string) =>
      run(
        'node',
        [CLI, 'local', 'devices', 'add', '--thing', thing, '--kind', 'cart', '--out', join(dir.path, thing)],
        {
          env,
        },
      );
    await assert.rejects(
      add(RESERVED),
      (err: { code?: number; stderr?: string }) =>
        err.code === 1 && err.stderr?.includes('error THING_NAME_RESERVED') === true,
    );
    assert.equal(fleet.services.registry.getThing(RESERVED), undefined);
  });

  it('a provisioning template cannot name things into the prefix, literally or from a parameter', async () => {
    const { provisioning } = fleet.services;
    assert.throws(
      () =>
        provisioning.putTemplate({
          name: 'reserved-literal',
          thingNamePattern: `${CLAIM_CLIENT_ID_PREFIX}{SerialNumber}`,
          deviceKind: 'cart',
          parameters: { SerialNumber: { required: true } },
        }),
      (err) => isFleetError(err) && err.code === 'PROVISIONING_TEMPLATE_INVALID',
    );
    provisioning.putTemplate({
      name: 'serial-only',
      thingNamePattern: '{SerialNumber}',
      deviceKind: 'cart',
      parameters: { SerialNumber: { required: true } },
    });
    const register = async (serial: string) => {
      const { certificateOwnershipToken } = await provisioning.createKeysAndCertificate();
      return provisioning.registerThing('serial-only', {
        certificateOwnershipToken,
        parameters: { SerialNumber: serial },
      });
    };
    await assert.rejects(
      register('provision-7'),
      (err) => isFleetError(err) && err.code === 'PROVISIONING_PARAMETERS_INVALID' && err.message.includes('reserved'),
    );
    assert.equal(fleet.services.registry.getThing('provision-7'), undefined);
    assert.equal((await register('serial-7')).thingName, 'serial-7');
  });

  it('a device config naming itself into the prefix is invalid, with the one rule as its message', () => {
    const config = (thingName: string) =>
      DeviceConfigSchema.safeParse({ thingName, certDir: '/tmp/c', dataDir: '/tmp/d' });
    const refused = config(RESERVED);
    assert.equal(refused.success, false);
    assert.deepEqual(
      refused.error?.issues.map((i) => [i.path.join('.'), i.message]),
      [['thingName', THING_NAME_RULE]],
    );
    assert.equal(config('cart-1').success, true);
    assert.equal(ThingSchema.safeParse({ thingName: RESERVED, kind: 'cart', hardwareModel: 'x' }).success, false);
  });
});
