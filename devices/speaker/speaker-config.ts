import { z } from 'zod';
import { loadConfig } from '../../platform/config-loader.ts';
import { HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE } from '../../protocol/thing-names.ts';
import { DeviceConfigSchema } from '../core/device-config.ts';
import { AudioConfigSchema } from './player/audio-config.ts';

export const SpeakerConfigSchema = DeviceConfigSchema.extend({
  /** `broadcast` boxes drive the store amplifier from mains; `promo` speakers sit at a shelf on battery with a PIR. */
  model: z.enum(['broadcast', 'promo']).default('broadcast'),
  hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE).default('BX-100'),
  softwareVersion: z.string().min(1).default('0.1.0'),
  /** Volume until the shadow says otherwise; with a manifest its volume spans decide (quiet outside them). */
  defaultVolume: z.number().int().min(0).max(100).default(60),
  /**
   * The loudest the speaker plays: the desired volume and the manifest's volume spans are capped to it, an emergency
   * announcement is not. A config release sets it chain-wide (`speaker.maxVolume`), e.g. for a store's neighbours.
   */
  maxVolume: z.number().int().min(0).max(100).default(100),
  /** Broadcast delivery (issue 9): the content cache and proof of play. */
  broadcast: z
    .strictObject({
      /**
       * The content cache's storage budget. 8 GiB on a simulated speaker; the real broadcast box has 32 GB of flash
       * (docs/operations.md), of which the system and logs take about 4.
       */
      cacheBudgetBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .default(8 * 1024 ** 3),
      /** Plays logged within this long of each other go to the fleet in one message. */
      playBatchDelayMs: z.number().int().min(0).max(600_000).default(2_000),
      /** A content request without an answer (or stalled) for this long is dropped and resumed later. */
      requestTimeoutMs: z.number().int().min(1000).default(30_000),
    })
    .prefault({}),
  /**
   * dB SPL where shoppers stand, playing programme at the loudness target (−16 LUFS) at volume 100: measured once per
   * speaker with a sound level meter (docs/operations.md, "Calibrating a promo speaker"). Presence promos are held at
   * their campaign's target level through it (broadcast/promo-level.ts). The default is a typical 5 W shelf speaker
   * at one metre.
   */
  calibration: z.strictObject({ splAtFullVolumeDb: z.number().min(50).max(130).default(84) }).prefault({}),
  /** A sound level sensor on A2 (speaker-hardware.ts): promos rise over the ambient noise it measures. */
  microphone: z.boolean().default(false),
  /** Audio output: `{ sink: 'alsa' | 'file' | 'null', device?, player?, path?, ffmpegPath? }` (player/audio-config.ts). */
  audio: AudioConfigSchema.prefault({}),
});

export type SpeakerConfig = z.infer<typeof SpeakerConfigSchema>;
export type SpeakerConfigInput = z.input<typeof SpeakerConfigSchema>;

export function loadSpeakerConfig(file?: string, env: NodeJS.ProcessEnv = process.env): SpeakerConfig {
  return loadConfig(SpeakerConfigSchema, { file: file ?? env.SPEAKER_CONFIG, envPrefix: 'SPEAKER', env });
}
