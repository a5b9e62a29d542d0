import { z } from 'zod';
import { NAU7802_ADDRESS } from './nau7802-registers.ts';
import { MPU6050_ADDRESS } from './virtual-mpu6050.ts';

/** Which barcode scanner the cart has; `virtual` is the simulator's (see virtual-barcode-scanner.ts). */
export const ScannerConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('virtual'),
    /** Seed of its misreads; by default derived from the thing name, so every cart misreads differently. */
    seed: z.number().int().optional(),
    misreadRate: z.number().min(0).max(1).default(0.05),
    substitutionShare: z.number().min(0).max(1).default(0.2),
  }),
  z.strictObject({
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(9600),
    suffix: z.enum(['\r\n', '\r', '\n', '\t']).default('\r\n'),
    aimIds: z.boolean().default(false),
    reconnectMinMs: z.number().int().min(100).default(500),
    reconnectMaxMs: z.number().int().min(100).default(10_000),
  }),
  z.strictObject({
    kind: z.literal('evdev'),
    /** e.g. `/dev/input/by-id/usb-Newland_HID_Scanner-event-kbd`. */
    path: z.string().min(1),
  }),
]);

export const ScaleConfigSchema = z.strictObject({
  address: z.number().int().min(0x08).max(0x77).default(NAU7802_ADDRESS),
  /** Calibration: ADC counts per gram, from weighing a known mass (430 fits the SC-200's 10 kg cell). */
  countsPerGram: z.number().positive().default(430),
  /** Calibration: what the empty basket reads, counts (a trip starts with `tare()` anyway). */
  offsetCounts: z.number().int().default(150_000),
  /** How often the driver reads the latest conversion (the part converts at 80 SPS). */
  sampleIntervalMs: z.number().int().min(13).max(1000).default(50),
  /** Settled: every reading of the last `settleWindowMs` within `settleSpreadGrams`. */
  settleWindowMs: z.number().int().min(50).max(5000).default(300),
  settleSpreadGrams: z.number().positive().default(2),
});

export const MotionConfigSchema = z.strictObject({
  address: z.number().int().min(0x08).max(0x77).default(MPU6050_ADDRESS),
  /** Still: every accelerometer axis within `stillSpreadG` for `stillWindowMs`. */
  stillWindowMs: z.number().int().min(50).max(10_000).default(500),
  stillSpreadG: z.number().positive().default(0.03),
});

export const PeripheralsConfigSchema = z.strictObject({
  scanner: ScannerConfigSchema.prefault({ kind: 'virtual' }),
  scale: ScaleConfigSchema.prefault({}),
  motion: MotionConfigSchema.prefault({}),
});

export type ScannerConfig = z.infer<typeof ScannerConfigSchema>;
export type ScaleConfig = z.infer<typeof ScaleConfigSchema>;
export type MotionConfig = z.infer<typeof MotionConfigSchema>;
export type PeripheralsConfig = z.infer<typeof PeripheralsConfigSchema>;
