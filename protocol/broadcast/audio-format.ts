/**
 * The one audio format every speaker plays, and the loudness every stored asset is normalised to. The fleet's content
 * pipeline transcodes every upload and every announcer asset into it; the speaker decodes only this.
 *
 * Opus in Ogg, 48 kHz mono: in-store PA systems are mono zones (70/100 V lines), Opus at 64 kbit/s is transparent
 * for speech and background music at a fifth of FLAC's size (28 MB an hour: a 32 GB box holds over 1,000 hours), and
 * 48 kHz is Opus's native rate, so decoding never resamples.
 */
export const DEVICE_AUDIO_FORMAT = {
  container: 'ogg',
  codec: 'opus',
  sampleRate: 48_000,
  channels: 1,
  bitrateKbps: 64,
  /** File extension of a stored asset: `{sha256}.opus`. */
  extension: 'opus',
  mimeType: 'audio/ogg; codecs=opus',
} as const;

/** EBU R128 / AES streaming practice (AzuraCast and Liquidsoap's default track gain target). */
export const DEFAULT_LOUDNESS_TARGET = {
  /** Integrated loudness, LUFS. */
  integratedLufs: -16,
  /** Maximum true peak, dBTP. */
  truePeakDbtp: -1.5,
  /** A stored asset must measure within this many LU of the target, whatever the input. */
  toleranceLu: 1,
} as const;

/** Below this integrated loudness an input counts as silent (EBU R128's absolute gate is −70 LUFS). */
export const SILENCE_GATE_LUFS = -70;

/** Upload limits (the fleet's config may lower or raise them). */
export const DEFAULT_CONTENT_LIMITS = {
  maxUploadBytes: 100 * 1024 * 1024,
  maxDurationMs: 2 * 3_600_000,
} as const;

/** Points in an asset's waveform preview: the peak of each of this many equal slices, 0..1. */
export const WAVEFORM_POINTS = 200;
