export { type LoudnessMeasurement, parseContainerDurationMs, parseEbur128Summary } from './ebur128-summary.ts';
export { FfmpegProcesses } from './ffmpeg-run.ts';
export { correctedGain, dbToLinear, initialGain, type LoudnessTarget, withinTolerance } from './gain-plan.ts';
export {
  LOOPED_MEASUREMENT_BELOW_MS,
  LoudnessNormaliser,
  type NormalisedAudio,
  type NormaliserOptions,
} from './loudness-normaliser.ts';
export { ProcessSlots } from './process-slots.ts';
export { WaveformBuilder } from './waveform.ts';
