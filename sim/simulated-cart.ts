import { type CartConfigInput, CartConfigSchema } from '../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../devices/cart/cart-hardware.ts';
import { CartRuntime, type CartRuntimeOptions } from '../devices/cart/cart-runtime.ts';
import type { ScanOutcome } from '../devices/cart/hardware/virtual-barcode-scanner.ts';
import { seedFromName, type VirtualCartRig } from '../devices/cart/hardware/virtual-cart-rig.ts';
import { VirtualZoneLocator } from '../devices/cart/zone-locator.ts';
import type { DeviceCredentials } from '../devices/core/device-config.ts';
import { VirtualBoardIO } from '../devices/core/hardware/virtual-board-io.ts';
import type { Zone } from '../fleet/registry/registry-types.ts';
import type { Logger } from '../platform/log.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { VirtualCamera, type VirtualCameraOptions } from '../vision/camera/virtual-camera.ts';
import { DemoAppearances } from './demo-appearances.ts';
import { type ShopperWorld, SimulatedShopper } from './simulated-shopper.ts';

export interface CartPhysics {
  /** State of charge drained per simulated minute while a shopper pushes the cart. */
  drainPerMinute: number;
  /** Charged per simulated minute on the dock. */
  chargePerMinute: number;
  /** Simulated minutes per real second (the demo runs the store fast). */
  timeScale: number;
}

/**
 * How often a simulated cart's virtual I2C parts are read (the scale driver's poll and Firmata's sampling interval for
 * the MPU-6050): 10 Hz instead of a real cart's 20 Hz / 52 Hz, so a demo of tens of carts stays cheap (each read is
 * a few microtasks and one model evaluation; the virtual parts themselves have no timers). Still enough samples for
 * the 300 ms settle window and the 500 ms stillness window.
 */
const SIM_I2C_INTERVAL_MS = 100;

/**
 * A real cart runtime on a virtual board, with the physics of a cart around it: a battery that drains while a
 * shopper pushes it and charges on the dock, a controller board that warms up, and shoppers who take it from the
 * dock, walk it through the store's zones, check out and bring it back. The shopper's hands on the commerce
 * hardware: `putItem`, `takeItem`, `presentBarcode`, `push`, `standStill` (the basket scale, the scanner and the
 * motion sensor, through the runtime's `VirtualCartRig`).
 */
export class SimulatedCart {
  readonly runtime: CartRuntime;
  readonly io = new VirtualBoardIO();
  readonly locator = new VirtualZoneLocator();
  private soc: number;
  private timer: NodeJS.Timeout | undefined;
  private route: string[] = [];
  private idleTicks = 0;
  /** The shopper's trip through the cart's hardware, while one is under way. */
  private trip: Promise<unknown> | null = null;
  private shopper: SimulatedShopper | null = null;
  private readonly log: Logger;
  /** The basket camera the shopper's hands put items in front of (null: the cart is barcode-only). */
  readonly camera: VirtualCamera | null;
  private readonly appearances = new DemoAppearances();

  constructor(
    config: CartConfigInput,
    credentials: DeviceCredentials,
    private readonly zones: Zone[],
    private readonly physics: CartPhysics,
    private readonly random: () => number,
    log: Logger,
    /**
     * `camera: true`: the cart gets a `VirtualCamera` (seeded by its name) the shopper's drops show in; camera
     * options instead of `true` change its defaults (a test turns the drop's hand and blur off, whose presence
     * depends on how long after the drop the scale settles).
     */
    options: Omit<CartRuntimeOptions, 'vision'> & { camera?: boolean | Partial<VirtualCameraOptions> } = {},
    /** With a world (member app, phone), shoppers really shop through the hardware; without, only the session moves. */
    private readonly world: ShopperWorld | null = null,
    /** Real milliseconds between a shopper's steps. */
    private readonly stepMs = 1200,
  ) {
    this.log = log;
    this.soc = 40 + random() * 60;
    this.io.setSamplingInterval(SIM_I2C_INTERVAL_MS);
    const parsed = CartConfigSchema.parse({
      ...config,
      scale: { sampleIntervalMs: SIM_I2C_INTERVAL_MS, ...config.scale },
      // Many carts share one machine in the simulator: each takes a free port unless the demo assigns one.
      screen: { port: 0, ...config.screen },
    });
    const { camera, ...runtimeOptions } = options;
    this.camera = camera
      ? new VirtualCamera({ seed: seedFromName(parsed.thingName), ...(camera === true ? {} : camera) })
      : null;
    this.runtime = new CartRuntime(parsed, credentials, this.locator, log, this.io, {
      ...runtimeOptions,
      ...(this.camera ? { vision: { camera: this.camera } } : {}),
    });
  }

  /**
   * A shopper puts (drops, by default) an item of `grams` in the basket; with `product`, the camera sees it land
   * (it is in the scene before the scale settles, as a real item is).
   */
  putItem(grams: number, how: 'dropped' | 'placed' = 'dropped', product?: Product): void {
    if (product && this.camera) this.camera.place(this.appearances.of(product), this.runtime.core.clock.now());
    this.rig.putItem(grams, how);
  }

  /** A shopper lifts an item of `grams` (of `sku`: the camera no longer sees it) out of the basket. */
  takeItem(grams: number, sku?: string): void {
    if (sku) this.camera?.remove(sku);
    this.rig.takeItem(grams);
  }

  /** Whether the cart recognises drops now (camera, model and gallery ready). */
  recognitionReady(): boolean {
    return this.runtime.recognizer.status().state === 'ready';
  }

  /** A shopper holds a barcode under the scanner; a no-read sends nothing (the shopper tries again). */
  presentBarcode(code: string): ScanOutcome {
    return this.rig.presentBarcode(code);
  }

  /** The shopper pushes the cart (the scale shakes, the accelerometer sees it)... */
  push(): void {
    this.rig.push();
  }

  /** ...and stops. */
  standStill(): void {
    this.rig.standStill();
  }

  private get rig(): VirtualCartRig {
    const rig = this.runtime.virtualRig;
    if (!rig) throw new Error('a simulated cart runs on a virtual board');
    return rig;
  }

  get thingName(): string {
    return this.runtime.config.thingName;
  }

  get stateOfCharge(): number {
    return this.soc;
  }

  async start(): Promise<void> {
    this.dock();
    this.writeInputs();
    await this.runtime.start();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** The trip under way, if any (tests wait on it). */
  get shopping(): Promise<unknown> | null {
    return this.trip;
  }

  /** Starts a shopper's trip now (tests and the demo's first trips don't wait for the random tick). */
  startTrip(): void {
    if (!this.trip && this.runtime.session.current.state === 'idle') this.beginShopping();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.shopper?.cancel();
    await this.trip;
    await this.runtime.stop();
  }

  private tick(): void {
    const minutes = this.physics.timeScale / 60;
    const state = this.trip ? 'shopping' : this.runtime.session.current.state;
    if (state === 'idle') {
      this.soc = Math.min(100, this.soc + this.physics.chargePerMinute * minutes);
      this.idleTicks++;
      // A shopper takes a charged cart now and then.
      // ...but not one showing an update waiting for a quiet dock (a gallery, a model, software): the cart installs
      // only 30 s after a session, which a cart taken at once again would never see.
      if (this.soc > 30 && this.idleTicks > 3 && !this.updateWaiting() && this.random() < 0.15) this.beginShopping();
    } else {
      this.soc = Math.max(0, this.soc - this.physics.drainPerMinute * minutes);
      this.walk();
    }
    this.writeInputs();
  }

  private updateWaiting(): boolean {
    return this.runtime.core.ota?.running?.job?.step === 'waiting';
  }

  private beginShopping(): void {
    this.idleTicks = 0;
    this.io.setDigitalInput(CART_PINS.dockContact, false);
    const departments = this.zones.filter((z) => z.kind === 'department' || z.kind === 'aisle');
    const entrance = this.zones.find((z) => z.kind === 'entrance');
    const checkout = this.zones.find((z) => z.kind === 'checkout');
    const visits = departments.filter(() => this.random() < 0.7);
    this.route = [entrance, ...visits, checkout].filter((z): z is Zone => z !== undefined).map((z) => z.id);
    const snapshot = this.runtime.snapshots.current;
    if (this.world && snapshot) {
      const shopper = new SimulatedShopper(this.runtime.shop, this, this.world, this.random, this.log, this.stepMs);
      this.shopper = shopper;
      this.trip = shopper.trip(snapshot).finally(() => {
        this.trip = null;
        this.shopper = null;
        this.route = [];
        // The bags are out: an empty basket, and the next trip's light and floor.
        this.camera?.clear();
        this.dock();
      });
    } else {
      this.runtime.startSession(this.random() < 0.6 ? `member-${Math.floor(this.random() * 90000) + 10000}` : null);
    }
    this.walk();
  }

  private walk(): void {
    if (this.trip) {
      // The shopper walks the route while shopping, and stays at the last zone (checkout) until paid.
      const next = this.route.length > 1 ? this.route.shift() : this.route[0];
      if (next !== undefined && next !== this.locator.zoneId) this.locator.moveTo(next);
      return;
    }
    const next = this.route.shift();
    if (next !== undefined) {
      this.locator.moveTo(next);
      if (this.zones.find((z) => z.id === next)?.kind === 'checkout') this.runtime.checkout();
      return;
    }
    if (this.runtime.session.current.state !== 'idle') {
      this.runtime.endSession();
      this.dock();
    }
  }

  private dock(): void {
    const dock = this.zones.find((z) => z.kind === 'dock');
    this.locator.moveTo(dock?.id ?? null);
    this.io.setDigitalInput(CART_PINS.dockContact, true);
  }

  private writeInputs(): void {
    this.io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(this.soc)));
    const warm = this.runtime.session.current.state === 'idle' && !this.trip ? 0 : 6;
    this.io.setAnalogInput(1, tmp36RawFromCelsius(24 + warm + this.random() * 1.5));
  }
}
