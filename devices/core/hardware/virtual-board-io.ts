import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '../../../platform/clock.ts';
import { VirtualI2cBus, type VirtualI2cDevice } from './virtual-i2c-bus.ts';

const MODES = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, SERVO: 4 } as const;
const DIGITAL_PINS = 14;
const ANALOG_PINS = 6;
/** The Uno's PWM-capable pins: johnny-five drives an Led on any other pin with plain digital writes. */
const PWM_PINS: readonly number[] = [3, 5, 6, 9, 10, 11];

interface PinState {
  supportedModes: number[];
  mode: number;
  value: number;
  report: number;
  analogChannel: number;
}

type Reader = (value: number) => void;
type I2cHandler = (bytes: number[]) => void;

export interface VirtualBoardOptions {
  /** Times the continuous I2C reads (Firmata's sampling interval); a test passes a FakeClock. */
  clock?: Clock;
}

/**
 * A johnny-five IO plugin for virtual hardware: an Uno-like board (digital pins 0-13, analog inputs A0-A5 with a
 * 10-bit ADC) whose inputs are set by a simulator and whose outputs are observable. johnny-five components
 * (Sensor, Switch, Led, Piezo) run on it unchanged; on a real cart the same components run on Firmata over serial.
 * I2C parts are register-level models attached with `attachI2cDevice` (see virtual-i2c-bus.ts), so johnny-five's own
 * I2C drivers (e.g. its MPU6050) and the project's (devices/cart/hardware/nau7802.ts) run on them unchanged.
 */
export class VirtualBoardIO extends EventEmitter {
  readonly name = 'VirtualBoard';
  readonly MODES = MODES;
  readonly HIGH = 1;
  readonly LOW = 0;
  readonly RESOLUTION = { ADC: 1023, DAC: null, PWM: 255 };
  readonly defaultLed = 13;
  readonly pins: PinState[];
  readonly analogPins: number[];
  isReady = false;
  /** johnny-five waits for this to be falsy before exiting. */
  pending = 0;
  private readonly analogReaders = new Map<number, Set<Reader>>();
  private readonly digitalReaders = new Map<number, Set<Reader>>();
  private readonly analogValues = new Array<number>(ANALOG_PINS).fill(0);
  private readonly i2c: VirtualI2cBus;

  constructor(options: VirtualBoardOptions = {}) {
    super();
    this.i2c = new VirtualI2cBus(options.clock ?? systemClock);
    this.pins = [];
    for (let i = 0; i < DIGITAL_PINS; i++) {
      const supportedModes = PWM_PINS.includes(i) ? [0, 1, 3, 4] : [0, 1, 4];
      this.pins.push({ supportedModes, mode: MODES.INPUT, value: 0, report: 1, analogChannel: 127 });
    }
    for (let i = 0; i < ANALOG_PINS; i++) {
      this.pins.push({ supportedModes: [0, 1, 2], mode: MODES.ANALOG, value: 0, report: 1, analogChannel: i });
    }
    this.analogPins = this.pins.flatMap((p, index) => (p.analogChannel !== 127 ? [index] : []));
    // An IO plugin announces itself asynchronously, as a serial board would.
    setImmediate(() => {
      this.isReady = true;
      this.emit('connect');
      this.emit('ready');
    });
  }

  // ---- simulator side -------------------------------------------------------------------------------------------

  /** Sets the raw ADC reading (0-1023) of analog input `A{channel}`. */
  setAnalogInput(channel: number, raw: number): void {
    const value = Math.max(0, Math.min(1023, Math.round(raw)));
    this.analogValues[channel] = value;
    const pin = this.pins[DIGITAL_PINS + channel];
    if (pin) pin.value = value;
    for (const reader of this.analogReaders.get(channel) ?? []) reader(value);
  }

  /** Drives digital input `pin` high or low. */
  setDigitalInput(pin: number, high: boolean): void {
    const state = this.pins[pin];
    if (!state) throw new Error(`no digital pin ${pin}`);
    state.value = high ? 1 : 0;
    for (const reader of this.digitalReaders.get(pin) ?? []) reader(state.value);
  }

  /** Puts a register-level I2C part on the bus at `address` (7-bit). */
  attachI2cDevice(address: number, device: VirtualI2cDevice): void {
    this.i2c.attach(address, device);
  }

  /** Takes the part at `address` off the bus (a cable pulled): reads from it go unanswered, as on a real bus. */
  detachI2cDevice(address: number): void {
    this.i2c.detach(address);
  }

  /** I2C transactions addressed to `address` so far. */
  i2cTransactions(address: number): number {
    return this.i2c.transactions.get(address) ?? 0;
  }

  /** The value last written to an output pin. */
  outputValue(pin: number): number {
    return this.pins[pin]?.value ?? 0;
  }

  // ---- johnny-five IO plugin interface --------------------------------------------------------------------------

  normalize(pin: number | string): number {
    if (typeof pin === 'string' && /^A\d+$/i.test(pin)) return Number(pin.slice(1));
    return Number(pin);
  }

  pinMode(pin: number, mode: number): this {
    // As in Firmata: in ANALOG mode `pin` is an analog channel (A0 = 0), otherwise a pin number.
    const state = mode === MODES.ANALOG ? this.pins[this.analogPins[pin] ?? pin] : this.pins[pin];
    if (state) state.mode = mode;
    return this;
  }

  analogRead(channel: number, handler: Reader): void {
    let set = this.analogReaders.get(channel);
    if (!set) {
      set = new Set();
      this.analogReaders.set(channel, set);
    }
    set.add(handler);
    setImmediate(() => {
      if (set.has(handler)) handler(this.analogValues[channel] ?? 0);
    });
  }

  digitalRead(pin: number, handler: Reader): void {
    let set = this.digitalReaders.get(pin);
    if (!set) {
      set = new Set();
      this.digitalReaders.set(pin, set);
    }
    set.add(handler);
    // Like Firmata, the first report arrives after the call returns (johnny-five relies on that ordering).
    setImmediate(() => {
      if (set.has(handler)) handler(this.pins[pin]?.value ?? 0);
    });
  }

  digitalWrite(pin: number, value: number): this {
    const state = this.pins[pin];
    // On an input pin a write only switches the pull-up (Firmata semantics): the simulated level stays.
    if (state && state.mode !== MODES.INPUT) {
      state.value = value ? 1 : 0;
      this.emit(`digital-write-${pin}`, state.value);
    }
    return this;
  }

  analogWrite(pin: number, value: number): this {
    const state = this.pins[pin];
    if (state) state.value = value;
    return this;
  }

  pwmWrite(pin: number, value: number): this {
    return this.analogWrite(pin, value);
  }

  servoWrite(pin: number, value: number): this {
    return this.analogWrite(pin, value);
  }

  // Argument forms as in firmata.js, which johnny-five's I2C drivers call.

  i2cConfig(): this {
    return this;
  }

  /** `(address, [register, ...bytes])`, `(address, register, byte | bytes)` or `(address, byte)`. */
  i2cWrite(address: number, registerOrData: number | number[], data?: number | number[]): this {
    let bytes: number[];
    if (Array.isArray(registerOrData)) bytes = registerOrData;
    else if (data === undefined) bytes = [registerOrData];
    else bytes = [registerOrData, ...(Array.isArray(data) ? data : [data])];
    this.i2c.write(address, bytes);
    return this;
  }

  i2cWriteReg(address: number, register: number, byte: number): this {
    this.i2c.write(address, [register, byte]);
    return this;
  }

  /** `(address, register, length, handler)` or `(address, length, handler)`: repeats every sampling interval. */
  i2cRead(address: number, ...args: [number, number, I2cHandler] | [number, I2cHandler]): this {
    const [register, length, handler] = i2cReadArgs(args);
    this.i2c.readContinuous(address, register, length, handler);
    return this;
  }

  /** `(address, register, length, handler)` or `(address, length, handler)`: answers once, after the call returns. */
  i2cReadOnce(address: number, ...args: [number, number, I2cHandler] | [number, I2cHandler]): this {
    const [register, length, handler] = i2cReadArgs(args);
    this.i2c.readOnce(address, register, length, handler);
    return this;
  }

  /** `(address)` or `({ address })`: ends the continuous reads of that part. */
  i2cStop(options: number | { address: number }): this {
    this.i2c.stopReading(typeof options === 'number' ? options : options.address);
    return this;
  }

  /** How often continuous I2C reads repeat (Firmata's SAMPLING_INTERVAL, 19 ms by default). */
  setSamplingInterval(ms: number): this {
    this.i2c.setSamplingInterval(ms);
    return this;
  }

  reportAnalogPin(): this {
    return this;
  }

  reportDigitalPin(): this {
    return this;
  }

  reset(): void {
    this.analogReaders.clear();
    this.digitalReaders.clear();
    this.i2c.reset();
  }
}

function i2cReadArgs(
  args: [number, number, I2cHandler] | [number, I2cHandler],
): [number | undefined, number, I2cHandler] {
  return args.length === 3 ? args : [undefined, args[0], args[1]];
}
