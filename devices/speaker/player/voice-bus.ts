import type { BusStats } from './music-bus.ts';
import type { Playback } from './playback.ts';

/**
 * Announcements: one at a time, each placed at its start sample. When a queued one's sample comes while another
 * plays, the higher rank wins: a higher layer cuts the current one (interrupted); a lower or equal one does not get
 * to play (skipped). Layer ranks are protocol/broadcast/layers.ts's `layerRank`.
 */
export class VoiceBus {
  current: Playback | undefined;
  private queue: Playback[] = [];
  private scratch = new Float32Array(0);

  constructor(private readonly stats: BusStats) {}

  schedule(playback: Playback): void {
    this.queue.push(playback);
    this.queue.sort((a, b) => a.startSample - b.startSample || b.rank - a.rank);
  }

  /** Drops a queued playback that has not started (skipped). */
  cancel(playback: Playback, sample: number): void {
    const i = this.queue.indexOf(playback);
    if (i >= 0) {
      this.queue.splice(i, 1);
      playback.end(sample, 'skipped');
    }
  }

  /** Stops the current playback at `sample` and drops every queued one. */
  clear(sample: number): void {
    for (const p of this.queue.splice(0)) p.end(sample, 'skipped');
    if (this.current) this.current.stopAt = Math.min(this.current.stopAt ?? sample, sample);
  }

  /** Ends everything now (the player stops): the current one interrupted, the queued ones skipped. */
  endAll(sample: number): void {
    const current = this.current;
    this.current = undefined;
    for (const p of this.queue.splice(0)) p.end(sample, 'skipped');
    current?.end(sample, 'interrupted');
  }

  get idle(): boolean {
    return this.current === undefined && this.queue.length === 0;
  }

  /** Playbacks waiting for their start sample. */
  get queued(): readonly Playback[] {
    return this.queue;
  }

  render(mix: Float32Array, from: number, to: number): void {
    let pos = from;
    while (pos < to) {
      const q = this.queue[0];
      const p = this.current;
      if (!p) {
        if (!q || q.startSample >= to) break;
        this.queue.shift();
        q.startSample = Math.max(q.startSample, pos);
        this.current = q;
        pos = q.startSample;
        continue;
      }
      const segStart = Math.max(pos, p.startSample);
      const arrival = q ? Math.max(q.startSample, segStart) : Number.POSITIVE_INFINITY;
      if (q && arrival === segStart) {
        this.queue.shift();
        if (q.rank > p.rank) {
          this.current = undefined;
          p.end(segStart, 'interrupted');
          q.startSample = segStart;
          this.current = q;
        } else q.end(segStart, 'skipped');
        continue;
      }
      if (p.stopAt !== undefined && segStart >= p.stopAt) {
        this.current = undefined;
        p.end(Math.max(p.stopAt, from), 'interrupted');
        pos = segStart;
        continue;
      }
      const segEnd = Math.min(to, arrival, p.stopAt ?? Number.POSITIVE_INFINITY);
      const n = segEnd - segStart;
      if (this.scratch.length < n) this.scratch = new Float32Array(n);
      const got = p.source.read(this.scratch, 0, n);
      if (got > 0) {
        p.start(segStart);
        const at = segStart - from;
        for (let i = 0; i < got; i++) mix[at + i] = (mix[at + i] as number) + (this.scratch[i] as number);
      }
      if (got < n) {
        if (p.source.done) {
          this.current = undefined;
          p.end(segStart + got, 'completed');
          pos = segStart + got;
          continue;
        }
        this.stats.underruns++;
        this.stats.underrunSamples += n - got;
        // Late decoder: the rest is silence, but a queued arrival in this block must still be judged.
        pos = segEnd;
        continue;
      }
      pos = segEnd;
    }
  }
}
