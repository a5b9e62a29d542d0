import five from 'johnny-five';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { firstReadings, seen } from '../core/hardware/first-reading.ts';
import { asSensor, type Sensor } from '../core/hardware/johnny-five-types.ts';
import { celsiusFromTmp36Raw } from '../core/hardware/tmp36.ts';

/** Pin map of the cart's controller board (the same on Firmata and on the virtual board). */
export const CART_PINS = {
  /** Pack voltage through a 30 V : 5 V divider into a 10-bit ADC. */
  batteryVoltage: 'A0',
  /** Controller board temperature: a TMP36 (10 mV/°C, 500 mV at 0 °C). */
  temperature: 'A1',
  /** Dock contact: high while the cart sits on a charging rail. */
  dockContact: 2,
  /** Screen backlight (PWM). */
  backlight: 9,
  /** Locate LED ring. */
  locateLed: 13,
  /** Locate buzzer: an active piezo buzzer, sounding while the pin is high. Basket beeps share it (hardware/). */
  buzzer: 3,
  /** Basket status light: a common-cathode RGB LED on three PWM pins. */
  basketLight: { red: 5, green: 6, blue: 10 },
  /**
   * I2C (the Uno's A4 = SDA, A5 = SCL, so A4/A5 are not analog inputs): the basket load cell's NAU7802 at 0x2A and
   * the MPU-6050 at 0x68 (devices/cart/hardware/README.md).
   */
  i2c: { sda: 'A4', scl: 'A5' },
} as const;

/** The locate buzzer's and LED ring's half period: 250 ms on, 250 ms off. */
const LOCATE_BEAT_MS = 250;

/** 8S LiFePO4 pack: 20.0 V empty, 27.2 V full (resting voltages). */
const PACK_EMPTY_V = 20.0;
const PACK_FULL_V = 27.2;
const DIVIDER_MAX_V = 30;

export function batteryPercentFromVoltage(volts: number): number {
  const pct = ((volts - PACK_EMPTY_V) / (PACK_FULL_V - PACK_EMPTY_V)) * 100;
  return Math.round(Math.max(0, Math.min(100, pct)));
}

/** The voltage a pack shows at a given state of charge (inverse of the above, for the simulator). */
export function voltageFromBatteryPercent(pct: number): number {
  return PACK_EMPTY_V + (Math.max(0, Math.min(100, pct)) / 100) * (PACK_FULL_V - PACK_EMPTY_V);
}

export function adcFromVolts(volts: number, fullScale = DIVIDER_MAX_V): number {
  return (volts / fullScale) * 1023;
}

export { tmp36RawFromCelsius } from '../core/hardware/tmp36.ts';

/**
 * The cart's johnny-five components: battery and temperature sensors, dock switch, backlight and locate LED.
 * Reads are sampled by johnny-five; this class turns raw values into units.
 */
export class CartHardware {
  private battery: Sensor | undefined;
  private thermometer: Sensor | undefined;
  private dock: five.Switch | undefined;
  private backlight: five.Led | undefined;
  private locate: five.Led | undefined;
  private buzzer: five.Pin | undefined;
  private beepTimer: TimerHandle | undefined;
  private locateTimer: TimerHandle | undefined;

  constructor(
    private readonly board: five.Board,
    /** Times the buzzer's beat and the end of locating (the LED ring blinks on johnny-five's own timer). */
    private readonly clock: Clock,
  ) {}

  /** Creates the components and waits (up to 2 s) for their first readings. */
  async start(): Promise<void> {
    const board = this.board;
    const battery = asSensor(new five.Sensor({ pin: CART_PINS.batteryVoltage, board, freq: 250 }));
    const thermometer = asSensor(new five.Sensor({ pin: CART_PINS.temperature, board, freq: 250 }));
    const dock = new five.Switch({ pin: CART_PINS.dockContact, board, invert: false } as five.SwitchOption);
    this.battery = battery;
    this.thermometer = thermometer;
    this.dock = dock;
    this.backlight = new five.Led({ pin: CART_PINS.backlight, board });
    this.locate = new five.Led({ pin: CART_PINS.locateLed, board });
    this.buzzer = new five.Pin({ pin: CART_PINS.buzzer, board });
    this.buzzer.low();
    await firstReadings(
      [seen(battery as never, 'data'), seen(thermometer as never, 'data'), () => dock.isOpen || dock.isClosed],
      2000,
    );
  }

  /** Calls `listener` with the dock contact's new state whenever it changes. */
  onDockChange(listener: (docked: boolean) => void): void {
    let last = this.docked();
    const check = () => {
      const now = this.docked();
      if (now !== last) {
        last = now;
        listener(now);
      }
    };
    this.dock?.on('close', check);
    this.dock?.on('open', check);
  }

  stop(): void {
    const dock = this.dock as unknown as import('node:events').EventEmitter | undefined;
    dock?.removeAllListeners('close');
    dock?.removeAllListeners('open');
    this.battery?.disable();
    this.thermometer?.disable();
    this.stopLocating();
  }

  batteryVolts(): number {
    return round(((this.battery?.value ?? 0) / 1023) * DIVIDER_MAX_V, 2);
  }

  batteryPercent(): number {
    return batteryPercentFromVoltage(this.batteryVolts());
  }

  temperatureC(): number {
    return celsiusFromTmp36Raw(this.thermometer?.value ?? 0);
  }

  docked(): boolean {
    return this.dock?.isClosed ?? false;
  }

  setBrightness(percent: number): number {
    const value = Math.round(Math.max(0, Math.min(100, percent)));
    this.backlight?.brightness(Math.round((value / 100) * 255));
    return value;
  }

  /**
   * Beeps (250 ms on, 250 ms off) and flashes the locate ring for `seconds`, so a technician finds the cart in the
   * dock row. A second call starts over.
   */
  startLocating(seconds: number): void {
    this.stopLocating();
    // Lit at once (blink's first toggle comes a period later), so the answer finds it flashing.
    this.locate?.on();
    this.locate?.blink(LOCATE_BEAT_MS);
    let sounding = false;
    const toggle = () => {
      sounding = !sounding;
      if (sounding) this.buzzer?.high();
      else this.buzzer?.low();
    };
    toggle();
    this.beepTimer = this.clock.setInterval(toggle, LOCATE_BEAT_MS);
    this.locateTimer = this.clock.setTimeout(() => this.stopLocating(), seconds * 1000);
  }

  /** True while locating: the buzzer is the locate beat's, and basket beeps stay off it. */
  get locating(): boolean {
    return this.locateTimer !== undefined;
  }

  /** Silences the buzzer and switches the locate ring off. */
  stopLocating(): void {
    this.clock.clearInterval(this.beepTimer);
    this.clock.clearTimeout(this.locateTimer);
    this.beepTimer = undefined;
    this.locateTimer = undefined;
    this.locate?.stop().off();
    this.buzzer?.low();
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
