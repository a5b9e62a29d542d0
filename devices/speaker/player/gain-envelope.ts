import { gainFromDb, SILENT_DB } from './pcm.ts';

interface Point {
  sample: number;
  db: number;
}

/**
 * A bus's gain over the timeline, in dB, set ahead of time at sample positions: ramps interpolate linearly in dB
 * (a ducking ramp then sounds even to the ear, as Liquidsoap's smooth_add does), constant after the last point.
 * Positions are the mixer's timeline samples, so a ramp lands on the sample it was planned for.
 */
export class GainEnvelope {
  private points: Point[] = [];

  constructor(private base = 0) {}

  /** The gain in dB at `sample`. */
  dbAt(sample: number): number {
    const points = this.points;
    if (points.length === 0 || sample < (points[0] as Point).sample) return this.base;
    for (let i = points.length - 1; i >= 0; i--) {
      const p = points[i] as Point;
      if (sample >= p.sample) {
        const next = points[i + 1];
        if (!next) return p.db;
        return p.db + ((next.db - p.db) * (sample - p.sample)) / (next.sample - p.sample);
      }
    }
    return this.base;
  }

  /**
   * From `fromSample`, ramps from whatever the envelope says there to `db` over `durationSamples`; what was planned
   * after `fromSample` is replaced.
   */
  rampTo(db: number, fromSample: number, durationSamples: number): void {
    const start = this.dbAt(fromSample);
    this.points = this.points.filter((p) => p.sample < fromSample);
    const target = Math.max(db, SILENT_DB);
    this.points.push({ sample: fromSample, db: start });
    this.points.push({ sample: fromSample + Math.max(1, Math.round(durationSamples)), db: target });
  }

  /** Multiplies `count` samples of `buf` from `offset` by the envelope, the first being timeline sample `sample`. */
  apply(buf: Float32Array, offset: number, count: number, sample: number): void {
    const first = this.dbAt(sample);
    const last = this.dbAt(sample + count - 1);
    if (first === last && this.constantOver(sample, count)) {
      const g = gainFromDb(first);
      if (g !== 1) for (let i = 0; i < count; i++) buf[offset + i] = (buf[offset + i] as number) * g;
      return;
    }
    for (let i = 0; i < count; i++) buf[offset + i] = (buf[offset + i] as number) * gainFromDb(this.dbAt(sample + i));
  }

  /** Forgets points wholly before `sample` (already rendered), keeping the value they set. */
  prune(sample: number): void {
    while (this.points.length >= 2 && (this.points[1] as Point).sample <= sample) {
      this.base = (this.points[1] as Point).db;
      this.points.shift();
    }
    if (this.points.length === 1 && (this.points[0] as Point).sample <= sample) {
      this.base = (this.points[0] as Point).db;
      this.points = [];
    }
  }

  private constantOver(sample: number, count: number): boolean {
    return !this.points.some((p) => p.sample > sample && p.sample < sample + count);
  }
}
