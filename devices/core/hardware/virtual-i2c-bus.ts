import type { Clock, TimerHandle } from '../../../platform/clock.ts';

/**
 * A register-level model of one I2C part on the virtual board. The bus calls it once per transaction, as a real part
 * sees them: a write (START, address+W, bytes, STOP) and a read (START, address+R, bytes, STOP).
 */
export interface VirtualI2cDevice {
  /** One write transaction. By the common convention (NAU7802, MPU-6050, ...) `bytes[0]` sets the register pointer. */
  write(bytes: readonly number[]): void;
  /** One read transaction of `length` bytes, from the register pointer on. */
  read(length: number): number[];
}

/**
 * A part whose registers are a byte array behind a pointer that auto-increments on every byte read or written, the
 * behaviour of most register-mapped I2C parts. Subclasses give registers their meaning (`onWrite`, `onRead`).
 */
export abstract class RegisterFileDevice implements VirtualI2cDevice {
  protected readonly registers: Uint8Array;
  protected pointer = 0;

  constructor(size: number) {
    this.registers = new Uint8Array(size);
  }

  write(bytes: readonly number[]): void {
    const [register, ...data] = bytes;
    if (register === undefined) return;
    this.pointer = register;
    for (const byte of data) {
      if (this.pointer < this.registers.length) this.onWrite(this.pointer, byte & 0xff);
      this.pointer++;
    }
  }

  read(length: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < length; i++) {
      out.push(this.pointer < this.registers.length ? this.onRead(this.pointer) & 0xff : 0xff);
      this.pointer++;
    }
    return out;
  }

  /** A byte written to `register`: stored unless the subclass gives it side effects. */
  protected onWrite(register: number, value: number): void {
    this.registers[register] = value;
  }

  /** A byte read from `register`. */
  protected onRead(register: number): number {
    return this.registers[register] ?? 0;
  }
}

type ReadHandler = (bytes: number[]) => void;

interface ContinuousRead {
  address: number;
  register: number | undefined;
  length: number;
  handler: ReadHandler;
}

/**
 * The virtual board's I2C bus, with Firmata's semantics (firmata.js `i2cRead`/`i2cReadOnce`/`i2cWrite`/`i2cStop`):
 * a read of a register writes the pointer, then reads; a one-shot read answers after the call returns (on a
 * microtask, so a test on a FakeClock sees it within the same `advanceAsync` step); continuous reads repeat every
 * sampling interval (Firmata's default is 19 ms) on the injected clock, all on one timer. A read from an address
 * with no part attached never answers, as on a real bus where the part does not acknowledge.
 */
export class VirtualI2cBus {
  private readonly devices = new Map<number, VirtualI2cDevice>();
  private readonly continuous = new Set<ContinuousRead>();
  private timer: TimerHandle | undefined;
  private intervalMs = 19;
  /** Transactions per address (for tests and for measuring the bus load of a part's driver). */
  readonly transactions = new Map<number, number>();

  constructor(private readonly clock: Clock) {}

  attach(address: number, device: VirtualI2cDevice): void {
    this.devices.set(address, device);
  }

  detach(address: number): void {
    this.devices.delete(address);
  }

  write(address: number, bytes: readonly number[]): void {
    this.count(address);
    this.devices.get(address)?.write(bytes);
  }

  readOnce(address: number, register: number | undefined, length: number, handler: ReadHandler): void {
    queueMicrotask(() => {
      const bytes = this.transfer(address, register, length);
      if (bytes) handler(bytes);
    });
  }

  readContinuous(address: number, register: number | undefined, length: number, handler: ReadHandler): void {
    this.continuous.add({ address, register, length, handler });
    if (!this.timer) this.timer = this.clock.setInterval(() => this.poll(), this.intervalMs);
  }

  /** Ends the continuous reads of `address` (firmata.js `i2cStop`). */
  stopReading(address: number): void {
    for (const read of this.continuous) if (read.address === address) this.continuous.delete(read);
    if (this.continuous.size === 0) this.clearTimer();
  }

  /** Firmata's sampling interval: how often continuous reads repeat. */
  setSamplingInterval(ms: number): void {
    this.intervalMs = Math.max(1, Math.round(ms));
    if (this.timer) {
      this.clearTimer();
      this.timer = this.clock.setInterval(() => this.poll(), this.intervalMs);
    }
  }

  reset(): void {
    this.continuous.clear();
    this.clearTimer();
  }

  private poll(): void {
    for (const read of [...this.continuous]) {
      const bytes = this.transfer(read.address, read.register, read.length);
      if (bytes && this.continuous.has(read)) read.handler(bytes);
    }
  }

  private transfer(address: number, register: number | undefined, length: number): number[] | undefined {
    const device = this.devices.get(address);
    this.count(address);
    if (!device) return undefined;
    if (register !== undefined) device.write([register]);
    return device.read(length);
  }

  private count(address: number): void {
    this.transactions.set(address, (this.transactions.get(address) ?? 0) + 1);
  }

  private clearTimer(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }
}
