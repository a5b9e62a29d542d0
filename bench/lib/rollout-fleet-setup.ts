/** The fleet's side of bench/ota-rollout-fleet.ts before anything is measured: stores, devices, a release, a user. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { DEMO_CHAIN, DEMO_STORES } from '../../fleet/registry/demo-seed.ts';
import { OTA_SHADOW } from '../../protocol/ota/device-ota.ts';
import { ARTIFACT_MEDIA_TYPES } from '../../protocol/ota/release.ts';
import type { DeviceCert } from '../workers/rollout-devices.ts';

/** A chain of `stores` stores and `devices` carts spread over them, each with its config slot in the shadow `ota`. */
export async function registerDevices(
  fleet: FleetServer,
  p: { devices: number; stores: number },
): Promise<{ things: string[]; certs: DeviceCert[]; caPem: string }> {
  const { stores, registry, shadows } = fleet.services;
  const template = DEMO_STORES[0]!;
  stores.upsertChain(DEMO_CHAIN);
  const storeIds = Array.from({ length: p.stores }, (_, i) => `bench-store-${i + 1}`);
  for (const id of storeIds) stores.upsertStore({ ...template, id, name: `Bench ${id}` });
  const things: string[] = [];
  const certs: DeviceCert[] = [];
  let caPem = '';
  for (let i = 0; i < p.devices; i++) {
    const thingName = `bench-cart-${String(i).padStart(4, '0')}`;
    const r = await registry.registerDevice({
      thingName,
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: storeIds[i % storeIds.length]!,
    });
    // What the update agent reports: the config component's active slot (the rollout's inventory reads it).
    await shadows.update(thingName, OTA_SHADOW, {
      state: {
        reported: {
          components: {
            config: {
              active: 'a',
              a: { name: 'cart-config', version: '1.0.0', sha256: 'c'.repeat(64) },
              b: null,
              trial: null,
            },
          },
          job: null,
          lastRollback: null,
        },
      },
    });
    things.push(thingName);
    certs.push({ thingName, certificatePem: r.certificate.certificatePem, privateKeyPem: r.certificate.privateKeyPem });
    caPem = r.caPem;
  }
  return { things, certs, caPem };
}

/** A config release 1.1.0 (upgrading from 1.x), staged and published; the fleet signs it with its key file. */
export async function publishRelease(fleet: FleetServer): Promise<string> {
  const { releases } = fleet.services;
  const bytes = Buffer.from(`${JSON.stringify({ scanner: { beepMs: 80 }, screen: { brightness: 70 } }, null, 2)}\n`);
  await releases.stage(Readable.from([bytes]), { username: 'bench' });
  const release = await releases.publish(
    {
      manifest: {
        schema: 1,
        component: 'config',
        name: 'cart-config',
        version: '1.1.0',
        deviceKinds: ['cart'],
        hardwareModels: [],
        upgradeFrom: '>=1.0.0 <2.0.0',
        artifact: {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          size: bytes.length,
          mediaType: ARTIFACT_MEDIA_TYPES.config,
        },
        createdAt: new Date().toISOString(),
      },
    },
    { username: 'bench' },
  );
  return release.id;
}

export async function hqToken(fleet: FleetServer): Promise<string> {
  const { access } = fleet.services;
  const { user } = await access.createUser(
    { username: 'bench-hq', displayName: 'Bench HQ', role: 'hq-admin', storeIds: [] },
    'pw-bench-hq-Correct-Horse-7',
  );
  return access.createToken(user.id, 'bench').token;
}
