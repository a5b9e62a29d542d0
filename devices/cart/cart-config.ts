import { z } from 'zod';
import { loadConfig } from '../../platform/config-loader.ts';
import { HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE } from '../../protocol/thing-names.ts';
import { DeviceConfigSchema } from '../core/device-config.ts';
import { PeripheralsConfigSchema } from './hardware/peripherals-config.ts';

export const CartConfigSchema = DeviceConfigSchema.extend({
  hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE).default('SC-200'),
  softwareVersion: z.string().min(1).default('0.1.0'),
  /** Below this the cart shows "please return me to the dock" and reports `battery.low`. */
  lowBatteryPercent: z.number().min(0).max(100).default(20),
  /** Barcode scanner (`virtual`, `serial` or `evdev`), basket scale calibration and thresholds, motion thresholds. */
  ...PeripheralsConfigSchema.shape,
});

export type CartConfig = z.infer<typeof CartConfigSchema>;
export type CartConfigInput = z.input<typeof CartConfigSchema>;

/** `--config cart.json`, then `CART_*` environment overrides (e.g. `CART_THING_NAME`, `CART_ENDPOINT__PORT`). */
export function loadCartConfig(file?: string, env: NodeJS.ProcessEnv = process.env): CartConfig {
  return loadConfig(CartConfigSchema, { file: file ?? env.CART_CONFIG, envPrefix: 'CART', env });
}
