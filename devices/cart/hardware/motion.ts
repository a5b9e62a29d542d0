import { EventEmitter } from 'node:events';
import five from 'johnny-five';
import { type I2cIo, i2cIo } from '../../core/hardware/johnny-five-types.ts';
import { StabilityDetector } from './stability-detector.ts';
import { MPU6050_ADDRESS } from './virtual-mpu6050.ts';

export interface MotionOptions {
  address?: number;
  /** The cart counts as still once every axis stayed within `stillSpreadG` for `stillWindowMs`. */
  stillWindowMs: number;
  stillSpreadG: number;
}

/**
 * Whether the cart stands still, from its MPU-6050 accelerometer through johnny-five's own driver
 * (`five.Accelerometer`, controller `MPU6050`, which reads the part continuously over I2C). The basket confirms an
 * item only while the cart is still: a pushed cart shakes the scale. Emits `moving` and `still` on changes; before
 * the first window has been seen the cart counts as moving (nothing is confirmed on a guess).
 */
export class Motion extends EventEmitter {
  private accelerometer: five.Accelerometer | undefined;
  private io: I2cIo | undefined;
  private readonly detector: StabilityDetector;
  private readonly address: number;
  private readonly onData = () => this.sample();

  constructor(
    private readonly board: five.Board,
    private readonly clock: { now(): number },
    options: MotionOptions,
  ) {
    super();
    this.address = options.address ?? MPU6050_ADDRESS;
    this.detector = new StabilityDetector({ windowMs: options.stillWindowMs, maxSpread: options.stillSpreadG });
  }

  start(): void {
    this.io = i2cIo(this.board);
    this.accelerometer = new five.Accelerometer({
      controller: 'MPU6050',
      address: this.address,
      board: this.board,
    } as five.AccelerometerOption);
    this.accelerometer.on('data', this.onData);
  }

  stop(): void {
    (this.accelerometer as unknown as EventEmitter | undefined)?.off('data', this.onData);
    // johnny-five's driver reads forever once started; i2cStop (firmata.js) ends those reads on the board. The
    // stopped driver stays in johnny-five's per-board cache (lib/sip.js `Drivers.get`), where a later start on the
    // same board would pick it up and never read again: the cache is cleared so that start makes a new one. The
    // cache only serves components still to be made (made ones hold their driver), and a cart makes one IMU.
    this.io?.i2cStop?.({ address: this.address });
    (five.IMU as unknown as { Drivers: { clear(): void } }).Drivers.clear();
    this.accelerometer = undefined;
    this.detector.reset();
  }

  still(): boolean {
    return this.detector.isStable;
  }

  onStill(listener: (at: number) => void): () => void {
    this.on('still', listener);
    return () => this.off('still', listener);
  }

  onMoving(listener: (at: number) => void): () => void {
    this.on('moving', listener);
    return () => this.off('moving', listener);
  }

  private sample(): void {
    const a = this.accelerometer;
    if (!a) return;
    const change = this.detector.push(this.clock.now(), [a.x, a.y, a.z]);
    if (change?.kind === 'stable') this.emit('still', change.at);
    else if (change?.kind === 'unstable') this.emit('moving', change.at);
  }
}
