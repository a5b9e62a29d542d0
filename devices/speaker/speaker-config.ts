import { z } from 'zod';
import { loadConfig } from '../../platform/config-loader.ts';
import { HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE } from '../../protocol/thing-names.ts';
import { DeviceConfigSchema } from '../core/device-config.ts';

export const SpeakerConfigSchema = DeviceConfigSchema.extend({
  /** `broadcast` boxes drive the store amplifier from mains; `promo` speakers sit at a shelf on battery with a PIR. */
  model: z.enum(['broadcast', 'promo']).default('broadcast'),
  hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE).default('BX-100'),
  softwareVersion: z.string().min(1).default('0.1.0'),
  /** Volume until the shadow says otherwise. */
  defaultVolume: z.number().int().min(0).max(100).default(60),
  /** What the speaker holds locally and loops until the broadcast scheduler (a later issue) takes over. */
  localContent: z
    .array(z.strictObject({ id: z.string().min(1), title: z.string().min(1), durationMs: z.number().int().min(100) }))
    .default([
      { id: 'ambient-morning', title: 'Morning ambience', durationMs: 180_000 },
      { id: 'ambient-market', title: 'Market stroll', durationMs: 210_000 },
    ]),
});

export type SpeakerConfig = z.infer<typeof SpeakerConfigSchema>;
export type SpeakerConfigInput = z.input<typeof SpeakerConfigSchema>;

export function loadSpeakerConfig(file?: string, env: NodeJS.ProcessEnv = process.env): SpeakerConfig {
  return loadConfig(SpeakerConfigSchema, { file: file ?? env.SPEAKER_CONFIG, envPrefix: 'SPEAKER', env });
}
