import { type Clock, systemClock } from '../../platform/clock.ts';
import type { CameraFailureReason } from '../../protocol/vision/camera.ts';
import { mixSeed } from '../synthetic/seeded-random.ts';
import type { SyntheticProduct } from '../synthetic/synthetic-products.ts';
import {
  randomPlacement,
  randomTripLook,
  type SceneGeometry,
  type ScenePlacement,
  type TripLook,
} from './basket-scene.ts';
import type { BasketSceneRenderer } from './basket-scene-renderer.ts';
import { type Camera, type CameraFrame, type CameraStatus, CameraStatusTracker, cameraUnavailable } from './camera.ts';
import { VIRTUAL_CAMERA_DEFAULTS } from './camera-config.ts';

export interface VirtualCameraOptions {
  /** Everything the camera shows follows from this seed and the calls made (no clock, no Math.random). */
  seed: number;
  width: number;
  height: number;
  /** The basket floor the frame covers, in centimetres. */
  floorCm: { width: number; height: number };
  /** A capture this soon after the newest drop may still show the shopper's hand over it (ms). */
  handWindowMs: number;
  /** ...and the item still falling (motion blur). */
  motionWindowMs: number;
}

/**
 * The simulator's basket camera: a top-down view of the basket with the items the simulated shopper dropped in,
 * rendered from the synthetic domain in its `field` regime (the nuisances the embedder was trained with, in ranges
 * and combinations it never saw; basket-scene.ts). `place()` drops an item at a seeded pose over what is there,
 * `remove()` takes the most recent one of a SKU out, `clear()` empties the basket and begins a new trip (new light
 * and floor). `fail()` / `recover()` inject a camera failure for tests and the demo.
 *
 * Deterministic: the same seed and the same calls give the same frames (a capture's noise follows from its `at`).
 */
export class VirtualCamera implements Camera {
  readonly options: VirtualCameraOptions;
  private readonly tracker: CameraStatusTracker;
  private renderer: BasketSceneRenderer | undefined;
  private started = false;
  private injected: { reason: CameraFailureReason; detail: string } | undefined;
  private trip = 0;
  private look: TripLook;
  private items: ScenePlacement[] = [];
  /** Drops this trip (seeds each pose). */
  private drops = 0;
  private wakes = 0;

  constructor(
    options: Partial<VirtualCameraOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...VIRTUAL_CAMERA_DEFAULTS, ...options };
    this.look = randomTripLook(this.options.seed, this.trip);
    this.tracker = new CameraStatusTracker({ ok: false, reason: 'stopped', detail: 'not started', since: clock.now() });
  }

  get geometry(): SceneGeometry {
    return { width: this.options.width, height: this.options.height, floorCm: this.options.floorCm };
  }

  /** What is in the basket, oldest first, with where each lies in the frame. */
  get contents(): readonly ScenePlacement[] {
    return this.items;
  }

  /** How many times `wake()` was called (the cart's triggers, for tests). */
  get wakeCount(): number {
    return this.wakes;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (!this.renderer) {
      // Loaded here, not with the module: a config that names an ffmpeg camera must not load the renderer
      // (@napi-rs/canvas and the fonts) into a real cart's memory.
      const { BasketSceneRenderer } = await import('./basket-scene-renderer.ts');
      this.renderer = new BasketSceneRenderer(this.geometry, this.options.seed);
    }
    this.started = true;
    this.updateStatus();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.tracker.fail('stopped', 'the camera was stopped', this.clock.now());
  }

  status(): CameraStatus {
    return this.tracker.get();
  }

  onStatus(listener: (status: CameraStatus) => void): () => void {
    return this.tracker.listen(listener);
  }

  wake(): void {
    this.wakes++;
  }

  /** Drops `product` into the basket at a seeded pose, on top of what is there; returns where it lies. */
  place(product: SyntheticProduct, at: number): ScenePlacement {
    const seed = mixSeed(this.options.seed, 0x91ace, this.trip, this.drops++);
    const placement = randomPlacement(this.geometry, product, at, seed);
    this.items.push(placement);
    return placement;
  }

  /** Takes out the most recent item of `sku`; false when there is none. */
  remove(sku: string): boolean {
    const index = this.items.findLastIndex((item) => item.product.sku === sku);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  /** Empties the basket and begins a new trip: another light, another floor. */
  clear(): void {
    this.items = [];
    this.trip++;
    this.drops = 0;
    this.look = randomTripLook(this.options.seed, this.trip);
  }

  /** From now on captures fail with `CAMERA_UNAVAILABLE` for `reason` (status not ok) until `recover()`. */
  fail(reason: CameraFailureReason = 'injected', detail = 'failure injected'): void {
    this.injected = { reason, detail };
    this.updateStatus();
  }

  recover(): void {
    this.injected = undefined;
    this.updateStatus();
  }

  capture(at: number): Promise<CameraFrame> {
    if (!this.started || !this.renderer) {
      return Promise.reject(cameraUnavailable('stopped', 'the camera is not started'));
    }
    if (this.injected) return Promise.reject(cameraUnavailable(this.injected.reason, this.injected.detail));
    const newest = this.items.at(-1);
    const since = newest ? at - newest.at : Number.POSITIVE_INFINITY;
    const nuisance = { hand: since <= this.options.handWindowMs, motion: since <= this.options.motionWindowMs };
    const noiseSeed = mixSeed(this.options.seed, 0x5e75, this.trip, at % 0x1_0000_0000, Math.floor(at / 0x1_0000_0000));
    const rgb = this.renderer.render(this.look, this.items, nuisance, noiseSeed);
    return Promise.resolve({ width: this.options.width, height: this.options.height, rgb, at });
  }

  private updateStatus(): void {
    const now = this.clock.now();
    if (!this.started) return;
    if (this.injected) this.tracker.fail(this.injected.reason, this.injected.detail, now);
    else this.tracker.ok(now);
  }
}
