import { type PcmSource, SAMPLES_PER_MS, samplesFromMs } from './pcm.ts';

export interface BeepPattern {
  frequencyHz: number;
  onMs: number;
  offMs: number;
  /** Peak amplitude, 0..1 (0.5 = −6 dBFS). */
  amplitude: number;
}

/** The locate tone: a technician walking the store follows a 1 kHz beep twice a second, well clear of music. */
export const LOCATE_BEEP: BeepPattern = { frequencyHz: 1000, onMs: 250, offMs: 250, amplitude: 0.5 };

/** 5 ms raised-cosine edges: a hard-keyed sine clicks. */
const EDGE_MS = 5;

/** A beep pattern generated sample by sample for `durationMs`: no file, no decoder. */
export class ToneSource implements PcmSource {
  private position = 0;
  private closed = false;
  private readonly total: number;
  private readonly period: number;
  private readonly on: number;
  private readonly edge = samplesFromMs(EDGE_MS);

  constructor(
    durationMs: number,
    private readonly pattern: BeepPattern = LOCATE_BEEP,
  ) {
    this.total = samplesFromMs(durationMs);
    this.on = samplesFromMs(pattern.onMs);
    this.period = this.on + samplesFromMs(pattern.offMs);
  }

  get done(): boolean {
    return this.closed || this.position >= this.total;
  }

  readonly error = undefined;

  read(out: Float32Array, offset: number, count: number): number {
    if (this.closed) return 0;
    const n = Math.min(count, this.total - this.position);
    const w = (2 * Math.PI * this.pattern.frequencyHz) / (SAMPLES_PER_MS * 1000);
    for (let i = 0; i < n; i++) {
      const s = this.position + i;
      const phase = s % this.period;
      let v = 0;
      if (phase < this.on) {
        const edge = Math.min(phase, this.on - 1 - phase);
        const shape = edge >= this.edge ? 1 : 0.5 - 0.5 * Math.cos((Math.PI * edge) / this.edge);
        v = this.pattern.amplitude * shape * Math.sin(w * s);
      }
      out[offset + i] = v;
    }
    this.position += n;
    return n;
  }

  close(): void {
    this.closed = true;
  }
}
