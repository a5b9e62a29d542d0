import { z } from 'zod';
import { FFMPEG_CAMERA_DEFAULTS } from './ffmpeg-camera.ts';

/** The virtual camera's defaults (here, not in virtual-camera.ts: reading a config must not load the renderer). */
export const VIRTUAL_CAMERA_DEFAULTS = {
  seed: 1,
  width: 320,
  height: 240,
  floorCm: { width: 50, height: 37 },
  handWindowMs: 2500,
  motionWindowMs: 1200,
} as const;

const frameSize = {
  /** The frames the camera hands out (an ffmpeg camera scales to this). */
  width: z.number().int().min(32).max(1920),
  height: z.number().int().min(32).max(1080),
};

/**
 * The basket camera in a cart's config (the cart's wiring constructs it with `createCamera`): `ffmpeg` on a real
 * cart (V4L2 through ffmpeg), `virtual` in the simulator.
 */
export const CameraConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('virtual'),
    /** The scene's seed (poses, light, noise); the simulator gives each cart its own. */
    seed: z.number().int().min(0).max(0xffffffff).default(VIRTUAL_CAMERA_DEFAULTS.seed),
    width: frameSize.width.default(VIRTUAL_CAMERA_DEFAULTS.width),
    height: frameSize.height.default(VIRTUAL_CAMERA_DEFAULTS.height),
    /** The basket floor the frame covers (cm). */
    floorCm: z
      .strictObject({ width: z.number().min(10).max(200), height: z.number().min(10).max(200) })
      .default({ ...VIRTUAL_CAMERA_DEFAULTS.floorCm }),
    handWindowMs: z.number().int().min(0).default(VIRTUAL_CAMERA_DEFAULTS.handWindowMs),
    motionWindowMs: z.number().int().min(0).default(VIRTUAL_CAMERA_DEFAULTS.motionWindowMs),
  }),
  z.strictObject({
    kind: z.literal('ffmpeg'),
    /** `/dev/video0`, or what the input format opens. */
    device: z.string().min(1).default(FFMPEG_CAMERA_DEFAULTS.device),
    /** ffmpeg's `-f` (`v4l2` on Linux). */
    inputFormat: z.string().min(1).default(FFMPEG_CAMERA_DEFAULTS.inputFormat),
    /** ffmpeg options before `-i`, one argument per item: `["-video_size", "640x480", "-framerate", "15"]`. */
    inputOptions: z.array(z.string().min(1)).default([]),
    width: frameSize.width.default(FFMPEG_CAMERA_DEFAULTS.width),
    height: frameSize.height.default(FFMPEG_CAMERA_DEFAULTS.height),
    /** The stream closes after this long without a wake or a capture (ms). */
    idleMs: z.number().int().min(100).max(600_000).default(FFMPEG_CAMERA_DEFAULTS.idleMs),
    /** A capture fails after this long without a fresh frame (ms); a V4L2 camera's first frame takes ~0.3–1 s. */
    captureTimeoutMs: z.number().int().min(100).max(60_000).default(FFMPEG_CAMERA_DEFAULTS.captureTimeoutMs),
    /** The ffmpeg binary; unset: resolved as platform/ffmpeg-binary.ts says. */
    ffmpegPath: z.string().min(1).optional(),
  }),
]);

export type CameraConfig = z.infer<typeof CameraConfigSchema>;
export type CameraConfigInput = z.input<typeof CameraConfigSchema>;
