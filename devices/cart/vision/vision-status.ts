import type { CameraStatus } from '../../../vision/camera/camera.ts';

/**
 * Whether the cart recognises products now, as its shadow reports it (`reported.vision`):
 * - `ready`: camera, model and a gallery of that model;
 * - `barcode-only`: the camera is missing or failing — the basket works exactly as without recognition (a health
 *   alert: the `fault` event CAMERA_UNAVAILABLE);
 * - `paused`: the camera works but the model and gallery do not fit together (none yet, or a new model whose
 *   gallery has not arrived): never a search across embedding spaces.
 */
export type VisionState = 'ready' | 'barcode-only' | 'paused';

export interface VisionStatus {
  state: VisionState;
  reason: string | null;
}

export function visionStatus(camera: CameraStatus | null, galleryProblems: readonly string[]): VisionStatus {
  if (!camera) return { state: 'barcode-only', reason: 'no camera on this cart' };
  if (!camera.ok) return { state: 'barcode-only', reason: cameraReason(camera) };
  if (galleryProblems.length > 0) return { state: 'paused', reason: galleryProblems.join('; ') };
  return { state: 'ready', reason: null };
}

/** A failing camera as the shadow and the alert say it: the coded reason, and what the camera said about it. */
export function cameraReason(camera: CameraStatus): string {
  const reason = camera.reason ?? 'no frames';
  return camera.detail ? `${reason}: ${camera.detail}` : reason;
}
