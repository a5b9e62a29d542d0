import assert from 'node:assert/strict';
import type five from 'johnny-five';
import { CART_PINS, CartHardware } from '../../../../devices/cart/cart-hardware.ts';
import { BasketSignals } from '../../../../devices/cart/hardware/basket-signals.ts';
import { Motion } from '../../../../devices/cart/hardware/motion.ts';
import { MPU6050_ADDRESS, VirtualMpu6050 } from '../../../../devices/cart/hardware/virtual-mpu6050.ts';
import type { VirtualBoardIO } from '../../../../devices/core/hardware/virtual-board-io.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { openVirtualBoard } from '../../../mocks/virtual-board.ts';

const { red, green, blue } = CART_PINS.basketLight;

describe('basket signals and cart motion (johnny-five on the virtual board)', () => {
  let clock: FakeClock;
  let board: five.Board;
  let io: VirtualBoardIO;

  beforeEach(async () => {
    clock = new FakeClock();
    ({ board, io } = await openVirtualBoard({ clock }));
  });

  describe('BasketSignals', () => {
    let hardware: CartHardware;
    let signals: BasketSignals;
    let buzzer: { at: number; value: number }[];

    beforeEach(() => {
      hardware = new CartHardware(board, clock);
      signals = new BasketSignals(
        board,
        clock,
        { light: CART_PINS.basketLight, buzzer: CART_PINS.buzzer },
        () => hardware.locating,
      );
      signals.start();
      buzzer = [];
      const t0 = clock.now();
      io.on(`digital-write-${CART_PINS.buzzer}`, (value: number) => buzzer.push({ at: clock.now() - t0, value }));
    });

    afterEach(() => {
      signals.stop();
      hardware.stopLocating();
      assert.equal(clock.pending, 0, 'no timer left');
    });

    const rgb = () => [io.outputValue(red), io.outputValue(green), io.outputValue(blue)];

    it('shows ready steady green, attention blinking amber, attendant blinking red, off dark', () => {
      signals.setLight('ready');
      assert.deepEqual(rgb(), [0, 255, 0]);
      clock.advance(5000);
      assert.deepEqual(rgb(), [0, 255, 0], 'steady');

      signals.setLight('attention');
      assert.deepEqual(rgb(), [255, 191, 0]);
      clock.advance(500);
      assert.deepEqual(rgb(), [0, 0, 0]);
      clock.advance(500);
      assert.deepEqual(rgb(), [255, 191, 0]);

      signals.setLight('attendant');
      assert.deepEqual(rgb(), [255, 0, 0]);
      clock.advance(250);
      assert.deepEqual(rgb(), [0, 0, 0]);
      clock.advance(250);
      assert.deepEqual(rgb(), [255, 0, 0]);

      signals.setLight('off');
      assert.deepEqual(rgb(), [0, 0, 0]);
      assert.equal(clock.pending, 0, 'no blink timer once off');
    });

    it('beeps: accept one short, error two short, attendant one long', () => {
      signals.beep('accept');
      clock.advance(1000);
      assert.deepEqual(buzzer, [
        { at: 0, value: 1 },
        { at: 80, value: 0 },
      ]);
      buzzer.length = 0;
      signals.beep('error');
      clock.advance(1000);
      assert.deepEqual(buzzer, [
        { at: 1000, value: 1 },
        { at: 1080, value: 0 },
        { at: 1160, value: 1 },
        { at: 1240, value: 0 },
      ]);
      buzzer.length = 0;
      signals.beep('attendant');
      clock.advance(599);
      assert.equal(io.outputValue(CART_PINS.buzzer), 1);
      clock.advance(1);
      assert.equal(io.outputValue(CART_PINS.buzzer), 0);
    });

    it('a new pattern cuts the one playing short', () => {
      signals.beep('attendant');
      clock.advance(100);
      signals.beep('accept');
      clock.advance(1000);
      assert.deepEqual(
        buzzer.map((b) => b.value),
        [1, 0, 1, 0],
      );
      assert.equal(signals.beeping, false);
    });

    it('locate wins the shared buzzer: basket beeps stay off it while locating, and work again after', async () => {
      await hardware.start();
      hardware.startLocating(1);
      buzzer.length = 0;
      signals.beep('attendant'); // would hold the buzzer high for 600 ms
      clock.advance(250);
      assert.deepEqual(
        buzzer.map((b) => b.value),
        [0],
        'only the locate beat toggled the pin',
      );
      clock.advance(750);
      assert.equal(hardware.locating, false);
      buzzer.length = 0;
      // Positive control: the same beep sounds once locating is over.
      signals.beep('attendant');
      assert.deepEqual(
        buzzer.map((b) => b.value),
        [1],
      );
      clock.advance(600);
      hardware.stop();
    });
  });

  describe('Motion (johnny-five Accelerometer, controller MPU6050, on the virtual MPU-6050)', () => {
    let imu: VirtualMpu6050;
    let motion: Motion;
    let events: string[];

    beforeEach(() => {
      io.setSamplingInterval(20);
      imu = new VirtualMpu6050(clock, { seed: 11 });
      io.attachI2cDevice(MPU6050_ADDRESS, imu);
      motion = new Motion(board, clock, { stillWindowMs: 500, stillSpreadG: 0.03 });
      events = [];
      motion.onStill(() => events.push('still'));
      motion.onMoving(() => events.push('moving'));
      motion.start();
    });

    afterEach(() => {
      motion.stop();
      assert.equal(clock.pending, 0, 'stop() ends the continuous I2C reads');
    });

    it('wakes the part and reports still once a window of readings is steady', () => {
      assert.equal(motion.still(), false, 'not still before anything is known');
      clock.advance(100);
      assert.equal(imu.asleep, false, "johnny-five's driver cleared SLEEP in PWR_MGMT_1");
      clock.advance(1000);
      assert.deepEqual(events, ['still']);
      assert.equal(motion.still(), true);
    });

    it('reports moving when pushed, no still while pushed, and still again after the cart stops', () => {
      clock.advance(1000);
      imu.setPushed(true);
      clock.advance(100);
      assert.deepEqual(events, ['still', 'moving']);
      clock.advance(10_000);
      assert.deepEqual(events, ['still', 'moving'], 'no still while pushed');
      imu.setPushed(false);
      clock.advance(1000);
      assert.deepEqual(events, ['still', 'moving', 'still']);
    });

    it('stop() ends the bus traffic', () => {
      clock.advance(200);
      motion.stop();
      const before = io.i2cTransactions(MPU6050_ADDRESS);
      clock.advance(1000);
      assert.equal(io.i2cTransactions(MPU6050_ADDRESS), before);
    });
  });
});
