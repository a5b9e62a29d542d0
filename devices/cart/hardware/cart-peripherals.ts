import type five from 'johnny-five';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type { FleetError } from '../../../protocol/errors.ts';
import type { BarcodeScanner, ScanEvent } from './barcode-scanner.ts';
import { type BasketSignalPins, BasketSignals } from './basket-signals.ts';
import { EvdevBarcodeScanner } from './evdev-barcode-scanner.ts';
import { Motion } from './motion.ts';
import { Nau7802 } from './nau7802.ts';
import type { PeripheralsConfig } from './peripherals-config.ts';
import { Scale, type SettledWeight } from './scale.ts';
import { SerialBarcodeScanner } from './serial-barcode-scanner.ts';

/**
 * The cart's commerce hardware: barcode scanner, basket scale, motion sensor, basket light and buzzer, made from the
 * cart's config on `start()` and released on `stop()`. The basket consumes it through `onScan`, `onSettled`,
 * `onUnsettled`, `onStill`, `onMoving` (each returns its unsubscribe) and drives `signals`.
 *
 * A scale that does not come up (SCALE_FAULT) does not keep the cart from starting: `scaleFault` says why, and the
 * basket sends the shopper to an attendant for anything it cannot weigh.
 */
export class CartPeripherals {
  private scannerPart: BarcodeScanner | undefined;
  private scalePart: Scale | undefined;
  private motionPart: Motion | undefined;
  private signalsPart: BasketSignals | undefined;
  private readonly subscriptions = new Set<() => void>();
  /** Why the scale is not available, if it is not. */
  scaleFault: FleetError | undefined;

  constructor(
    private readonly board: five.Board,
    private readonly clock: Clock,
    private readonly config: PeripheralsConfig,
    private readonly pins: BasketSignalPins,
    /** True while the locate command sounds the buzzer (it wins over basket beeps). */
    private readonly locating: () => boolean,
    private readonly log: Logger,
    /** The simulator's scanner, used when the config says `virtual`. */
    private readonly virtualScanner?: BarcodeScanner,
  ) {}

  async start(): Promise<void> {
    this.signalsPart = new BasketSignals(this.board, this.clock, this.pins, this.locating);
    this.signalsPart.start();
    this.motionPart = new Motion(this.board, this.clock, this.config.motion);
    this.motionPart.start();
    const { scale } = this.config;
    const adc = new Nau7802(this.board, this.clock, {
      address: scale.address,
      sampleIntervalMs: scale.sampleIntervalMs,
    });
    this.scalePart = new Scale(adc, scale, scale);
    this.scalePart.onFault((err) => this.log.warn({ code: err.code, err: err.message }, 'basket scale fault'));
    this.scaleFault = undefined;
    try {
      await this.scalePart.start();
    } catch (err) {
      this.scaleFault = err as FleetError;
      this.scalePart.stop();
      this.log.error({ code: this.scaleFault.code, err: this.scaleFault.message }, 'basket scale unavailable');
    }
    this.scannerPart = this.makeScanner();
    await this.scannerPart.start();
  }

  async stop(): Promise<void> {
    await this.scannerPart?.stop();
    this.scalePart?.stop();
    this.motionPart?.stop();
    this.signalsPart?.stop();
    // The virtual scanner outlives a reboot in process: listeners handed out here must not pile up on it.
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions.clear();
  }

  get scanner(): BarcodeScanner {
    return required(this.scannerPart, 'scanner');
  }

  get scale(): Scale {
    return required(this.scalePart, 'scale');
  }

  get motion(): Motion {
    return required(this.motionPart, 'motion');
  }

  get signals(): BasketSignals {
    return required(this.signalsPart, 'signals');
  }

  onScan(listener: (scan: ScanEvent) => void): () => void {
    return this.track(this.scanner.onScan(listener));
  }

  onSettled(listener: (weight: SettledWeight) => void): () => void {
    return this.track(this.scale.onSettled(listener));
  }

  onUnsettled(listener: (at: number) => void): () => void {
    return this.track(this.scale.onUnsettled(listener));
  }

  onStill(listener: (at: number) => void): () => void {
    return this.track(this.motion.onStill(listener));
  }

  onMoving(listener: (at: number) => void): () => void {
    return this.track(this.motion.onMoving(listener));
  }

  private track(unsubscribe: () => void): () => void {
    const once = () => {
      this.subscriptions.delete(once);
      unsubscribe();
    };
    this.subscriptions.add(once);
    return once;
  }

  private makeScanner(): BarcodeScanner {
    const scanner = this.config.scanner;
    const log = this.log.child({ part: 'scanner' });
    switch (scanner.kind) {
      case 'serial':
        return new SerialBarcodeScanner(scanner, this.clock, log);
      case 'evdev':
        return new EvdevBarcodeScanner(scanner.path, this.clock, log);
      case 'virtual':
        if (!this.virtualScanner) throw new Error('a virtual scanner is configured but the cart has no virtual rig');
        return this.virtualScanner;
    }
  }
}

function required<T>(part: T | undefined, name: string): T {
  if (!part) throw new Error(`CartPeripherals.${name} used before start()`);
  return part;
}
