import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { rebootCommand } from '../core/core-commands.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { InProcessRestarter } from '../core/device-restarter.ts';
import { DeviceRuntime, type DeviceRuntimeOptions } from '../core/device-runtime.ts';
import { inRange } from '../core/diagnostics.ts';
import { FileStreamClient } from '../core/file-stream-client.ts';
import type { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import type { CartConfig } from './cart-config.ts';
import { CART_PINS, CartHardware } from './cart-hardware.ts';
import { CartSession } from './cart-session.ts';
import { SnapshotStore } from './commerce/snapshot-store.ts';
import { CartPeripherals } from './hardware/cart-peripherals.ts';
import { seedFromName, VirtualCartRig } from './hardware/virtual-cart-rig.ts';
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
    );
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
    // 8S LiFePO4: 20.0 V empty at rest, up to 29.2 V while charging; outside that the divider or the ADC is off.
    this.core.diagnostics.add('battery', () => inRange(this.hardware.batteryVolts(), 18, 29.5, 'V'));
    this.core.diagnostics.add('temperature', () => inRange(this.hardware.temperatureC(), -10, 60, '°C'));
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
    this.snapshots.start();
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
    await this.parts?.stop();
    this.hw?.stop();
    this.snapshots.stop();
    await this.streams.stop();
    await this.core.stop();
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
