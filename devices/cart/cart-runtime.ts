import { collectGarbage } from '../../platform/garbage-collection.ts';
import type { Logger } from '../../platform/log.ts';
import type { PricingSnapshot } from '../../protocol/commerce/snapshot.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { rebootCommand } from '../core/core-commands.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
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
import { CartScreenServer } from './screen/cart-screen-server.ts';
import { ScreenMirror } from './screen/screen-mirror.ts';
import type { ZoneLocator } from './zone-locator.ts';

/**
 * The smart-cart runtime on the shared device core. Reports battery (from the pack voltage), charging (dock contact),
 * zone and session; applies the desired screen brightness from its shadow. Seams for later issues: `session`
 * (basket, checkout), `locator` (BLE positioning), the hardware class (scanner, scale, camera).
 */
export class CartRuntime {
  readonly core: DeviceRuntime;
  readonly session = new CartSession();
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
    options: DeviceRuntimeOptions = {},
  ) {
    this.core = new DeviceRuntime(config, credentials, log, virtualIo, options);
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
    this.core.commands.handle('reboot', rebootCommand(restarter));
    this.core.commands.handle('locate', ({ seconds }) => {
      this.hardware.startLocating(seconds);
      return { result: { seconds } };
    });
    this.core.commands.handle('screen-mirror', ({ seconds }) => ({ result: this.screenMirror.start(seconds) }));
    // 8S LiFePO4: 20.0 V empty at rest, up to 29.2 V while charging; outside that the divider or the ADC is off.
    this.core.diagnostics.add('battery', () => inRange(this.hardware.batteryVolts(), 18, 29.5, 'V'));
    this.core.diagnostics.add('temperature', () => inRange(this.hardware.temperatureC(), -10, 60, '°C'));
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
    await this.stopShop();
    await this.parts?.stop();
    this.hw?.stop();
    this.snapshots.stop();
    await this.streams.stop();
    await this.core.stop();
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
      parts.onSettled((weight) => this.shop.handleSettled(weight.grams)),
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

  /** What the cart reports now (also its shadow's `reported`). */
  reportedState(): JsonObject {
    const hw = this.hardware;
    const session = this.session.current;
    return {
      kind: 'cart',
      hardwareModel: this.config.hardwareModel,
      softwareVersion: this.config.softwareVersion,
      zone: this.locator.zoneId,
      session: { state: session.state, sessionId: session.sessionId },
      brightness: this.brightness,
      charging: hw.docked(),
    };
  }

  publishTelemetry(): void {
    const hw = this.hardware;
    const percent = hw.batteryPercent();
    this.core.telemetry.publish('telemetry', {
      'battery.percent': percent,
      'battery.voltage': hw.batteryVolts(),
      'battery.charging': hw.docked(),
      'battery.low': percent < this.config.lowBatteryPercent,
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
    return actual;
  }
}
