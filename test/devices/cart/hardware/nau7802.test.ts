import assert from 'node:assert/strict';
import type five from 'johnny-five';
import { type AdcSample, Nau7802 } from '../../../../devices/cart/hardware/nau7802.ts';
import {
  bytes24,
  CTRL1,
  CTRL2,
  NAU7802_ADDRESS,
  NAU7802_REG,
  PU_CTRL,
  signed24,
} from '../../../../devices/cart/hardware/nau7802-registers.ts';
import { type BridgeSignal, VirtualNau7802 } from '../../../../devices/cart/hardware/virtual-nau7802.ts';
import type { VirtualBoardIO } from '../../../../devices/core/hardware/virtual-board-io.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';
import { openVirtualBoard } from '../../../mocks/virtual-board.ts';

describe('NAU7802 driver on the virtual NAU7802 (johnny-five I2C)', () => {
  let clock: FakeClock;
  let board: five.Board;
  let io: VirtualBoardIO;
  let signal: { value: number } & BridgeSignal;
  let part: VirtualNau7802;
  let adc: Nau7802;
  let samples: AdcSample[];

  beforeEach(async () => {
    clock = new FakeClock();
    ({ board, io } = await openVirtualBoard({ clock }));
    signal = { value: 0, counts: () => signal.value };
    part = new VirtualNau7802(signal, clock, { chipOffsetCounts: 9000 });
    io.attachI2cDevice(NAU7802_ADDRESS, part);
    adc = new Nau7802(board, clock, { sampleIntervalMs: 50 });
    samples = [];
    adc.on('sample', (s) => samples.push(s));
  });

  afterEach(() => adc.stop());

  async function start(): Promise<void> {
    const started = adc.start();
    await clock.advanceAsync(500);
    await started;
  }

  it('reads signed 24-bit values most significant byte first', () => {
    assert.equal(signed24(0x7f, 0xff, 0xff), 8_388_607);
    assert.equal(signed24(0x80, 0x00, 0x00), -8_388_608);
    assert.equal(signed24(0xff, 0xff, 0xff), -1);
    assert.equal(signed24(0x01, 0xe2, 0x40), 123_456);
    assert.deepEqual(bytes24(-123_456), [0xfe, 0x1d, 0xc0]);
    assert.deepEqual(bytes24(2 ** 30), [0x7f, 0xff, 0xff], 'clamped to full scale, as the ADC saturates');
    for (const v of [-8_388_608, -65_536, -1, 0, 1, 255, 65_535, 8_388_607]) assert.equal(signed24(...bytes24(v)), v);
  });

  it('powers up, configures and calibrates the part in the data sheet order, then starts conversions', async () => {
    await start();
    assert.equal(
      part.peek(NAU7802_REG.PU_CTRL),
      PU_CTRL.PUD | PU_CTRL.PUA | PU_CTRL.AVDDS | PU_CTRL.CS,
      'digital and analog up, internal LDO, cycle start',
    );
    assert.equal(part.peek(NAU7802_REG.CTRL1), (CTRL1.VLDO_3V3 << CTRL1.VLDO_SHIFT) | CTRL1.GAIN_128);
    assert.equal(part.peek(NAU7802_REG.CTRL2), CTRL2.CRS_80SPS << CTRL2.CRS_SHIFT, '80 SPS, calibration done');
    assert.equal(part.peek(NAU7802_REG.ADC), 0x30, 'clock chopper off');
    assert.equal(part.peek(NAU7802_REG.PGA_PWR), 0x80, 'channel 2 decoupling capacitor on');
    assert.equal(
      signed24(part.peek(0x03), part.peek(0x04), part.peek(0x05)),
      9000,
      'the internal calibration stored the offset',
    );
    const rate = adc.conversionRate();
    await clock.advanceAsync(0);
    assert.equal(await rate, 80);
  });

  it('reads positive and negative conversions, with the part offset calibrated out', async () => {
    await start();
    for (const value of [123_456, -123_456, -8_388_608, 8_388_607, 0]) {
      signal.value = value;
      samples = [];
      await clock.advanceAsync(50);
      assert.equal(samples.at(-1)?.counts, value, `${value}`);
    }
  });

  it('returns each conversion once: polled faster than 80 SPS, it skips until CR is set again', async () => {
    adc = new Nau7802(board, clock, { sampleIntervalMs: 5 });
    adc.on('sample', (s) => samples.push(s));
    await start();
    samples = [];
    await clock.advanceAsync(1000);
    assert.ok(samples.length >= 78 && samples.length <= 81, `${samples.length} samples in 1 s at 80 SPS`);
    // Positive control: at a 50 ms poll every poll finds a new conversion.
    adc.stop();
    const slow = new Nau7802(board, clock, { sampleIntervalMs: 50 });
    const slowSamples: AdcSample[] = [];
    slow.on('sample', (s) => slowSamples.push(s));
    const started = slow.start();
    await clock.advanceAsync(500);
    await started;
    slowSamples.length = 0;
    await clock.advanceAsync(1000);
    slow.stop();
    assert.equal(slowSamples.length, 20);
  });

  it('without its calibration the reading carries the part offset (the calibration is what removes it)', async () => {
    await start();
    signal.value = 1000;
    // Reset the part behind the driver's back and start conversions without CALS.
    io.i2cWrite(NAU7802_ADDRESS, [NAU7802_REG.PU_CTRL, PU_CTRL.RR]);
    io.i2cWrite(NAU7802_ADDRESS, [NAU7802_REG.PU_CTRL, PU_CTRL.PUD | PU_CTRL.PUA]);
    io.i2cWrite(NAU7802_ADDRESS, [NAU7802_REG.CTRL1, CTRL1.GAIN_128]);
    io.i2cWrite(NAU7802_ADDRESS, [NAU7802_REG.CTRL2, CTRL2.CRS_80SPS << CTRL2.CRS_SHIFT]);
    io.i2cWrite(NAU7802_ADDRESS, [NAU7802_REG.PU_CTRL, PU_CTRL.PUD | PU_CTRL.PUA | PU_CTRL.CS]);
    samples = [];
    await clock.advanceAsync(100);
    assert.equal(samples.at(-1)?.counts, 10_000);
  });

  it('refuses to start with SCALE_FAULT when the calibration fails (CAL_ERR)', async () => {
    io.attachI2cDevice(NAU7802_ADDRESS, new VirtualNau7802(signal, clock, { failCalibration: true }));
    const started = adc.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    await clock.advanceAsync(2000);
    const err = await started;
    assert.ok(isFleetError(err) && err.code === 'SCALE_FAULT', String(err));
    assert.match((err as Error).message, /CAL_ERR/);
  });

  it('refuses to start with SCALE_FAULT when no part answers at the address', async () => {
    io.detachI2cDevice(NAU7802_ADDRESS);
    const started = adc.start().then(
      () => undefined,
      (err: unknown) => err,
    );
    await clock.advanceAsync(2000);
    const err = await started;
    assert.ok(isFleetError(err) && err.code === 'SCALE_FAULT', String(err));
    assert.match((err as Error).message, /did not answer/);
  });

  it('reports SCALE_FAULT once sampling finds the part gone, and samples again when it is back', async () => {
    await start();
    const faults: string[] = [];
    adc.on('fault', (err) => faults.push(err.code));
    io.detachI2cDevice(NAU7802_ADDRESS);
    samples = [];
    await clock.advanceAsync(1000);
    assert.ok(faults.length > 0 && faults.every((code) => code === 'SCALE_FAULT'), faults.join());
    assert.equal(samples.length, 0);
    io.attachI2cDevice(NAU7802_ADDRESS, part);
    await clock.advanceAsync(500);
    assert.ok(samples.length > 0, 'samples again');
  });

  it('stops polling on stop(): no timer left, no more bus traffic', async () => {
    await start();
    adc.stop();
    assert.equal(clock.pending, 0);
    const before = io.i2cTransactions(NAU7802_ADDRESS);
    await clock.advanceAsync(1000);
    assert.equal(io.i2cTransactions(NAU7802_ADDRESS), before);
  });
});
