/** When a series of readings counts as steady. */
export interface StabilityOptions {
  /** The readings of this last stretch of time must all lie within `maxSpread` of each other... */
  windowMs: number;
  /** ...(largest minus smallest, per component). */
  maxSpread: number;
}

export type StabilityChange = { kind: 'stable'; mean: number[]; at: number } | { kind: 'unstable'; at: number };

/**
 * Decides "steady" for a sampled signal (a scale's grams, an accelerometer's axes): steady once every sample of the
 * last `windowMs` lies within `maxSpread`, and no longer as soon as one falls outside it. Reports the transitions
 * only. Pure: samples carry their own time.
 */
export class StabilityDetector {
  private samples: { at: number; value: number[] }[] = [];
  private steady = false;

  constructor(private readonly options: StabilityOptions) {}

  get isStable(): boolean {
    return this.steady;
  }

  /** The mean of the current window (the value a steady reading has). */
  mean(): number[] {
    return meanOf(this.samples.map((s) => s.value));
  }

  /** Feeds one sample; returns the transition it caused, if any. */
  push(at: number, value: number[]): StabilityChange | undefined {
    this.samples.push({ at, value });
    const from = at - this.options.windowMs;
    // Keep one sample at or before the window's start, so "the window is covered" can be told.
    while (this.samples.length > 1 && (this.samples[1]?.at ?? at) <= from) this.samples.shift();
    const covered = (this.samples[0]?.at ?? at) <= from;
    const spread = spreadOf(this.samples.map((s) => s.value));
    if (this.steady && spread > this.options.maxSpread) {
      this.steady = false;
      return { kind: 'unstable', at };
    }
    if (!this.steady && covered && spread <= this.options.maxSpread) {
      this.steady = true;
      return { kind: 'stable', mean: this.mean(), at };
    }
    return undefined;
  }

  reset(): void {
    this.samples = [];
    this.steady = false;
  }
}

function spreadOf(values: number[][]): number {
  let spread = 0;
  const width = values[0]?.length ?? 0;
  for (let i = 0; i < width; i++) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      const x = v[i] ?? 0;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    spread = Math.max(spread, max - min);
  }
  return spread;
}

function meanOf(values: number[][]): number[] {
  const width = values[0]?.length ?? 0;
  const sums = new Array<number>(width).fill(0);
  for (const v of values) for (let i = 0; i < width; i++) sums[i] = (sums[i] ?? 0) + (v[i] ?? 0);
  return sums.map((sum) => sum / Math.max(1, values.length));
}
