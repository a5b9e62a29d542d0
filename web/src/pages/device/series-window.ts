import type { Series } from '../../api/types.ts';

/**
 * A metric over a sliding time window, on the server's bucket grid (buckets start at `from` and are `bucketMs` wide).
 * The series endpoint lists only buckets with data; live points are merged into the bucket they fall in.
 */
export interface SeriesWindow {
  rangeMs: number;
  bucketMs: number;
  /** start of bucket 0; every bucket starts at origin + k * bucketMs */
  origin: number;
  /** the window shown: [to - rangeMs, to] */
  to: number;
  /** buckets with data, oldest first, keyed by start */
  buckets: { ts: number; avg: number; min: number; max: number; n: number }[];
}

export type PlotData = [
  number[],
  (number | null | undefined)[],
  (number | null | undefined)[],
  (number | null | undefined)[],
];

export function fromSeries(series: Series, rangeMs: number): SeriesWindow {
  return {
    rangeMs,
    bucketMs: series.bucketMs,
    origin: series.from,
    to: series.to,
    buckets: series.points
      .filter((p) => typeof p[1] === 'number')
      .map(([ts, avg, min, max]) => ({
        ts,
        avg: avg as number,
        min: min ?? (avg as number),
        max: max ?? (avg as number),
        n: 1,
      })),
  };
}

/** Moves the window's end to `now`, dropping buckets that have slid out. */
export function slide(w: SeriesWindow, now: number): void {
  w.to = Math.max(w.to, now);
  const from = w.to - w.rangeMs;
  while (w.buckets.length && w.buckets[0]!.ts + w.bucketMs <= from) w.buckets.shift();
}

/** Adds a live sample: into its bucket when that bucket already has data, otherwise as a new bucket. */
export function addSample(w: SeriesWindow, ts: number, value: number): void {
  const start = w.origin + Math.floor((ts - w.origin) / w.bucketMs) * w.bucketMs;
  const last = w.buckets.at(-1);
  if (last && last.ts === start) {
    last.avg = (last.avg * last.n + value) / (last.n + 1);
    last.n++;
    last.min = Math.min(last.min, value);
    last.max = Math.max(last.max, value);
  } else if (!last || start > last.ts) {
    w.buckets.push({ ts: start, avg: value, min: value, max: value, n: 1 });
  } // a late sample for an older bucket: the next reload picks it up
  slide(w, ts);
}

/**
 * How long without data counts as a gap (the device was offline or not reporting): longer than 1.5× the usual spacing
 * between buckets with data, and never less than two buckets. Sparse metrics (health every 10 s on 7.5 s buckets)
 * leave single empty buckets between samples; those are sampling, not gaps.
 */
export function gapThreshold(w: SeriesWindow): number {
  const steps: number[] = [];
  for (let i = 1; i < w.buckets.length; i++) steps.push(w.buckets[i]!.ts - w.buckets[i - 1]!.ts);
  steps.sort((a, b) => a - b);
  // the 75th percentile: robust against the gaps themselves and against jitter
  const usual = steps.length ? steps[Math.floor((steps.length - 1) * 0.75)]! : w.bucketMs;
  return Math.max(1.5 * usual, 2 * w.bucketMs - 1);
}

/**
 * uPlot columns (x in seconds) over every bucket in the window: data where there is some, `null` in gaps (uPlot breaks
 * the line there, spanGaps: false) and `undefined` in empty buckets between samples (uPlot joins across those).
 */
export function toPlotData(w: SeriesWindow): PlotData {
  const xs: number[] = [];
  const avg: (number | null | undefined)[] = [];
  const min: (number | null | undefined)[] = [];
  const max: (number | null | undefined)[] = [];
  const from = w.to - w.rangeMs;
  const gap = gapThreshold(w);
  const first = w.origin + Math.floor((from - w.origin) / w.bucketMs) * w.bucketMs;
  let i = 0;
  let prev: number | null = null;
  for (let t = first; t <= w.to; t += w.bucketMs) {
    xs.push(t / 1000);
    while (i < w.buckets.length && w.buckets[i]!.ts < t) i++;
    const b = w.buckets[i];
    if (b && b.ts === t) {
      avg.push(b.avg);
      min.push(b.min);
      max.push(b.max);
      prev = t;
      continue;
    }
    const next = b?.ts ?? null;
    // empty bucket: a gap when the data on either side is too far apart (or missing on one side)
    const isGap = prev === null || next === null || next - prev > gap;
    const v = isGap ? null : undefined;
    avg.push(v);
    min.push(v);
    max.push(v);
  }
  return [xs, avg, min, max];
}
