import type { FrameCrops } from '../../devices/cart/vision/frame-embedder.ts';
import type { CameraFailureReason } from '../../protocol/vision/camera.ts';
import {
  type Camera,
  type CameraFrame,
  type CameraStatus,
  CameraStatusTracker,
  cameraUnavailable,
} from '../../vision/camera/camera.ts';
import type { PixelBox } from '../../vision/camera/change-crop.ts';

/**
 * A camera double behind `vision/camera/`'s `Camera` interface: each frame is filled with one byte, the "scene code"
 * the test set (`show(code)`), so a fake crop and a fake model can tell what the camera saw. `fail(reason, detail)`
 * and `recover()` as the virtual camera does: captures reject CAMERA_UNAVAILABLE, the status follows.
 */
export class FakeCamera implements Camera {
  code = 0;
  /** A whole frame to show instead of the code fill (`showImage`). */
  image: Uint8Array | null = null;
  wakes = 0;
  captures = 0;
  private readonly tracker = new CameraStatusTracker({ ok: true, reason: null, detail: null, since: 0 });

  constructor(
    readonly width = 8,
    readonly height = 6,
  ) {}

  show(code: number): void {
    this.code = code;
    this.image = null;
  }

  /** Shows `rgb` (width × height × 3 bytes) as the next frames. */
  showImage(rgb: Uint8Array): void {
    this.image = rgb;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async capture(at: number): Promise<CameraFrame> {
    this.captures++;
    const status = this.tracker.get();
    if (!status.ok) throw cameraUnavailable(status.reason ?? 'injected', status.detail ?? 'failed');
    const rgb = this.image ? this.image.slice() : new Uint8Array(this.width * this.height * 3).fill(this.code);
    return { width: this.width, height: this.height, rgb, at };
  }

  wake(): void {
    this.wakes++;
  }

  status(): CameraStatus {
    return this.tracker.get();
  }

  onStatus(listener: (status: CameraStatus) => void): () => void {
    return this.tracker.listen(listener);
  }

  fail(reason: CameraFailureReason, detail: string, at = 0): void {
    this.tracker.fail(reason, detail, at);
  }

  recover(at = 0): void {
    this.tracker.ok(at);
  }
}

/** Crops that keep the scene code: every crop is `size`×`size` of the frame's first byte. */
export const codeCrops: FrameCrops = {
  changedRegion: (_before, after): PixelBox => ({ x: 0, y: 0, width: after.width, height: after.height }),
  squareCrop: (frame, _box, size) => new Uint8Array(size * size * 3).fill(frame.rgb[0] ?? 0),
  centreBox: (frame): PixelBox => ({ x: 0, y: 0, width: frame.width, height: frame.height }),
};

/** Crops that take the whole frame as it is (a frame already the model's input size): the image double's crops. */
export const wholeFrameCrops: FrameCrops = {
  changedRegion: (_before, after): PixelBox => ({ x: 0, y: 0, width: after.width, height: after.height }),
  squareCrop: (frame, _box, size) => {
    if (frame.width !== size || frame.height !== size) throw new Error(`a ${frame.width}×${frame.height} frame`);
    return frame.rgb.slice();
  },
  centreBox: (frame): PixelBox => ({ x: 0, y: 0, width: frame.width, height: frame.height }),
};
