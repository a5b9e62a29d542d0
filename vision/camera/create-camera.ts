import type { Clock } from '../../platform/clock.ts';
import type { Camera } from './camera.ts';
import type { CameraConfig } from './camera-config.ts';
import { FfmpegCamera } from './ffmpeg-camera.ts';
import { VirtualCamera } from './virtual-camera.ts';

/**
 * The camera a cart's config names. (The virtual camera loads its renderer, @napi-rs/canvas and the fonts, only in
 * its `start()`, so a real cart's memory never holds them.) The simulator needs the virtual camera's own methods
 * (`place`, `remove`, `fail`): it narrows with `instanceof VirtualCamera`, or constructs one itself.
 */
export function createCamera(config: CameraConfig, clock: Clock): Camera {
  if (config.kind === 'virtual') {
    const { kind: _kind, ...options } = config;
    return new VirtualCamera(options, clock);
  }
  const { kind: _kind, ...options } = config;
  return new FfmpegCamera(options, clock);
}
