import five from 'johnny-five';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';

/** What the basket light says to the shopper and to staff walking by. */
export type LightState = 'off' | 'ready' | 'attention' | 'attendant';
/** Buzzer patterns: an item accepted, something to look at, help is called. */
export type BeepPattern = 'accept' | 'error' | 'attendant';

export interface BasketSignalPins {
  light: { red: number; green: number; blue: number };
  buzzer: number;
}

/** Colour and blink half-period (ms; 0 = steady) of each light state. */
export const LIGHT_STATES: Readonly<Record<LightState, { color: string; blinkMs: number }>> = {
  off: { color: '#000000', blinkMs: 0 },
  ready: { color: '#00FF00', blinkMs: 0 },
  attention: { color: '#FFBF00', blinkMs: 500 },
  attendant: { color: '#FF0000', blinkMs: 250 },
};

/** Each pattern as alternating on/off durations, starting with on. */
export const BEEP_PATTERNS: Readonly<Record<BeepPattern, readonly number[]>> = {
  accept: [80],
  error: [80, 80, 80],
  attendant: [600],
};

/**
 * The basket's RGB status light (johnny-five `Led.RGB` on three PWM pins) and its buzzer patterns, both timed on the
 * injected clock (johnny-five's own `blink()` runs on real timers a test cannot step).
 *
 * The buzzer is the one the locate command sounds (cart-hardware.ts). Locate wins: while `locating()` is true a
 * pattern does not touch the pin (it is dropped, not queued: a technician hunting for the cart wants the locate
 * beat, and a shopper at a cart being located is a rare case), and a pattern that ends during locating leaves the
 * pin to it.
 */
export class BasketSignals {
  private rgb: five.Led.RGB | undefined;
  private buzzer: five.Pin | undefined;
  private state: LightState = 'off';
  private blinkTimer: TimerHandle | undefined;
  private beepTimer: TimerHandle | undefined;

  constructor(
    private readonly board: five.Board,
    private readonly clock: Clock,
    private readonly pins: BasketSignalPins,
    private readonly locating: () => boolean,
  ) {}

  start(): void {
    this.rgb = new five.Led.RGB({ pins: this.pins.light, board: this.board } as five.Led.RGBOption);
    // A second Pin object on the locate buzzer's pin: both only write; `locating()` keeps them from fighting.
    this.buzzer = new five.Pin({ pin: this.pins.buzzer, board: this.board });
    this.setLight('off');
  }

  stop(): void {
    this.cancelBeep();
    this.setLight('off');
    this.rgb = undefined;
    this.buzzer = undefined;
  }

  get light(): LightState {
    return this.state;
  }

  setLight(state: LightState): void {
    this.clock.clearInterval(this.blinkTimer);
    this.blinkTimer = undefined;
    this.state = state;
    const { color, blinkMs } = LIGHT_STATES[state];
    this.rgb?.color(color);
    if (blinkMs === 0) return;
    let lit = true;
    this.blinkTimer = this.clock.setInterval(() => {
      lit = !lit;
      this.rgb?.color(lit ? color : LIGHT_STATES.off.color);
    }, blinkMs);
  }

  /** Plays `pattern`, cutting short one still playing. */
  beep(pattern: BeepPattern): void {
    this.cancelBeep();
    const steps = BEEP_PATTERNS[pattern];
    const play = (index: number) => {
      if (index >= steps.length) {
        this.beepTimer = undefined;
        this.drive(false);
        return;
      }
      this.drive(index % 2 === 0);
      this.beepTimer = this.clock.setTimeout(() => play(index + 1), steps[index] ?? 0);
    };
    play(0);
  }

  get beeping(): boolean {
    return this.beepTimer !== undefined;
  }

  private cancelBeep(): void {
    if (this.beepTimer === undefined) return;
    this.clock.clearTimeout(this.beepTimer);
    this.beepTimer = undefined;
    this.drive(false);
  }

  private drive(on: boolean): void {
    if (this.locating()) return;
    if (on) this.buzzer?.high();
    else this.buzzer?.low();
  }
}
