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

/** Corrective passes before giving up with AUDIO_NORMALISATION_FAILED. */
export const MAX_GAIN_PASSES = 4;

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

/**
 * The next gain after measuring the processed programme. The limiter took loudness away (its gain reduction on the
 * peaks lowers the power mean), so the missing difference is added and the limiter, with more to do, runs again;
 * each pass closes most of the gap because the limiter only ever acts on the peaks above its ceiling.
 */
export function correctedGain(
  previous: GainStage,
  input: LoudnessMeasurement,
  processed: LoudnessMeasurement,
  target: LoudnessTarget,
): GainStage {
  const gainDb = previous.gainDb + (target.integratedLufs - processed.integratedLufs);
  return { gainDb, limiterCeiling: limiterFor(input.truePeakDbtp + gainDb, target) };
}

/** Whether a measurement is close enough that no corrective pass is needed. */
export function onAim(measured: LoudnessMeasurement, target: LoudnessTarget): boolean {
  return Math.abs(measured.integratedLufs - target.integratedLufs) <= Math.min(AIM_LU, target.toleranceLu);
}

/** Whether a stored file's measurement meets the target: loudness within ±tolerance. */
export function withinTolerance(measured: LoudnessMeasurement, target: LoudnessTarget): boolean {
  return Math.abs(measured.integratedLufs - target.integratedLufs) <= target.toleranceLu;
}

function limiterFor(predictedPeakDbtp: number, target: LoudnessTarget): number | null {
  const ceilingDb = target.truePeakDbtp - LIMITER_MARGIN_DB;
  return predictedPeakDbtp > ceilingDb ? dbToLinear(ceilingDb) : null;
}
