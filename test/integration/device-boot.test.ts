import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cartBoot } from '../../devices/cart/cart-boot.ts';
import { bootDevice } from '../../devices/core/device-boot.ts';
import { REBOOT_EXIT_CODE } from '../../devices/core/device-restarter.ts';
import { speakerBoot } from '../../devices/speaker/speaker-boot.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { writeCertificateBundle } from '../../fleet/identity/certificate-bundle.ts';
import { writeClaimBundle } from '../../fleet/provisioning/claim-certificate.ts';
import { eventually, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';

/** The boot both device mains share (devices/core/device-boot.ts), with each kind's part, against a real fleet. */
describe('device boot: config file, identity, virtual board at rest, runtime started (real fleet)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const running: { stop(): Promise<void> }[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
  });

  afterEach(async () => {
    for (const runtime of running.splice(0)) await runtime.stop();
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  /** A config file as an operator writes one, pointing at the test fleet. */
  function configFile(thingName: string, extra: object = {}): string {
    const file = join(dir.path, `${thingName}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        thingName,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, thingName, 'certs'),
        dataDir: join(dir.path, thingName, 'data'),
        logLevel: 'silent',
        board: { io: 'virtual' },
        ...extra,
      }),
    );
    return file;
  }

  async function registered(thingName: string, kind: 'cart' | 'speaker'): Promise<string> {
    const device = await registerDevice(fleet, thingName, kind);
    writeCertificateBundle(join(dir.path, thingName, 'certs'), device);
    return configFile(thingName, kind === 'speaker' ? { model: 'promo' } : {});
  }

  const online = (thingName: string) =>
    eventually(() => fleet.services.broker.connectedClientIds().includes(thingName), 10_000, `${thingName} online`);

  it('boots a cart from its config file: docked, charged, connected as its thing', async () => {
    const { runtime, config } = await bootDevice(cartBoot, { configFile: await registered('boot-cart-1', 'cart') });
    running.push(runtime);
    assert.equal(config.thingName, 'boot-cart-1');
    await online('boot-cart-1');
    assert.equal(runtime.hardware.docked(), true);
    assert.ok(runtime.hardware.batteryPercent() > 95, `${runtime.hardware.batteryPercent()} %`);
  });

  it('boots a speaker from its config file the same way, with its own resting inputs', async () => {
    const { runtime } = await bootDevice(speakerBoot, { configFile: await registered('boot-spk-1', 'speaker') });
    running.push(runtime);
    await online('boot-spk-1');
    assert.ok(Math.abs(runtime.hardware.temperatureC() - 28) < 1, `${runtime.hardware.temperatureC()} °C`);
    assert.ok(runtime.hardware.batteryPercent() > 95, `${runtime.hardware.batteryPercent()} %`);
  });

  it('provisions by claim first when the config says so, sending the hardware model from the config', async () => {
    const claimDir = join(dir.path, 'claim-cart');
    writeClaimBundle(claimDir, await fleet.services.provisioning.issueClaimCertificate('cart-default'));
    const file = configFile('cart-BOOT7', {
      hardwareModel: 'SC-210',
      claim: { certDir: claimDir, templateName: 'cart-default', serialNumber: 'BOOT7', storeId: 'hf-shanghai-xuhui' },
    });
    const { runtime, config } = await bootDevice(cartBoot, { configFile: file });
    running.push(runtime);
    assert.equal(config.thingName, 'cart-BOOT7');
    assert.equal(fleet.services.registry.getThing('cart-BOOT7')?.hardwareModel, 'SC-210');
    await online('cart-BOOT7');
  });

  it('a commanded reboot stops the runtime and exits with REBOOT_EXIT_CODE for the service manager', async () => {
    const exits: number[] = [];
    // Not in `running`: the reboot stops it.
    await bootDevice(cartBoot, {
      configFile: await registered('boot-cart-2', 'cart'),
      exit: (code) => exits.push(code),
    });
    await online('boot-cart-2');
    await fleet.services.commands.send({ thingName: 'boot-cart-2', name: 'reboot', requestedBy: 'test' });
    await eventually(() => exits.length > 0, 10_000, 'the process to exit');
    assert.deepEqual(exits, [REBOOT_EXIT_CODE]);
    await eventually(() => !fleet.services.broker.connectedClientIds().includes('boot-cart-2'), 5000, 'disconnected');
  });

  it('refuses an invalid config with CONFIG_INVALID before touching anything', async () => {
    const file = join(dir.path, 'bad', 'speaker.json');
    mkdirSync(join(dir.path, 'bad'), { recursive: true });
    writeFileSync(file, JSON.stringify({ thingName: 'provision-1', certDir: 'c', dataDir: 'd' }));
    await assert.rejects(
      bootDevice(speakerBoot, { configFile: file }),
      (err: { code?: string }) => err.code === 'CONFIG_INVALID',
    );
  });
});
