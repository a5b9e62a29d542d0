import type { Clock } from '../../../platform/clock.ts';
import { RegisterFileDevice } from '../../core/hardware/virtual-i2c-bus.ts';
import { bytes24, CONVERSION_RATES, CTRL1, CTRL2, gainFromCode, NAU7802_REG, PU_CTRL } from './nau7802-registers.ts';

/** What the virtual ADC converts: counts at gain 128 at an instant (a `ScaleModel`, or a constant in a test). */
export interface BridgeSignal {
  counts(at: number): number;
}

export interface VirtualNau7802Options {
  /** The part's own input offset, counts, which its internal offset calibration (CALS) removes. */
  chipOffsetCounts?: number;
  /** Makes the next internal calibration fail (CAL_ERR), for the driver's fault path. */
  failCalibration?: boolean;
}

/** Time from PUD+PUA to PUR, and conversions an internal offset calibration takes. */
const POWER_UP_MS = 1;
const CALIBRATION_CONVERSIONS = 4;

/**
 * The NAU7802 as a register model on the virtual I2C bus (registers: data sheet Rev 1.7 §11). It behaves as the
 * driver relies on: RR resets every register; PUR follows PUD and PUA; CALS clears itself after a calibration of a
 * few conversion periods and removes the part's offset; with CS set a conversion completes every 1/rate s, sets CR,
 * and reading ADCO_B2 latches the latest conversion into ADCO and clears CR. Conversions are computed when read, at
 * the instant they completed, so a cart with no one reading its scale costs nothing.
 */
export class VirtualNau7802 extends RegisterFileDevice {
  private poweredAt: number | undefined;
  private cyclingSince: number | undefined;
  private lastLatched = -1;
  private calibrationEndsAt: number | undefined;
  private calibrated = false;
  private readonly chipOffsetCounts: number;
  /** Conversions latched (read) so far. */
  conversionsRead = 0;

  constructor(
    private readonly signal: BridgeSignal,
    private readonly clock: Clock,
    private readonly options: VirtualNau7802Options = {},
  ) {
    super(0x20);
    this.chipOffsetCounts = options.chipOffsetCounts ?? 9_000;
    this.resetRegisters();
  }

  /** The registers as they are (no side effects), for tests. */
  peek(register: number): number {
    return this.registers[register] ?? 0;
  }

  protected override onWrite(register: number, value: number): void {
    const now = this.clock.now();
    if (register === NAU7802_REG.PU_CTRL) {
      if (value & PU_CTRL.RR) {
        this.resetRegisters();
        this.registers[NAU7802_REG.PU_CTRL] = PU_CTRL.RR;
        return;
      }
      const powered = (value & (PU_CTRL.PUD | PU_CTRL.PUA)) === (PU_CTRL.PUD | PU_CTRL.PUA);
      if (!powered) this.poweredAt = undefined;
      else this.poweredAt ??= now;
      if (value & PU_CTRL.CS && powered) {
        if (this.cyclingSince === undefined) {
          this.cyclingSince = now;
          this.lastLatched = 0;
        }
      } else this.cyclingSince = undefined;
      // PUR and CR are read-only status bits.
      this.registers[register] = value & ~(PU_CTRL.PUR | PU_CTRL.CR);
      return;
    }
    if (register === NAU7802_REG.CTRL2) {
      this.registers[register] = value & ~CTRL2.CAL_ERR;
      if (value & CTRL2.CALS) this.calibrationEndsAt = now + CALIBRATION_CONVERSIONS * this.periodMs();
      return;
    }
    if (register >= NAU7802_REG.ADCO_B2 && register <= NAU7802_REG.ADCO_B0) return; // read only
    this.registers[register] = value;
  }

  protected override onRead(register: number): number {
    const now = this.clock.now();
    if (register === NAU7802_REG.PU_CTRL) {
      let value = this.registers[register] ?? 0;
      if (this.poweredAt !== undefined && now - this.poweredAt >= POWER_UP_MS) value |= PU_CTRL.PUR;
      if (this.latestConversion(now) > this.lastLatched) value |= PU_CTRL.CR;
      return value;
    }
    if (register === NAU7802_REG.CTRL2) {
      this.finishCalibration(now);
      return this.registers[register] ?? 0;
    }
    if (register === NAU7802_REG.ADCO_B2) this.latch(now);
    return this.registers[register] ?? 0;
  }

  private latch(now: number): void {
    const index = this.latestConversion(now);
    if (index <= 0 || this.cyclingSince === undefined) return;
    this.lastLatched = index;
    this.conversionsRead++;
    const at = this.cyclingSince + index * this.periodMs();
    const gain = gainFromCode((this.registers[NAU7802_REG.CTRL1] ?? 0) & CTRL1.GAINS_MASK);
    const input = this.signal.counts(at) + (this.calibrated ? 0 : this.chipOffsetCounts);
    const [b2, b1, b0] = bytes24((input * gain) / 128);
    this.registers[NAU7802_REG.ADCO_B2] = b2;
    this.registers[NAU7802_REG.ADCO_B1] = b1;
    this.registers[NAU7802_REG.ADCO_B0] = b0;
  }

  /** Conversions completed since CS was set (0 when not converting). */
  private latestConversion(now: number): number {
    if (this.cyclingSince === undefined) return 0;
    return Math.floor((now - this.cyclingSince) / this.periodMs());
  }

  private finishCalibration(now: number): void {
    if (this.calibrationEndsAt === undefined || now < this.calibrationEndsAt) return;
    this.calibrationEndsAt = undefined;
    let ctrl2 = (this.registers[NAU7802_REG.CTRL2] ?? 0) & ~CTRL2.CALS;
    if (this.options.failCalibration) ctrl2 |= CTRL2.CAL_ERR;
    else {
      this.calibrated = true;
      const [b2, b1, b0] = bytes24(this.chipOffsetCounts);
      this.registers.set([b2, b1, b0], NAU7802_REG.OCAL1_B2);
    }
    this.registers[NAU7802_REG.CTRL2] = ctrl2;
  }

  private periodMs(): number {
    const crs = ((this.registers[NAU7802_REG.CTRL2] ?? 0) & CTRL2.CRS_MASK) >> CTRL2.CRS_SHIFT;
    return 1000 / (CONVERSION_RATES[crs] ?? 10);
  }

  private resetRegisters(): void {
    this.registers.fill(0);
    // GCAL1 resets to a gain of 1.0; the revision register's low nibble is 0xF.
    this.registers.set([0x00, 0x80, 0x00, 0x00], NAU7802_REG.GCAL1_B3);
    this.registers[NAU7802_REG.REVISION] = 0x0f;
    this.poweredAt = undefined;
    this.cyclingSince = undefined;
    this.calibrationEndsAt = undefined;
    this.calibrated = false;
  }
}
