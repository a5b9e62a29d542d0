import { ConfigComponentHandler } from '../../ota/agent/components/config.ts';
import { GalleryComponentHandler } from '../../ota/agent/components/gallery.ts';
import { ModelComponentHandler } from '../../ota/agent/components/model.ts';
import { SwappableModel } from '../../ota/model/swappable-model.ts';
import { collectGarbage } from '../../platform/garbage-collection.ts';
import type { Logger } from '../../platform/log.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import type { Camera } from '../../vision/camera/camera.ts';
import { createCamera } from '../../vision/camera/create-camera.ts';
import { rebootCommand } from '../core/core-commands.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { DeviceHttpsClient } from '../core/device-https-client.ts';
import { InProcessRestarter } from '../core/device-restarter.ts';
import { DeviceRuntime, type DeviceRuntimeOptions } from '../core/device-runtime.ts';
import { inRange } from '../core/diagnostics.ts';
import { FileStreamClient } from '../core/file-stream-client.ts';
import type { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import { DEFAULT_BASKET_OPTIONS } from './basket/basket.ts';
import type { CartConfig } from './cart-config.ts';
import { CART_PINS, CartHardware } from './cart-hardware.ts';
import { CartSession } from './cart-session.ts';
import { BasketFeedback } from './commerce/basket-feedback.ts';
import { CartShop, type ShopRecord } from './commerce/cart-shop.ts';
import { CommerceClient } from './commerce/commerce-client.ts';
import { OfflineStaffCodes, STAFF_THROTTLE_FILE, type StaffThrottleRecord } from './commerce/offline-staff.ts';
import { ShopJournal } from './commerce/shop-journal.ts';
import { SnapshotStore } from './commerce/snapshot-store.ts';
import { CartPeripherals } from './hardware/cart-peripherals.ts';
import { seedFromName, VirtualCartRig } from './hardware/virtual-cart-rig.ts';
import { CartConfigHost } from './ota/cart-config-host.ts';
import { SessionGate } from './ota/session-gate.ts';
import { CartScreenServer } from './screen/cart-screen-server.ts';
import { ScreenMirror } from './screen/screen-mirror.ts';
import type { FrameCrops } from './vision/frame-embedder.ts';
import { PhotoContributor } from './vision/photo-contributor.ts';
import { OPEN_RECOGNITIONS_FILE, type OpenRecognitions, ProductRecognizer } from './vision/product-recognizer.ts';
import { RecognitionLog } from './vision/recognition-log.ts';
import { SwappableGallery } from './vision/swappable-gallery.ts';
import { cameraReason, type VisionStatus } from './vision/vision-status.ts';
import type { ZoneLocator } from './zone-locator.ts';

/** A cart's recognition hardware: the basket camera (`vision/camera/`: `createCamera` from the cart's config). */
export interface CartVisionParts {
  camera: Camera;
  /** The crop arithmetic; unset: `vision/camera/change-crop.ts`'s (a test may drive a fake frame to a fake model). */
  crops?: FrameCrops;
}

export interface CartRuntimeOptions extends DeviceRuntimeOptions {
  /**
   * The basket camera (issue 11), over the config's `camera` (the simulator passes its own `VirtualCamera` here to
   * place items in its scene). Neither: the cart is barcode-only.
   */
  vision?: CartVisionParts;
}

/** How long a contributed photo's POST may take before it is dropped. */
const PHOTO_TIMEOUT_MS = 15_000;

/**
 * The smart-cart runtime on the shared device core. Reports battery (from the pack voltage), charging (dock contact),
 * zone and session; applies the desired screen brightness from its shadow. Seams for later issues: `session`
 * (basket, checkout), `locator` (BLE positioning), the hardware class (scanner, scale, camera).
 */
export class CartRuntime {
  readonly core: DeviceRuntime;
  readonly session = new CartSession();
  /** The model a model release installs (OTA, own slots), swapped in while it serves; none until one is installed. */
  readonly model: SwappableModel;
  /** The store's gallery a gallery release installs (OTA, own slots), swapped in while it serves; none until then. */
  readonly gallery: SwappableGallery;
  /** Product recognition on the basket (camera, model, gallery, fusion); barcode-only without a camera. */
  readonly recognizer: ProductRecognizer;
  /** The basket camera: `CartRuntimeOptions.vision`'s, or the one the config names, or none (barcode-only). */
  readonly camera: Camera | null;
  private contributePhotos = false;
  /** A CAMERA_UNAVAILABLE fault event is open with the fleet (cleared when the camera works again). */
  private cameraFault = false;
  /** File downloads over AWS MQTT file delivery (the pricing snapshot; OTA later). */
  readonly streams: FileStreamClient;
  /** The pricing snapshot the cart prices with, kept on disk for offline restarts. */
  readonly snapshots: SnapshotStore;
  /** The cart's side of the commerce requests (member login, orders, attendant calls). */
  readonly commerce: CommerceClient;
  /** The shopper's trip: basket, pricing, member, checkout; the cart screen's model. */
  readonly shop: CartShop;
  /** The kiosk page's server (null when `screen.enabled` is false). */
  readonly screen: CartScreenServer | null;
  /** The screen's state to the console while an operator watches (command `screen-mirror`). */
  readonly screenMirror: ScreenMirror;
  private feedback: BasketFeedback | undefined;
  /** Why the screen server did not start (its port taken...): the cart works on, the diagnostics say so. */
  private screenFault: string | null = null;
  private readonly offs: (() => void)[] = [];
  private readonly onSnapshot = (snapshot: PricingSnapshot) => {
    this.shop.setSnapshot(snapshot);
    // The previous snapshot and its pricing context are garbage now: return them before the cart idles with them.
    collectGarbage();
  };
  private readonly onShopChange = () => this.feedback?.show(this.shop.state());
  private readonly onShopSession = (event: {
    state: 'shopping' | 'checkout' | 'idle';
    sessionId: string | null;
    memberNumber: string | null;
  }) => this.followShop(event.state, event.sessionId, event.memberNumber);
  private hw: CartHardware | undefined;
  private parts: CartPeripherals | undefined;
  /** The simulator's hands on the scale, motion sensor and scanner; present on a virtual board. */
  readonly virtualRig: VirtualCartRig | undefined;
  private brightness = 80;
  /** `lowBatteryPercent` from the config; a config release changes it live (`setLowBatteryPercent`). */
  private lowBatteryPercent: number;
  private readonly onZone = (zoneId: string | null) => {
    this.core.shadow.report({ zone: zoneId });
    this.publishTelemetry();
  };

  constructor(
    readonly config: CartConfig,
    credentials: DeviceCredentials,
    readonly locator: ZoneLocator,
    private readonly log: Logger,
    virtualIo?: VirtualBoardIO,
    options: CartRuntimeOptions = {},
  ) {
    this.core = new DeviceRuntime(config, credentials, log, virtualIo, {
      ...options,
      identity: { kind: 'cart', hardwareModel: config.hardwareModel, softwareVersion: config.softwareVersion },
    });
    this.lowBatteryPercent = config.lowBatteryPercent;
    this.model = new SwappableModel(log.child({ part: 'model' }));
    this.gallery = new SwappableGallery({
      runningModel: () => {
        const { metadata, release } = this.model;
        return metadata && release ? { ...release, embeddingSize: metadata.embeddingSize } : null;
      },
      storeId: () => this.shop.storeId,
      log: log.child({ part: 'gallery' }),
    });
    this.streams = new FileStreamClient(
      this.core.connection,
      config.thingName,
      this.core.clock,
      log.child({ part: 'streams' }),
    );
    this.snapshots = new SnapshotStore(
      this.core.connection,
      this.streams,
      config.thingName,
      config.dataDir,
      log.child({ part: 'snapshot' }),
      this.core.clock,
    );
    this.commerce = new CommerceClient(
      config.thingName,
      this.core.connection,
      this.core.outbox,
      log.child({ part: 'commerce' }),
      this.core.clock,
    );
    this.shop = new CartShop(
      { thingName: config.thingName, storeName: null, basket: DEFAULT_BASKET_OPTIONS },
      this.commerce,
      new ShopJournal<ShopRecord>(config.dataDir),
      new OfflineStaffCodes(new ShopJournal<StaffThrottleRecord>(config.dataDir, STAFF_THROTTLE_FILE), this.core.clock),
      this.core.clock,
      log.child({ part: 'shop' }),
    );
    this.camera = options.vision?.camera ?? (config.camera ? createCamera(config.camera, this.core.clock) : null);
    this.recognizer = new ProductRecognizer({
      thingName: config.thingName,
      camera: this.camera,
      ...(options.vision?.crops ? { crops: options.vision.crops } : {}),
      model: this.model,
      gallery: this.gallery,
      product: (sku) => this.shop.product(sku),
      storeId: () => this.shop.storeId,
      zoneId: () => this.locator.zoneId,
      actions: this.shop,
      records: new RecognitionLog(config.thingName, this.core.outbox, log.child({ part: 'recognitions' })),
      photos: new PhotoContributor(
        new DeviceHttpsClient(
          { host: config.endpoint.host, port: config.endpoint.contentPort, timeoutMs: PHOTO_TIMEOUT_MS },
          credentials,
        ),
        log.child({ part: 'photos' }),
      ),
      clock: this.core.clock,
      log: log.child({ part: 'recognizer' }),
      tolerance: DEFAULT_BASKET_OPTIONS.tolerance,
      journal: new ShopJournal<OpenRecognitions>(config.dataDir, OPEN_RECOGNITIONS_FILE),
      sessionId: () => this.shop.state().session.sessionId,
    });
    this.screen = config.screen.enabled
      ? new CartScreenServer(this.shop, {
          host: config.screen.host,
          port: config.screen.port,
          log: log.child({ part: 'screen' }),
        })
      : null;
    this.screenMirror = new ScreenMirror(
      config.thingName,
      this.core.connection,
      this.core.clock,
      log.child({ part: 'screen-mirror' }),
    );
    this.screenMirror.setModel(this.shop);
    if (config.board.io === 'virtual')
      this.virtualRig = new VirtualCartRig(this.core.clock, config, seedFromName(config.thingName));
    // Registered once here, not in start(): a reboot in process runs start() again.
    this.core.health.addVitals(() => ({
      'battery.percent': this.hardware.batteryPercent(),
      'temperature.c': this.hardware.temperatureC(),
    }));
    const restarter = options.restarter?.(this, log) ?? new InProcessRestarter(this, log);
    this.core.useRestarter(restarter);
    // OTA: no install while a shopper uses the cart; config releases applied through the cart's host.
    this.core.ota?.setGate(new SessionGate(this.session, this.core.clock));
    const fileConfig = (options.fileConfig as CartConfig | undefined) ?? config;
    this.core.ota?.addHandler(
      new ConfigComponentHandler(new CartConfigHost(this, fileConfig), log.child({ part: 'ota' })),
    );
    // The cart's model (product recognition, issue 11) has its own A/B slots: a model release is self-tested with real
    // inference and swapped in while the cart runs, or rolled back, without touching the software.
    this.core.ota?.addHandler(new ModelComponentHandler(this.model, log.child({ part: 'ota' })));
    // The store's gallery too (after the model: at boot the model is activated first, and the gallery checked
    // against it). A gallery its model did not make is refused; the cart keeps its current one.
    this.core.ota?.addHandler(new GalleryComponentHandler(this.gallery, log.child({ part: 'ota' })));
    this.core.commands.handle('reboot', rebootCommand(restarter));
    this.core.commands.handle('locate', ({ seconds }) => {
      this.hardware.startLocating(seconds);
      return { result: { seconds } };
    });
    this.core.commands.handle('screen-mirror', ({ seconds }) => ({ result: this.screenMirror.start(seconds) }));
    // 8S LiFePO4: 20.0 V empty at rest, up to 29.2 V while charging; outside that the divider or the ADC is off.
    this.core.diagnostics.add('battery', () => inRange(this.hardware.batteryVolts(), 18, 29.5, 'V'));
    this.core.diagnostics.add('temperature', () => inRange(this.hardware.temperatureC(), -10, 60, '°C'));
    this.core.diagnostics.add('camera', () => {
      const vision = this.recognizer.status();
      if (!this.camera) return { ok: true, detail: 'no camera on this cart: barcode-only' };
      const camera = this.camera.status();
      return camera.ok
        ? { ok: true, detail: `recognition ${vision.state}${vision.reason ? `: ${vision.reason}` : ''}` }
        : { ok: false, detail: `barcode-only: ${cameraReason(camera)}` };
    });
    this.core.diagnostics.add('screen', () =>
      this.screen === null
        ? { ok: true, detail: 'disabled in the config' }
        : this.screenFault
          ? { ok: false, detail: this.screenFault }
          : { ok: true, detail: `serving on port ${this.screen.port}, ${this.screen.connections} page(s) open` },
    );
  }

  get hardware(): CartHardware {
    if (!this.hw) throw new Error('CartRuntime used before start()');
    return this.hw;
  }

  /** Scanner, basket scale, motion, basket light and buzzer (after `start()`). */
  get peripherals(): CartPeripherals {
    if (!this.parts) throw new Error('CartRuntime used before start()');
    return this.parts;
  }

  async start(): Promise<void> {
    this.model.start();
    this.gallery.start();
    await this.core.start();
    this.streams.start();
    await this.snapshots.start();
    const { board, virtualIo } = this.core.board;
    const hw = new CartHardware(board, this.core.clock);
    this.hw = hw;
    await hw.start();
    if (virtualIo) this.virtualRig?.attach(virtualIo);
    this.parts = new CartPeripherals(
      board,
      this.core.clock,
      this.config,
      { light: CART_PINS.basketLight, buzzer: CART_PINS.buzzer },
      () => hw.locating,
      this.log.child({ part: 'peripherals' }),
      this.virtualRig?.scanner,
    );
    await this.parts.start();
    await this.startShop(this.parts);
    await this.startVision();
    this.hw.setBrightness(this.brightness);
    this.core.shadow.onDesired((desired) => this.applyDesired(desired));
    this.locator.on('zone', this.onZone);
    this.hw.onDockChange((docked) => {
      this.core.shadow.report({ charging: docked });
      this.publishTelemetry();
    });
    this.core.shadow.report(this.reportedState());
    this.core.beginReporting(() => this.publishTelemetry());
  }

  async stop(): Promise<void> {
    this.locator.off('zone', this.onZone);
    this.screenMirror.stop();
    await this.stopVision();
    await this.stopShop();
    await this.parts?.stop();
    this.hw?.stop();
    this.snapshots.stop();
    await this.streams.stop();
    await this.core.stop();
    await this.gallery.stop();
    await this.model.stop();
  }

  /** The trip: the shop follows the snapshot and the sensors; the screen shows it; the light and buzzer say it. */
  private async startShop(parts: CartPeripherals): Promise<void> {
    this.commerce.start();
    const current = this.snapshots.current;
    if (current) this.onSnapshot(current);
    this.snapshots.on('snapshot', this.onSnapshot);
    this.feedback = new BasketFeedback(parts.signals);
    this.shop.on('change', this.onShopChange);
    this.shop.on('session', this.onShopSession);
    this.offs.push(
      parts.onScan((scan) => this.shop.handleScan(scan.code)),
      // The recognizer first: the frame of this settle is captured before the basket says what the settle meant.
      parts.onSettled((weight) => {
        this.recognizer.settled(weight.at);
        this.shop.handleSettled(weight.grams);
      }),
      parts.onUnsettled(() => this.recognizer.unsteady()),
      parts.onStill(() => this.shop.handleStill(true)),
      parts.onMoving(() => this.shop.handleStill(false)),
    );
    this.shop.start();
    // A restart mid-trip: the fleet hears of the session the journal brought back.
    const session = this.shop.state().session;
    if (session.state !== 'idle') this.followShop('shopping', session.sessionId, null);
    if (session.state === 'checkout') this.followShop('checkout', session.sessionId, null);
    if (this.screen) {
      try {
        await this.screen.start();
        this.screenFault = null;
      } catch (err) {
        // The device plane and the trip's journal work without the kiosk page; a technician sees why in diagnostics.
        this.screenFault = (err as Error).message;
        this.log.error({ err: this.screenFault }, 'cart screen server not started');
      }
    }
  }

  /** Recognition: the camera, the recognizer on the shop's basket, its status in the shadow and the alerts. */
  private async startVision(): Promise<void> {
    try {
      await this.camera?.start();
    } catch (err) {
      // The camera says so in its status: the cart goes barcode-only and reports it.
      this.log.error({ err: (err as Error).message }, 'camera not started');
    }
    this.shop.useRecognizer(this.recognizer);
    this.offs.push(
      this.recognizer.onStatus((status) => this.visionChanged(status)),
      this.model.onSwap(() => this.core.shadow.report({ vision: this.visionReport() })),
      this.gallery.onSwap(() => this.core.shadow.report({ vision: this.visionReport() })),
    );
    this.recognizer.start();
    this.visionChanged(this.recognizer.status());
  }

  private async stopVision(): Promise<void> {
    this.shop.useRecognizer(null);
    await this.recognizer.stop();
    await this.camera?.stop();
  }

  /**
   * Reports recognition's state; a camera that fails is a `fault` event (CAMERA_UNAVAILABLE) the fleet's alert
   * rules raise on, cleared when it works again.
   */
  private visionChanged(status: VisionStatus): void {
    this.core.shadow.report({ vision: this.visionReport() });
    const failing = this.camera !== null && !this.camera.status().ok;
    if (failing === this.cameraFault) return;
    this.cameraFault = failing;
    this.core.telemetry.publish('events', {
      event: failing ? 'fault' : 'fault.cleared',
      code: 'CAMERA_UNAVAILABLE',
      ...(failing ? { message: `camera: ${status.reason ?? 'no frames'}; the cart is barcode-only` } : {}),
    });
  }

  private visionReport(): JsonObject {
    const status = this.recognizer.status();
    const release = this.model.release;
    return {
      state: status.state,
      reason: status.reason,
      model: release ? `${release.name}@${release.version}` : null,
      galleryVersion: this.gallery.header?.version ?? null,
      contributePhotos: this.contributePhotos,
    };
  }

  private async stopShop(): Promise<void> {
    await this.screen?.stop();
    for (const off of this.offs.splice(0)) off();
    this.shop.off('change', this.onShopChange);
    this.shop.off('session', this.onShopSession);
    this.snapshots.off('snapshot', this.onSnapshot);
    this.shop.stop();
    this.commerce.stop();
  }

  private followShop(
    state: 'shopping' | 'checkout' | 'idle',
    sessionId: string | null,
    memberNumber: string | null,
  ): void {
    const now = this.session.current.state;
    if (state === now) return;
    if (state === 'idle') this.session.end();
    else if (state === 'shopping' && now === 'idle') this.session.start(memberNumber, sessionId ?? undefined);
    else if (state === 'shopping') this.session.resume();
    else if (now === 'shopping') this.session.checkout();
    else return;
    this.sessionChanged();
  }

  startSession(memberId: string | null = null): void {
    this.session.start(memberId);
    this.sessionChanged();
  }

  checkout(): void {
    this.session.checkout();
    this.sessionChanged();
  }

  endSession(): void {
    this.session.end();
    this.sessionChanged();
  }

  /** The battery level below which the cart reports `battery.low` (a config release's `cart.lowBatteryPercent`). */
  setLowBatteryPercent(percent: number): void {
    this.lowBatteryPercent = percent;
  }

  /** What the cart reports now (also its shadow's `reported`). */
  reportedState(): JsonObject {
    const hw = this.hardware;
    const session = this.session.current;
    return {
      kind: 'cart',
      hardwareModel: this.config.hardwareModel,
      softwareVersion: this.core.softwareVersion(this.config.softwareVersion),
      zone: this.locator.zoneId,
      session: { state: session.state, sessionId: session.sessionId },
      brightness: this.brightness,
      charging: hw.docked(),
      vision: this.visionReport(),
    };
  }

  publishTelemetry(): void {
    const hw = this.hardware;
    const percent = hw.batteryPercent();
    this.core.telemetry.publish('telemetry', {
      'battery.percent': percent,
      'battery.voltage': hw.batteryVolts(),
      'battery.charging': hw.docked(),
      'battery.low': percent < this.lowBatteryPercent,
      zone: this.locator.zoneId,
      'session.state': this.session.current.state,
    });
  }

  private sessionChanged(): void {
    const s = this.session.current;
    this.core.telemetry.publish('events', {
      event: `session.${s.state}`,
      sessionId: s.sessionId,
      zone: this.locator.zoneId,
    });
    this.core.shadow.report({ session: { state: s.state, sessionId: s.sessionId } });
    this.publishTelemetry();
  }

  private applyDesired(desired: JsonObject): JsonObject {
    const actual: JsonObject = {};
    if (typeof desired.brightness === 'number') {
      this.brightness = this.hardware.setBrightness(desired.brightness);
      actual.brightness = this.brightness;
    }
    // The store's photo contribution opt-in (issue 11): the fleet sets `desired.vision.contributePhotos`.
    const vision = desired.vision as JsonObject | undefined;
    if (vision && typeof vision.contributePhotos === 'boolean') {
      this.contributePhotos = vision.contributePhotos;
      this.recognizer.setContribution(this.contributePhotos);
      actual.vision = { contributePhotos: this.contributePhotos };
    }
    return actual;
  }
}
