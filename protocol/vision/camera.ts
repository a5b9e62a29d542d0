/**
 * The basket camera's health as the cart reports it (issue 11 item 7): a camera that cannot give a frame drops the
 * cart to barcode-only mode with a health alert. Its failures are coded so an alert and the console can say which.
 */
export const CAMERA_FAILURE_REASONS = [
  /** The video device does not exist (unplugged, wrong path) or cannot be opened. */
  'device-missing',
  /** No ffmpeg binary to read the camera with. */
  'ffmpeg-missing',
  /** ffmpeg ended while the stream was wanted (the device went away mid-stream, a driver error, killed). */
  'ffmpeg-exited',
  /** No complete frame within the capture's time limit. */
  'timeout',
  /** The stream ended in the middle of a frame: the bytes are not the frame size the camera was configured for. */
  'bad-frame-size',
  /** The camera is not started (or stopped while a capture waited). */
  'stopped',
  /** A failure injected by a test or the demo (the virtual camera's `fail()`). */
  'injected',
] as const;
export type CameraFailureReason = (typeof CAMERA_FAILURE_REASONS)[number];

/** Whether the camera can give frames, and since when (ms since the epoch, the cart's clock). */
export interface CameraStatus {
  ok: boolean;
  /** Why not, when not ok; null when ok. */
  reason: CameraFailureReason | null;
  /** What ffmpeg or the injector said, for the logs and the alert's text; null when ok. */
  detail: string | null;
  since: number;
}
