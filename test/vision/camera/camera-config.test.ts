import assert from 'node:assert/strict';
import { systemClock } from '../../../platform/clock.ts';
import { CameraConfigSchema } from '../../../vision/camera/camera-config.ts';
import { createCamera } from '../../../vision/camera/create-camera.ts';
import { FfmpegCamera } from '../../../vision/camera/ffmpeg-camera.ts';
import { VirtualCamera } from '../../../vision/camera/virtual-camera.ts';

describe('CameraConfigSchema and createCamera', () => {
  it('fills the defaults of each kind and builds that camera', () => {
    const ffmpeg = CameraConfigSchema.parse({ kind: 'ffmpeg' });
    assert.deepEqual(ffmpeg, {
      kind: 'ffmpeg',
      device: '/dev/video0',
      inputFormat: 'v4l2',
      inputOptions: [],
      width: 320,
      height: 240,
      idleMs: 10_000,
      captureTimeoutMs: 2_000,
    });
    const camera = createCamera(
      CameraConfigSchema.parse({ kind: 'ffmpeg', inputOptions: ['-video_size', '640x480'], width: 160, height: 120 }),
      systemClock,
    );
    assert.ok(camera instanceof FfmpegCamera);
    assert.deepEqual(camera.options.inputOptions, ['-video_size', '640x480']);
    assert.equal(camera.options.width, 160);
    const virtual = createCamera(CameraConfigSchema.parse({ kind: 'virtual', seed: 9 }), systemClock);
    assert.ok(virtual instanceof VirtualCamera);
    assert.equal(virtual.options.seed, 9);
    assert.deepEqual(virtual.options.floorCm, { width: 50, height: 37 });
  });

  it('refuses an unknown kind, options of the other kind, and sizes out of range', () => {
    assert.equal(CameraConfigSchema.safeParse({ kind: 'usb' }).success, false);
    assert.equal(CameraConfigSchema.safeParse({ kind: 'virtual', device: '/dev/video0' }).success, false);
    assert.equal(CameraConfigSchema.safeParse({ kind: 'ffmpeg', width: 8 }).success, false);
    assert.equal(CameraConfigSchema.safeParse({ kind: 'ffmpeg', inputOptions: '-re' }).success, false);
  });
});
