import { EventEmitter } from 'node:events';
import type five from 'johnny-five';
import { type Clock, sleep, TimeoutError, type TimerHandle, withTimeout } from '../../../platform/clock.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { type I2cIo, i2cIo } from '../../core/hardware/johnny-five-types.ts';
import {
  CONVERSION_RATES,
  CTRL1,
  CTRL2,
  NAU7802_ADDRESS,
  NAU7802_REG,
  PU_CTRL,
  signed24,
} from './nau7802-registers.ts';

export interface Nau7802Options {
  address?: number;
  /**
   * How often the driver asks the part for a new conversion. The part converts at 80 SPS (12.5 ms); a Firmata round
   * trip takes a few ms, and a basket needs a reading every 50-100 ms, so the driver reads the latest conversion at
   * this interval instead of every one (the ones in between are simply overwritten in ADCO).
   */
  sampleIntervalMs: number;
  /** A transaction not answered within this long is a fault (a part off the bus never answers on Firmata). */
  transactionTimeoutMs?: number;
}

/** One conversion: the signed 24-bit ADC value and when it was read. */
export interface AdcSample {
  counts: number;
  at: number;
}

/** A load-cell ADC as the scale uses it: samples after `start()`, none after `stop()`. */
export interface LoadCellAdc {
  start(): Promise<void>;
  stop(): void;
  on(event: 'sample', listener: (sample: AdcSample) => void): this;
  on(event: 'fault', listener: (err: FleetError) => void): this;
  off(event: 'sample', listener: (sample: AdcSample) => void): this;
  off(event: 'fault', listener: (err: FleetError) => void): this;
}

/** How long the part may take to raise PUR, and to finish an internal offset calibration (a few conversions). */
const POWER_UP_TIMEOUT_MS = 200;
const CALIBRATION_TIMEOUT_MS = 1000;
const STATUS_POLL_MS = 2;

/**
 * A johnny-five driver for the Nuvoton NAU7802, a 24-bit sigma-delta ADC with a x128 PGA for bridge sensors (load
 * cells), on I2C through the board's IO plugin (`i2cWrite` / `i2cReadOnce`), so it runs on Firmata and on the
 * virtual board alike. Chosen over the HX711 because the HX711's two-wire protocol needs the clock line held for
 * microseconds per bit, which Firmata cannot time from the host; the NAU7802 is the same class of part on a bus
 * Firmata speaks natively.
 *
 * `start()` follows the data sheet's power-on sequence (Rev 1.7 §9.1; registers §11): register reset (RR), power up
 * digital and analog (PUD, PUA), wait for power-up ready (PUR), internal LDO at 3.3 V (AVDDS, VLDO), gain 128, 80
 * SPS, clock chopper off, channel 2 decoupling capacitor on, internal offset calibration (CALS, CAL_ERR: §8.6), then
 * cycle start (CS). Sampling reads PU_CTRL and, when CR says a new conversion is ready, ADCO (0x12-0x14) as signed
 * 24-bit; reading ADCO clears CR.
 */
export class Nau7802 extends EventEmitter implements LoadCellAdc {
  readonly address: number;
  private io: I2cIo | undefined;
  private timer: TimerHandle | undefined;
  private busy = false;
  private running = false;
  private readonly timeoutMs: number;

  constructor(
    private readonly board: five.Board,
    private readonly clock: Clock,
    private readonly options: Nau7802Options,
  ) {
    super();
    this.address = options.address ?? NAU7802_ADDRESS;
    this.timeoutMs = options.transactionTimeoutMs ?? 250;
  }

  /** Powers the part up, configures and calibrates it, then samples. Rejects with SCALE_FAULT if it does not answer. */
  async start(): Promise<void> {
    const io = i2cIo(this.board);
    this.io = io;
    this.running = true;
    io.i2cConfig({ address: this.address });
    this.write(NAU7802_REG.PU_CTRL, PU_CTRL.RR);
    this.write(NAU7802_REG.PU_CTRL, PU_CTRL.PUD);
    this.write(NAU7802_REG.PU_CTRL, PU_CTRL.PUD | PU_CTRL.PUA);
    await this.waitFor(NAU7802_REG.PU_CTRL, (v) => (v & PU_CTRL.PUR) !== 0, POWER_UP_TIMEOUT_MS, 'power-up ready');
    this.write(NAU7802_REG.CTRL1, (CTRL1.VLDO_3V3 << CTRL1.VLDO_SHIFT) | CTRL1.GAIN_128);
    this.write(NAU7802_REG.PU_CTRL, PU_CTRL.PUD | PU_CTRL.PUA | PU_CTRL.AVDDS);
    this.write(NAU7802_REG.CTRL2, CTRL2.CRS_80SPS << CTRL2.CRS_SHIFT);
    this.write(NAU7802_REG.ADC, 0x30);
    this.write(NAU7802_REG.PGA_PWR, 0x80);
    this.write(NAU7802_REG.CTRL2, (CTRL2.CRS_80SPS << CTRL2.CRS_SHIFT) | CTRL2.CALMOD_INTERNAL_OFFSET | CTRL2.CALS);
    const ctrl2 = await this.waitFor(
      NAU7802_REG.CTRL2,
      (v) => (v & CTRL2.CALS) === 0,
      CALIBRATION_TIMEOUT_MS,
      'calibration',
    );
    if (ctrl2 & CTRL2.CAL_ERR)
      throw new FleetError('SCALE_FAULT', 'NAU7802 internal offset calibration failed (CAL_ERR)');
    this.write(NAU7802_REG.PU_CTRL, PU_CTRL.PUD | PU_CTRL.PUA | PU_CTRL.AVDDS | PU_CTRL.CS);
    if (!this.running) return;
    this.timer = this.clock.setInterval(() => this.sample(), this.options.sampleIntervalMs);
  }

  stop(): void {
    this.running = false;
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The conversion rate the part is set to (samples per second), read back from CTRL2. */
  async conversionRate(): Promise<number> {
    const [ctrl2 = 0] = await this.read(NAU7802_REG.CTRL2, 1);
    return CONVERSION_RATES[(ctrl2 & CTRL2.CRS_MASK) >> CTRL2.CRS_SHIFT] ?? 0;
  }

  private sample(): void {
    // A read still out (a slow bus) is not doubled up: firmata.js would hand both callbacks the first reply.
    if (this.busy) return;
    this.busy = true;
    this.readConversion().then(
      (sample) => {
        this.busy = false;
        if (sample && this.running) this.emit('sample', sample);
      },
      (err: unknown) => {
        this.busy = false;
        if (this.running) this.emit('fault', asFault(err));
      },
    );
  }

  private async readConversion(): Promise<AdcSample | undefined> {
    const [status = 0] = await this.read(NAU7802_REG.PU_CTRL, 1);
    if ((status & PU_CTRL.CR) === 0) return undefined;
    const [b2 = 0, b1 = 0, b0 = 0] = await this.read(NAU7802_REG.ADCO_B2, 3);
    return { counts: signed24(b2, b1, b0), at: this.clock.now() };
  }

  private write(register: number, value: number): void {
    this.io?.i2cWrite(this.address, [register, value]);
  }

  private read(register: number, length: number): Promise<number[]> {
    const io = this.io;
    if (!io) return Promise.reject(new FleetError('SCALE_FAULT', 'NAU7802 driver used before start()'));
    const reply = new Promise<number[]>((resolve) => io.i2cReadOnce(this.address, register, length, resolve));
    return withTimeout(reply, this.timeoutMs, this.clock);
  }

  private async waitFor(
    register: number,
    done: (value: number) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<number> {
    const deadline = this.clock.now() + timeoutMs;
    for (;;) {
      const [value = 0] = await this.read(register, 1).catch((err: unknown) => {
        throw asFault(err, what);
      });
      if (done(value)) return value;
      if (this.clock.now() >= deadline) throw new FleetError('SCALE_FAULT', `NAU7802 ${what} timed out`);
      await sleep(this.clock, STATUS_POLL_MS).done;
    }
  }
}

function asFault(err: unknown, what = 'read'): FleetError {
  if (err instanceof FleetError) return err;
  if (err instanceof TimeoutError)
    return new FleetError('SCALE_FAULT', `NAU7802 did not answer on I2C (${what}, ${err.ms} ms)`);
  return new FleetError('SCALE_FAULT', `NAU7802 ${what} failed: ${(err as Error).message}`);
}
