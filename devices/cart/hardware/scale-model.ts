import { gaussian, mulberry32 } from '../../../platform/seeded-random.ts';

/** The physics of the basket's load cell, as the simulator sets it up (all deterministic under `seed`). */
export interface ScaleModelOptions {
  seed: number;
  /** ADC counts per gram at gain 128 (a 2 mV/V, 10 kg cell on 3.3 V excitation gives about 430). */
  countsPerGram: number;
  /** What the empty basket reads, in counts, once the ADC's own offset is calibrated out. */
  zeroCounts: number;
  /** Standard deviation of the reading's white noise, grams. */
  noiseGrams: number;
  /** Time for the oscillation after a load change to fall to 0.1 % of the change. */
  settlingMs: number;
  /** The basket's natural frequency on the cell. */
  oscillationHz: number;
  /** An item dropped (not placed) hits: the first swing overshoots by this fraction of its weight. */
  dropOvershoot: number;
  /** A load keeps reading higher by up to this fraction of itself (load-cell creep)... */
  creepFraction: number;
  /** ...approaching it with this time constant. */
  creepTauMs: number;
  /** Zero drift with time (grams per hour, signed). */
  zeroDriftGramsPerHour: number;
  /** Zero drift with temperature (grams per °C away from `referenceC`). */
  tempcoGramsPerC: number;
  referenceC: number;
  /** Peak vibration, grams, while the cart is pushed (wheels on tiles). */
  vibrationGrams: number;
}

export const DEFAULT_SCALE_MODEL: Omit<ScaleModelOptions, 'seed'> = {
  countsPerGram: 430,
  zeroCounts: 150_000,
  noiseGrams: 0.25,
  settlingMs: 400,
  oscillationHz: 9,
  dropOvershoot: 0.5,
  creepFraction: 0.0008,
  creepTauMs: 300_000,
  zeroDriftGramsPerHour: 0.6,
  tempcoGramsPerC: 0.15,
  referenceC: 24,
  vibrationGrams: 40,
};

interface LoadChange {
  at: number;
  grams: number;
  /** Extra first swing of a drop, as a fraction of `grams`. */
  impact: number;
}

/** After this many creep time constants a change has finished creeping and is folded into the static load. */
const FOLD_AFTER_TAUS = 12;
/** The settling envelope is e^(-t/τ); 0.1 % of the change at `settlingMs` gives τ = settlingMs / ln(1000). */
const SETTLE_DECADES = Math.log(1000);

/**
 * A load cell under a basket, as a function of time: what is in the basket, how the reading rings after a change
 * (a damped oscillation at the natural frequency, with an overshoot for a drop), creep (a load's reading rises a
 * little more, exponentially, after it is placed; and recovers when it is taken out), zero drift with time and
 * temperature, vibration while the cart is pushed, and white noise. Time is a parameter (the virtual ADC passes the
 * instant of each conversion), so the model has no timers and costs nothing between reads.
 */
export class ScaleModel {
  private readonly options: ScaleModelOptions;
  private readonly normal: () => number;
  private readonly tauMs: number;
  private staticGrams = 0;
  /** The finished creep of the folded changes. */
  private staticCreepGrams = 0;
  private changes: LoadChange[] = [];
  private temperatureC: number;
  private pushStartedAt: number | undefined;
  private pushStoppedAt: number | undefined;

  constructor(
    options: Partial<ScaleModelOptions> & { seed: number },
    private readonly startedAt: number,
  ) {
    this.options = { ...DEFAULT_SCALE_MODEL, ...options };
    this.normal = gaussian(mulberry32(options.seed));
    this.tauMs = this.options.settlingMs / SETTLE_DECADES;
    this.temperatureC = this.options.referenceC;
  }

  get countsPerGram(): number {
    return this.options.countsPerGram;
  }

  /** What is really in the basket, grams (no creep, drift or noise). */
  get loadGrams(): number {
    return this.staticGrams + this.changes.reduce((sum, c) => sum + c.grams, 0);
  }

  /** An item lands in the basket at `at`: `dropped` swings harder than `placed`. */
  add(grams: number, at: number, how: 'dropped' | 'placed' = 'dropped'): void {
    this.changes.push({ at, grams, impact: how === 'dropped' ? this.options.dropOvershoot : 0 });
  }

  /** An item is lifted out (a lift rings like a gentle placement). */
  remove(grams: number, at: number): void {
    this.changes.push({ at, grams: -grams, impact: 0 });
  }

  /** The cart starts or stops being pushed; the vibration dies away over the settling time after a stop. */
  setPushing(pushing: boolean, at: number): void {
    if (pushing) {
      this.pushStartedAt = at;
      this.pushStoppedAt = undefined;
    } else if (this.pushStartedAt !== undefined && this.pushStoppedAt === undefined) {
      this.pushStoppedAt = at;
    }
  }

  setTemperature(celsius: number): void {
    this.temperatureC = celsius;
  }

  /** The grams the cell reports at `at`, with everything above; draws noise (so calls are not idempotent). */
  grams(at: number): number {
    this.fold(at);
    const o = this.options;
    let grams = this.staticGrams + this.staticCreepGrams;
    for (const change of this.changes) {
      const t = at - change.at;
      if (t < 0) continue;
      grams += change.grams * (1 + o.creepFraction * (1 - Math.exp(-t / o.creepTauMs)));
      grams -= change.grams * this.ring(t, change.impact);
    }
    grams += o.zeroDriftGramsPerHour * ((at - this.startedAt) / 3_600_000);
    grams += o.tempcoGramsPerC * (this.temperatureC - o.referenceC);
    grams += this.vibration(at);
    return grams + o.noiseGrams * this.normal();
  }

  /** The same as ADC counts (before the ADC's gain setting, which the virtual part applies). */
  counts(at: number): number {
    return this.options.zeroCounts + this.grams(at) * this.options.countsPerGram;
  }

  /**
   * The part of a step change not yet reached: e^(-t/τ)·(cos ωt + impact·sin ωt) starts at 1 (nothing yet), swings
   * past the new value and dies away within `settlingMs`.
   */
  private ring(t: number, impact: number): number {
    const w = 2 * Math.PI * this.options.oscillationHz * (t / 1000);
    return Math.exp(-t / this.tauMs) * (Math.cos(w) - impact * Math.sin(w));
  }

  private vibration(at: number): number {
    if (this.pushStartedAt === undefined || at < this.pushStartedAt) return 0;
    const envelope =
      this.pushStoppedAt === undefined ? 1 : Math.exp(-Math.max(0, at - this.pushStoppedAt) / this.tauMs);
    if (envelope < 1e-4) return 0;
    const s = at / 1000;
    const wave = 0.55 * Math.sin(2 * Math.PI * 6.3 * s) + 0.3 * Math.sin(2 * Math.PI * 14.1 * s + 1);
    return this.options.vibrationGrams * envelope * (wave + 0.15 * this.normal());
  }

  private fold(at: number): void {
    const horizon = at - FOLD_AFTER_TAUS * Math.max(this.options.creepTauMs, this.tauMs);
    if (this.changes.length === 0 || (this.changes[0]?.at ?? at) > horizon) return;
    const keep: LoadChange[] = [];
    for (const change of this.changes) {
      if (change.at <= horizon) {
        this.staticGrams += change.grams;
        this.staticCreepGrams += change.grams * this.options.creepFraction;
      } else keep.push(change);
    }
    this.changes = keep;
  }
}
