import { FleetError } from '../../protocol/errors.ts';
import type { CameraFailureReason, CameraStatus } from '../../protocol/vision/camera.ts';

export type { CameraFailureReason, CameraStatus } from '../../protocol/vision/camera.ts';

/** One picture of the basket: RGB bytes, 3 per pixel, row-major, `width`×`height`; `at`: when it was taken. */
export interface CameraFrame {
  width: number;
  height: number;
  rgb: Uint8Array;
  at: number;
}

/**
 * The basket camera (issue 11 item 5). Capture is triggered by the scale or by motion, never run continuously: the
 * cart calls `wake()` when the scale becomes unsteady or the cart sees motion (a real camera opens its stream then,
 * and closes it again after an idle time), and `capture()` once the scale settles.
 *
 * Failures are never thrown at the caller's feet as anything but `CAMERA_UNAVAILABLE` (with `details.reason`, a
 * {@link CameraFailureReason}), and they show in `status()` and to `onStatus` listeners, so the cart can fall back to
 * barcode-only mode and raise a health alert. `start()` does not reject for a camera problem either: it records it in
 * the status, and the next capture tries again.
 */
export interface Camera {
  start(): Promise<void>;
  /** Releases everything `start()` and the captures opened (an ffmpeg camera leaves no process behind). */
  stop(): Promise<void>;
  /**
   * The next frame taken after this call (a frame from before the drop would show the basket without the item).
   * `at`: when the cart asks (the moment the scale settled, on the cart's clock); the frame's `at` is not earlier.
   * Rejects `CAMERA_UNAVAILABLE`.
   */
  capture(at: number): Promise<CameraFrame>;
  /** A hint that a capture is coming soon (the scale became unsteady, motion was seen). */
  wake(): void;
  status(): CameraStatus;
  /** Called on every change of `ok` or `reason`; returns the function that removes the listener. */
  onStatus(listener: (status: CameraStatus) => void): () => void;
}

/** The one way a camera refuses a capture. */
export function cameraUnavailable(reason: CameraFailureReason, detail: string): FleetError {
  return new FleetError('CAMERA_UNAVAILABLE', `camera unavailable (${reason}): ${detail}`, { reason, detail });
}

/** A camera's status and its listeners: changes are announced once (a second failure for the same reason is not). */
export class CameraStatusTracker {
  private current: CameraStatus;
  private readonly listeners = new Set<(status: CameraStatus) => void>();

  constructor(initial: CameraStatus) {
    this.current = initial;
  }

  get(): CameraStatus {
    return { ...this.current };
  }

  ok(at: number): void {
    this.set({ ok: true, reason: null, detail: null, since: at });
  }

  fail(reason: CameraFailureReason, detail: string, at: number): void {
    this.set({ ok: false, reason, detail, since: at });
  }

  listen(listener: (status: CameraStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clearListeners(): void {
    this.listeners.clear();
  }

  private set(next: CameraStatus): void {
    if (next.ok === this.current.ok && next.reason === this.current.reason) {
      // Same state: keep its `since`, refresh what ffmpeg said.
      this.current = { ...this.current, detail: next.detail };
      return;
    }
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(this.get());
      } catch {
        // A listener's throw must not stop the camera or the other listeners.
      }
    }
  }
}
