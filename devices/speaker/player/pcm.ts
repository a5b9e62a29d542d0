import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';

/**
 * The player's one PCM format: DEVICE_AUDIO_FORMAT's rate and channels (48 kHz mono, Opus's native rate, so decoding
 * never resamples), signed 16-bit little-endian at the edges (decoder output, sinks), float −1..1 inside the mixer.
 */
export const PCM = {
  sampleRate: DEVICE_AUDIO_FORMAT.sampleRate,
  channels: DEVICE_AUDIO_FORMAT.channels,
  bytesPerSample: 2,
  /** ffmpeg's name of the format (`-f s16le`) and ALSA's (`aplay -f S16_LE`). */
  ffmpegFormat: 's16le',
} as const;

export const SAMPLES_PER_MS = PCM.sampleRate / 1000;

export function samplesFromMs(ms: number): number {
  return Math.round(ms * SAMPLES_PER_MS);
}

export function msFromSamples(samples: number): number {
  return samples / SAMPLES_PER_MS;
}

/**
 * Something the mixer reads samples from: a decoder, a generated tone. Reading never blocks: a source that has
 * nothing yet returns fewer samples than asked (the mixer counts an underrun and plays silence, never stalls).
 */
export interface PcmSource {
  /** Copies up to `count` samples (float −1..1) into `out` from `offset`; returns how many it had. */
  read(out: Float32Array, offset: number, count: number): number;
  /** No sample will ever come again (ended, failed or closed). */
  readonly done: boolean;
  /** Why it ended early, if it failed (a decoder's coded error). */
  readonly error: Error | undefined;
  /** Releases what it holds (a decoder's child process). Idempotent. */
  close(): void;
}

/** dB to a linear amplitude factor; at or below {@link SILENT_DB} it is exactly 0. */
export function gainFromDb(db: number): number {
  return db <= SILENT_DB ? 0 : 10 ** (db / 20);
}

/** The floor of every gain ramp: −90 dB puts a full-scale signal below 16-bit PCM's last bit (−96 dBFS). */
export const SILENT_DB = -90;
