import { z } from 'zod';

/**
 * A speaker's `audio` config: where the mix goes and which ffmpeg decodes. `alsa` on a real box (device names in
 * docs/operations.md); `file` (a WAV of everything played, for the simulator and for listening) or `null` elsewhere.
 */
export const AudioConfigSchema = z
  .strictObject({
    sink: z.enum(['alsa', 'file', 'null']).default('null'),
    /** ALSA PCM name (sink `alsa`). */
    device: z.string().min(1).default('default'),
    /** What writes to ALSA: ffmpeg's `-f alsa` output, or `aplay`. */
    player: z.enum(['ffmpeg', 'aplay']).default('ffmpeg'),
    /** The WAV file (sink `file`). */
    path: z.string().min(1).optional(),
    /** The ffmpeg binary; unset: resolved as platform/ffmpeg-binary.ts says. */
    ffmpegPath: z.string().min(1).optional(),
    /** How far ahead of now the mixer renders (ms). */
    lookaheadMs: z.number().int().min(20).max(2000).default(200),
    /** How long before its time an item's decoder starts (ms). */
    prerollMs: z.number().int().min(200).max(30_000).default(3000),
  })
  .refine((c) => c.sink !== 'file' || c.path, {
    message: 'audio.path is required when audio.sink is "file"',
    path: ['path'],
  });

export type AudioConfig = z.infer<typeof AudioConfigSchema>;
