import type { Clock } from '../../../platform/clock.ts';
import type { VirtualBoardIO } from '../../core/hardware/virtual-board-io.ts';
import type { PeripheralsConfig } from './peripherals-config.ts';
import { ScaleModel, type ScaleModelOptions } from './scale-model.ts';
import { type ScanOutcome, VirtualBarcodeScanner } from './virtual-barcode-scanner.ts';
import { VirtualMpu6050 } from './virtual-mpu6050.ts';
import { VirtualNau7802 } from './virtual-nau7802.ts';

/**
 * The virtual commerce hardware of one cart, for the simulator and tests: the load cell (a `ScaleModel` behind a
 * `VirtualNau7802`) and the `VirtualMpu6050` on the virtual board's I2C bus, and the `VirtualBarcodeScanner`. The
 * simulator acts through it as a shopper would: items in and out of the basket, barcodes under the scanner, pushes.
 */
export class VirtualCartRig {
  readonly model: ScaleModel;
  readonly adc: VirtualNau7802;
  readonly imu: VirtualMpu6050;
  readonly scanner: VirtualBarcodeScanner;
  private readonly addresses: { scale: number; motion: number };

  constructor(
    private readonly clock: Clock,
    config: PeripheralsConfig,
    seed: number,
    model: Partial<ScaleModelOptions> = {},
  ) {
    // The model's empty basket reads what the cart's calibration expects, so a fresh cart reads 0 g.
    this.model = new ScaleModel(
      { countsPerGram: config.scale.countsPerGram, zeroCounts: config.scale.offsetCounts, ...model, seed },
      clock.now(),
    );
    this.adc = new VirtualNau7802(this.model, clock);
    this.imu = new VirtualMpu6050(clock, { seed: seed + 1 });
    const scanner = config.scanner.kind === 'virtual' ? config.scanner : undefined;
    this.scanner = new VirtualBarcodeScanner(clock, {
      seed: scanner?.seed ?? seed + 2,
      ...(scanner ? { misreadRate: scanner.misreadRate, substitutionShare: scanner.substitutionShare } : {}),
    });
    this.addresses = { scale: config.scale.address, motion: config.motion.address };
  }

  /** Puts the parts on `io`'s I2C bus (again after a reboot: the same parts, so the basket keeps its load). */
  attach(io: VirtualBoardIO): void {
    io.attachI2cDevice(this.addresses.scale, this.adc);
    io.attachI2cDevice(this.addresses.motion, this.imu);
  }

  /** A shopper drops (or gently places) an item of `grams` in the basket. */
  putItem(grams: number, how: 'dropped' | 'placed' = 'dropped'): void {
    this.model.add(grams, this.clock.now(), how);
  }

  takeItem(grams: number): void {
    this.model.remove(grams, this.clock.now());
  }

  presentBarcode(code: string): ScanOutcome {
    return this.scanner.present(code);
  }

  push(): void {
    this.model.setPushing(true, this.clock.now());
    this.imu.setPushed(true);
  }

  standStill(): void {
    this.model.setPushing(false, this.clock.now());
    this.imu.setPushed(false);
  }
}

/** A stable 32-bit seed from a thing name (FNV-1a), so each simulated cart has its own noise and misreads. */
export function seedFromName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
