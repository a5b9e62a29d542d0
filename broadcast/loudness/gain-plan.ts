import type { LoudnessMeasurement } from './ebur128-summary.ts';

/** Where a normalised asset must land (protocol/broadcast's DEFAULT_LOUDNESS_TARGET, or the fleet's config). */
export interface LoudnessTarget {
  integratedLufs: number;
  truePeakDbtp: number;
  toleranceLu: number;
}

/**
 * How far below the true-peak target the limiter's ceiling sits. The limiter runs at 192 kHz (4x oversampled, the
 * rate BS.1770-4 Annex 2 prescribes for true-peak measurement), but resampling back to 48 kHz and the Opus encoder
 * both add a little overshoot (measured here: up to ~0.4 dB on clipped square waves at 64 kbit/s), so the ceiling
 * keeps that margin.
 */
export const LIMITER_MARGIN_DB = 0.5;

/**
 * The pipeline aims tighter than the tolerance it must meet: a processed measurement further than this from the
 * target gets a corrective pass, so the stored file (measured again after encoding) is well inside ±tolerance.
 */
export const AIM_LU = 0.3;

/** ffmpeg prints loudness to 0.1 LU; −16.3 − (−16) is 0.3000000000000007 in binary floating point. */
const EPSILON_LU = 1e-6;

/** Corrective passes before giving up with AUDIO_NORMALISATION_FAILED. */
export const MAX_GAIN_PASSES = 6;

export interface GainStage {
  /** Linear gain applied to the whole programme, dB. */
  gainDb: number;
  /** The oversampled limiter's ceiling as a linear sample value, or `null` when the gained signal stays below it. */
  limiterCeiling: number | null;
}

export function dbToLinear(db: number): number {
  return 10 ** (db / 20);
}

/**
 * The first gain: the whole difference to the target, as one linear gain (what ReplayGain and Liquidsoap's track
 * gain do). A linear gain changes BS.1770 loudness by exactly its dB value — integrated loudness is a power mean, so
 * scaling every sample by g scales every gated block's power by g² (and the relative gate moves with them) — which is
 * why it lands short clips and constant-level sources exactly where loudnorm's dynamic mode barely moves them. The
 * limiter is engaged only when the true peak would pass the ceiling.
 */
export function initialGain(input: LoudnessMeasurement, target: LoudnessTarget): GainStage {
  const gainDb = target.integratedLufs - input.integratedLufs;
  return { gainDb, limiterCeiling: limiterFor(input.truePeakDbtp + gainDb, target) };
}

/** One gain pass and what it measured. */
export interface GainTrial {
  gainDb: number;
  measuredLufs: number;
}

/** The largest step one corrective pass may take, dB (a guard against a wild extrapolation). */
const MAX_STEP_DB = 24;

/**
 * The next gain after measuring the processed programme. Without the limiter, loudness follows the gain dB for dB
 * and one pass suffices. With it, the gain reduction on the peaks takes loudness away, the more so the harder it
 * works: on programmes whose loudness sits in rare peaks (a click track, a chime over near-silence) 1 dB more gain
 * can yield far less than 1 LU. So the step is the missing difference divided by the slope seen between the last two
 * passes (a secant step), the slope bounded to (0.05, 1] LU/dB; with one pass only, the slope is taken as 1.
 */
export function correctedGain(
  trials: readonly GainTrial[],
  input: LoudnessMeasurement,
  target: LoudnessTarget,
): GainStage {
  const last = trials.at(-1);
  if (!last) return initialGain(input, target);
  const before = trials.at(-2);
  let slope = 1;
  if (before && last.gainDb !== before.gainDb) {
    slope = (last.measuredLufs - before.measuredLufs) / (last.gainDb - before.gainDb);
    slope = Math.min(1, Math.max(0.05, Number.isFinite(slope) ? slope : 1));
  }
  const step = Math.max(-MAX_STEP_DB, Math.min(MAX_STEP_DB, (target.integratedLufs - last.measuredLufs) / slope));
  const gainDb = last.gainDb + step;
  return { gainDb, limiterCeiling: limiterFor(input.truePeakDbtp + gainDb, target) };
}

/**
 * The same gain with the limiter's ceiling lowered by what the encoded file's true peak overshot the target by
 * (plus 0.1 dB). Opus reconstructs a band-limited waveform whose peaks may exceed the limited PCM's, most on sparse
 * high-frequency bursts (measured here: up to 2 dB on 5 ms 2 kHz bursts at 64 kbit/s); only the encoded file's own
 * measurement tells by how much.
 */
export function tightenedCeiling(stage: GainStage, overshootDb: number, target: LoudnessTarget): GainStage {
  const current = stage.limiterCeiling ?? dbToLinear(target.truePeakDbtp - LIMITER_MARGIN_DB);
  return { gainDb: stage.gainDb, limiterCeiling: Math.max(0.0625, current * dbToLinear(-(overshootDb + 0.1))) };
}

/** Encodings retried with a lower ceiling when the encoded file's true peak passes the target. */
export const MAX_PEAK_PASSES = 2;

/** Whether a measurement is close enough that no corrective pass is needed. */
export function onAim(measured: LoudnessMeasurement, target: LoudnessTarget): boolean {
  return Math.abs(measured.integratedLufs - target.integratedLufs) <= Math.min(AIM_LU, target.toleranceLu) + EPSILON_LU;
}

/** Whether a stored file's measurement meets the target: loudness within ±tolerance. */
export function withinTolerance(measured: LoudnessMeasurement, target: LoudnessTarget): boolean {
  return Math.abs(measured.integratedLufs - target.integratedLufs) <= target.toleranceLu + EPSILON_LU;
}

function limiterFor(predictedPeakDbtp: number, target: LoudnessTarget): number | null {
  const ceilingDb = target.truePeakDbtp - LIMITER_MARGIN_DB;
  return predictedPeakDbtp > ceilingDb ? dbToLinear(ceilingDb) : null;
}
