import type { Clock } from '../../../platform/clock.ts';
import { gaussian, mulberry32 } from '../../../platform/seeded-random.ts';
import { RegisterFileDevice } from '../../core/hardware/virtual-i2c-bus.ts';

/** InvenSense MPU-6000/6050 Register Map and Descriptions, Rev 4.2: the registers johnny-five's driver uses. */
export const MPU6050_REG = {
  /** §4.17 ACCEL_XOUT_H: accelerometer X, Y, Z, then TEMP_OUT, then gyro X, Y, Z: 14 bytes, big-endian int16. */
  ACCEL_XOUT_H: 0x3b,
  /** §4.28 PWR_MGMT_1: resets to 0x40 (SLEEP); johnny-five writes 0x00 to wake the part. */
  PWR_MGMT_1: 0x6b,
  /** §4.32 WHO_AM_I: 0x68. */
  WHO_AM_I: 0x75,
} as const;

export const MPU6050_ADDRESS = 0x68;
/** §4.17, AFS_SEL = 0 (±2 g): 16384 LSB/g. §4.19, FS_SEL = 0: 131 LSB per °/s. */
const ACCEL_LSB_PER_G = 16384;
const GYRO_LSB_PER_DPS = 131;
const SLEEP = 0x40;

export interface CartMotionOptions {
  seed: number;
  /** Accelerometer noise at rest, g (the MPU-6050's is about 400 µg/√Hz; a few mg per sample). */
  stillNoiseG?: number;
  /** Vibration while pushed, g (standard deviation per axis; wheels on tiles shake a cart hard). */
  pushVibrationG?: number;
}

/**
 * The cart's MPU-6050 as a register model: at rest it reads gravity on Z and a few mg of noise; pushed, it reads the
 * push and the vibration of the wheels. Samples are made when the data registers are read, from a seeded RNG.
 */
export class VirtualMpu6050 extends RegisterFileDevice {
  private pushed = false;
  private readonly normal: () => number;
  private readonly stillNoiseG: number;
  private readonly pushVibrationG: number;

  constructor(
    private readonly clock: Clock,
    options: CartMotionOptions,
  ) {
    super(0x80);
    this.normal = gaussian(mulberry32(options.seed));
    this.stillNoiseG = options.stillNoiseG ?? 0.002;
    this.pushVibrationG = options.pushVibrationG ?? 0.08;
    this.registers[MPU6050_REG.PWR_MGMT_1] = SLEEP;
    this.registers[MPU6050_REG.WHO_AM_I] = MPU6050_ADDRESS;
  }

  get asleep(): boolean {
    return ((this.registers[MPU6050_REG.PWR_MGMT_1] ?? 0) & SLEEP) !== 0;
  }

  /** The cart is pushed (true) or left standing (false). */
  setPushed(pushed: boolean): void {
    this.pushed = pushed;
  }

  protected override onRead(register: number): number {
    if (register === MPU6050_REG.ACCEL_XOUT_H && !this.asleep) this.sample();
    return this.registers[register] ?? 0;
  }

  private sample(): void {
    const t = this.clock.now() / 1000;
    const shake = this.pushed ? this.pushVibrationG : 0;
    const noise = () => this.stillNoiseG * this.normal() + shake * this.normal();
    // A push: a surge along the cart (X) that comes and goes with the shopper's steps, about 1.8 Hz.
    const surge = this.pushed ? 0.06 * Math.sin(2 * Math.PI * 1.8 * t) : 0;
    const accel = [surge + noise(), noise(), 1 + noise()];
    const gyro = this.pushed ? [2 * this.normal(), 2 * this.normal(), 8 * Math.sin(2 * Math.PI * 0.3 * t)] : [0, 0, 0];
    const words = [
      ...accel.map((g) => g * ACCEL_LSB_PER_G),
      // §4.18: TEMP_OUT = (°C - 36.53) × 340; 24 °C.
      (24 - 36.53) * 340,
      ...gyro.map((dps) => dps * GYRO_LSB_PER_DPS),
    ];
    words.forEach((word, i) => {
      const v = Math.max(-32768, Math.min(32767, Math.round(word))) & 0xffff;
      this.registers[MPU6050_REG.ACCEL_XOUT_H + 2 * i] = v >> 8;
      this.registers[MPU6050_REG.ACCEL_XOUT_H + 2 * i + 1] = v & 0xff;
    });
  }
}
