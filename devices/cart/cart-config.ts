import { z } from 'zod';
import { loadConfig } from '../../platform/config-loader.ts';
import { HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE } from '../../protocol/thing-names.ts';
import { CameraConfigSchema } from '../../vision/camera/camera-config.ts';
import { DeviceConfigSchema } from '../core/device-config.ts';
import { PeripheralsConfigSchema } from './hardware/peripherals-config.ts';

export const CartConfigSchema = DeviceConfigSchema.extend({
  hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE).default('SC-200'),
  softwareVersion: z.string().min(1).default('0.1.0'),
  /** Below this the cart shows "please return me to the dock" and reports `battery.low`. */
  lowBatteryPercent: z.number().min(0).max(100).default(20),
  /**
   * The cart screen's web server (screen/cart-screen-server.ts). The kiosk browser runs on the cart itself, so it
   * listens on loopback only unless a deployment puts the screen on another board; port 0 takes a free port (tests).
   */
  screen: z
    .strictObject({
      enabled: z.boolean().default(true),
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8090),
    })
    .prefault({}),
  /**
   * The basket camera product recognition captures drops with (`vision/camera/camera-config.ts`): `{ "kind":
   * "ffmpeg", "device": "/dev/video0" }` on a real cart (V4L2 through ffmpeg), `{ "kind": "virtual" }` renders a basket
   * (the simulator passes its own `VirtualCamera` in `CartRuntimeOptions.vision` instead, to put items in its scene).
   * Absent: no camera, the cart is barcode-only.
   */
  camera: CameraConfigSchema.optional(),
  /** Barcode scanner (`virtual`, `serial` or `evdev`), basket scale calibration and thresholds, motion thresholds. */
  ...PeripheralsConfigSchema.shape,
});

export type CartConfig = z.infer<typeof CartConfigSchema>;
export type CartConfigInput = z.input<typeof CartConfigSchema>;

/** `--config cart.json`, then `CART_*` environment overrides (e.g. `CART_THING_NAME`, `CART_ENDPOINT__PORT`). */
export function loadCartConfig(file?: string, env: NodeJS.ProcessEnv = process.env): CartConfig {
  return loadConfig(CartConfigSchema, { file: file ?? env.CART_CONFIG, envPrefix: 'CART', env });
}
