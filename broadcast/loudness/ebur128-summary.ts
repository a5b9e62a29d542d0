/**
 * What ffmpeg's `ebur128` filter prints at the end of a run (its "Summary" block on stderr), read into numbers.
 *
 * The summary, not the per-frame log: the integrated loudness of ITU-R BS.1770-4 is defined over the whole
 * programme (gated 400 ms blocks), so only the final values count. ffmpeg 4.x prints it as
 *
 *     Integrated loudness:
 *       I:         -23.0 LUFS
 *       Threshold: -33.0 LUFS
 *     ...
 *     True peak:
 *       Peak:       -1.2 dBFS
 *
 * ("dBFS" on the true-peak line is ffmpeg's label; with `peak=true` the value is the 4x-oversampled true peak,
 * i.e. dBTP). A programme with no block above the absolute gate (−70 LUFS) reports `I: -70.0`; a digital silence's
 * peak is `-inf`.
 */
export interface LoudnessMeasurement {
  /** Integrated loudness, LUFS (BS.1770-4 gated); −70 when no block passed the absolute gate. */
  integratedLufs: number;
  /** True peak, dBTP; `-Infinity` for digital silence. */
  truePeakDbtp: number;
}

const SUMMARY = /Summary:([\s\S]*)$/;
const INTEGRATED = /Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+|-?inf|nan)\s*LUFS/i;
const TRUE_PEAK = /True peak:\s*\n\s*Peak:\s*(-?[\d.]+|-?inf|nan)\s*dBFS/i;

function number(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'inf') return Number.POSITIVE_INFINITY;
  return Number(lower);
}

/**
 * The last summary in `stderr` (a run with several ebur128 instances prints one per instance, in filter order: pass
 * `index` to pick one), or `undefined` when there is none (ffmpeg failed before the filter graph ended).
 */
export function parseEbur128Summary(stderr: string, index = -1): LoudnessMeasurement | undefined {
  const blocks = stderr.split(/\[Parsed_ebur128_\d+ @ [^\]]+\] Summary:/).slice(1);
  if (blocks.length === 0) {
    const single = SUMMARY.exec(stderr);
    if (!single) return undefined;
    blocks.push(single[1] as string);
  }
  const block = blocks.at(index);
  if (block === undefined) return undefined;
  const integrated = INTEGRATED.exec(block);
  const peak = TRUE_PEAK.exec(block);
  if (!integrated || !peak) return undefined;
  const integratedLufs = number(integrated[1] as string);
  const truePeakDbtp = number(peak[1] as string);
  if (Number.isNaN(integratedLufs) || Number.isNaN(truePeakDbtp)) return undefined;
  return { integratedLufs, truePeakDbtp };
}

/** `Duration: 01:02:03.45` of ffmpeg's input description, in ms; `undefined` for `N/A` or none. */
export function parseContainerDurationMs(stderr: string): number | undefined {
  const match = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  if (!match) return undefined;
  const [, h, m, s] = match;
  return Math.round((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1000);
}
