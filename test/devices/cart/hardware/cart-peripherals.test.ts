import assert from 'node:assert/strict';
import type five from 'johnny-five';
import { CART_PINS } from '../../../../devices/cart/cart-hardware.ts';
import type { ScanEvent } from '../../../../devices/cart/hardware/barcode-scanner.ts';
import { CartPeripherals } from '../../../../devices/cart/hardware/cart-peripherals.ts';
import { PeripheralsConfigSchema } from '../../../../devices/cart/hardware/peripherals-config.ts';
import type { SettledWeight } from '../../../../devices/cart/hardware/scale.ts';
import { VirtualCartRig } from '../../../../devices/cart/hardware/virtual-cart-rig.ts';
import type { VirtualBoardIO } from '../../../../devices/core/hardware/virtual-board-io.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { captureLogs } from '../../../mocks/log-capture.ts';
import { openVirtualBoard } from '../../../mocks/virtual-board.ts';

describe('CartPeripherals on a virtual cart rig (what the basket consumes)', () => {
  let clock: FakeClock;
  let board: five.Board;
  let io: VirtualBoardIO;
  let rig: VirtualCartRig;
  let parts: CartPeripherals;

  beforeEach(async () => {
    clock = new FakeClock();
    ({ board, io } = await openVirtualBoard({ clock }));
    const config = PeripheralsConfigSchema.parse({ scanner: { kind: 'virtual', misreadRate: 0 } });
    rig = new VirtualCartRig(clock, config, 99);
    rig.attach(io);
    parts = new CartPeripherals(
      board,
      clock,
      config,
      { light: CART_PINS.basketLight, buzzer: CART_PINS.buzzer },
      () => false,
      captureLogs().log,
      rig.scanner,
    );
    const started = parts.start();
    await clock.advanceAsync(1000);
    await started;
  });

  afterEach(async () => {
    await parts.stop();
    assert.equal(clock.pending, 0, 'stop() releases every timer and I2C read');
  });

  it('delivers scans, settled weights and stillness from the simulated shopper', async () => {
    const scans: ScanEvent[] = [];
    const settled: SettledWeight[] = [];
    const still: number[] = [];
    parts.onScan((s) => scans.push(s));
    parts.onSettled((w) => settled.push(w));
    parts.onStill((at) => still.push(at));
    assert.equal(parts.scaleFault, undefined);
    assert.equal(parts.motion.still(), true, 'a cart at rest is still after start');

    rig.push();
    await clock.advanceAsync(2000);
    assert.equal(parts.motion.still(), false);
    rig.standStill();
    await clock.advanceAsync(2000);
    assert.equal(still.length, 1);

    assert.equal(rig.presentBarcode('6901234567892'), 'read');
    rig.putItem(500);
    await clock.advanceAsync(2000);
    assert.deepEqual(
      scans.map((s) => s.code),
      ['6901234567892'],
    );
    const last = settled.at(-1);
    assert.ok(last && Math.abs(last.deltaGrams - 500) <= 3, JSON.stringify(settled));
  });

  it('unsubscribes what it handed out on stop (the virtual scanner outlives a reboot)', async () => {
    const scans: ScanEvent[] = [];
    parts.onScan((s) => scans.push(s));
    rig.presentBarcode('4006381333931');
    await clock.advanceAsync(100);
    assert.equal(scans.length, 1, 'positive control: a scan arrives while started');
    await parts.stop();
    await rig.scanner.start();
    rig.presentBarcode('4006381333931');
    await clock.advanceAsync(100);
    await rig.scanner.stop();
    assert.equal(scans.length, 1, 'no scan reaches a listener of the stopped peripherals');
  });

  it('starts without a scale that does not answer, saying why (SCALE_FAULT)', async () => {
    await parts.stop();
    io.detachI2cDevice(0x2a);
    const started = parts.start();
    await clock.advanceAsync(2000);
    await started;
    assert.equal(parts.scaleFault?.code, 'SCALE_FAULT');
    assert.equal(parts.motion.still(), true, 'the rest of the hardware works');
  });
});
