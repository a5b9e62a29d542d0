import five from 'johnny-five';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import { firstReadings, seen } from '../core/hardware/first-reading.ts';
import { asSensor, type Sensor } from '../core/hardware/johnny-five-types.ts';
import { celsiusFromTmp36Raw } from '../core/hardware/tmp36.ts';

/** Pin map of the speaker's controller board. */
export const SPEAKER_PINS = {
  /** Battery voltage of promo speakers (1S Li-ion through a 5 V full-scale ADC); unused on mains models. */
  batteryVoltage: 'A0',
  /** Amplifier heatsink temperature: TMP36. */
  temperature: 'A1',
  /**
   * Ambient noise where the speaker has a microphone: an analog sound level meter module (DFRobot SEN0232: A-weighted,
   * 0.6–2.6 V for 30–130 dBA, dBA = volts × 50).
   */
  ambientNoise: 'A2',
  /** PIR presence sensor: high while a shopper is in front of the shelf. */
  presence: 3,
  /** Amplifier gain through a PWM-driven digital potentiometer. */
  amplifierGain: 5,
  /** Status LED on the front grille: flashes while the speaker is being located. */
  statusLed: 13,
} as const;

const CELL_EMPTY_V = 3.3;
const CELL_FULL_V = 4.15;

export function cellPercentFromVoltage(volts: number): number {
  return Math.round(Math.max(0, Math.min(100, ((volts - CELL_EMPTY_V) / (CELL_FULL_V - CELL_EMPTY_V)) * 100)));
}

/** The SEN0232's transfer function: 50 dBA per volt, read through the 10-bit ADC at 5 V full scale. */
export function dbaFromNoiseRaw(raw: number): number {
  return Math.round((raw / 1023) * 5 * 50 * 10) / 10;
}

export function noiseRawFromDba(dba: number): number {
  return Math.round((dba / 50 / 5) * 1023);
}

export function cellVoltageFromPercent(pct: number): number {
  return CELL_EMPTY_V + (Math.max(0, Math.min(100, pct)) / 100) * (CELL_FULL_V - CELL_EMPTY_V);
}

/** The speaker's johnny-five components. */
export class SpeakerHardware {
  private battery: Sensor | undefined;
  private thermometer: Sensor | undefined;
  private noise: Sensor | undefined;
  private pir: five.Switch | undefined;
  private gain: five.Led | undefined;
  private statusLed: five.Led | undefined;
  private locateTimer: TimerHandle | undefined;
  private presenceListeners: ((present: boolean) => void)[] = [];

  constructor(
    private readonly board: five.Board,
    /** Times the end of locating (the status LED blinks on johnny-five's own timer). */
    private readonly clock: Clock,
    /** Whether the sound level sensor is fitted (config `microphone`). */
    private readonly microphone = false,
  ) {}

  /** Creates the components and waits (up to 2 s) for their first readings. */
  async start(): Promise<void> {
    const board = this.board;
    const battery = asSensor(new five.Sensor({ pin: SPEAKER_PINS.batteryVoltage, board, freq: 250 }));
    const thermometer = asSensor(new five.Sensor({ pin: SPEAKER_PINS.temperature, board, freq: 250 }));
    const pir = new five.Switch({ pin: SPEAKER_PINS.presence, board, invert: false } as five.SwitchOption);
    this.battery = battery;
    this.thermometer = thermometer;
    if (this.microphone) this.noise = asSensor(new five.Sensor({ pin: SPEAKER_PINS.ambientNoise, board, freq: 250 }));
    this.pir = pir;
    // Read the level rather than trusting the event name: johnny-five announces its first reading as 'close'.
    this.pir.on('close', () => this.notifyPresence(this.presence()));
    this.pir.on('open', () => this.notifyPresence(this.presence()));
    this.gain = new five.Led({ pin: SPEAKER_PINS.amplifierGain, board });
    this.statusLed = new five.Led({ pin: SPEAKER_PINS.statusLed, board });
    await firstReadings(
      [seen(battery as never, 'data'), seen(thermometer as never, 'data'), () => pir.isOpen || pir.isClosed],
      2000,
    );
  }

  stop(): void {
    this.battery?.disable();
    this.thermometer?.disable();
    this.noise?.disable();
    this.presenceListeners = [];
    this.stopLocating();
  }

  /** Flashes the status LED for `seconds` (the locate tone itself goes through the audio output). */
  startLocating(seconds: number): void {
    this.stopLocating();
    // Lit at once (blink's first toggle comes a period later), so the answer finds it flashing.
    this.statusLed?.on();
    this.statusLed?.blink(250);
    this.locateTimer = this.clock.setTimeout(() => this.stopLocating(), seconds * 1000);
  }

  stopLocating(): void {
    this.clock.clearTimeout(this.locateTimer);
    this.locateTimer = undefined;
    this.statusLed?.stop().off();
  }

  onPresence(listener: (present: boolean) => void): void {
    this.presenceListeners.push(listener);
  }

  presence(): boolean {
    return this.pir?.isClosed ?? false;
  }

  private notifyPresence(present: boolean): void {
    for (const listener of this.presenceListeners) listener(present);
  }

  batteryVolts(): number {
    return Math.round(((this.battery?.value ?? 0) / 1023) * 5 * 100) / 100;
  }

  batteryPercent(): number {
    return cellPercentFromVoltage(((this.battery?.value ?? 0) / 1023) * 5);
  }

  /** Ambient noise in dBA from the sound level sensor; null without one. */
  ambientDbSpl(): number | null {
    return this.noise ? dbaFromNoiseRaw(this.noise.value ?? 0) : null;
  }

  temperatureC(): number {
    return celsiusFromTmp36Raw(this.thermometer?.value ?? 0);
  }

  /** Sets the amplifier gain for a volume of 0-100. */
  setVolume(percent: number): number {
    const value = Math.round(Math.max(0, Math.min(100, percent)));
    this.gain?.brightness(Math.round((value / 100) * 255));
    return value;
  }
}
