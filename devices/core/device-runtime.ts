import type { Logger } from '../../platform/log.ts';
import { dataTopics } from '../../protocol/topics.ts';
import { CommandChannel } from './command-channel.ts';
import { addCoreChecks, diagnosticsCommand, logsCommand } from './core-commands.ts';
import type { DeviceConfig, DeviceCredentials } from './device-config.ts';
import { DeviceConnection } from './device-connection.ts';
import type { DeviceRestarter, Restartable } from './device-restarter.ts';
import { Diagnostics } from './diagnostics.ts';
import { type OpenedBoard, openBoard } from './hardware/board.ts';
import type { VirtualBoardIO } from './hardware/virtual-board-io.ts';
import { HealthMonitor } from './health-monitor.ts';
import { LogRing } from './log-ring.ts';
import { Outbox } from './outbox.ts';
import { ShadowSync } from './shadow-sync.ts';
import { TelemetryPublisher } from './telemetry-publisher.ts';

/**
 * What every device runtime is made of: the board, the connection, the outbox, telemetry, health and shadow sync.
 * A device kind (cart, speaker) builds one, adds its own features on top through the public parts, and starts it.
 * Starting never waits for the network: a device works offline and catches up when the broker is reachable.
 */
export class DeviceRuntime {
  readonly connection: DeviceConnection;
  readonly outbox: Outbox;
  readonly telemetry: TelemetryPublisher;
  readonly shadow: ShadowSync;
  readonly health: HealthMonitor;
  /** Remote commands: core registers `diagnostics` and `logs`, the device kind `locate` and `reboot`. */
  readonly commands: CommandChannel;
  /** Checks of the `diagnostics` command; the device kind adds its own. */
  readonly diagnostics = new Diagnostics();
  /** Recent log lines for the `logs` command: fed when the composition root tees its logger into it. */
  readonly logs: LogRing;
  private opened: OpenedBoard | undefined;
  private shadowStarted = false;
  private subscribeRetry: NodeJS.Timeout | undefined;
  private subscribeRetryMs = 0;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private readonly announceOnline = () => {
    this.telemetry.publish('status', { state: 'online' });
  };
  private readonly startShadow = (sessionPresent: boolean) => {
    // Subscribe on the first connect, and again whenever the broker lost our session (e.g. it restarted).
    if (this.shadowStarted && sessionPresent) return;
    this.shadowStarted = true;
    this.shadow.start().then(
      () => {
        this.subscribeRetryMs = 0;
      },
      (err) => {
        this.shadowStarted = false;
        this.log.warn({ err: (err as Error).message }, 'shadow sync could not subscribe; retrying');
        this.retrySubscriptions();
      },
    );
  };

  constructor(
    readonly config: DeviceConfig,
    credentials: DeviceCredentials,
    readonly log: Logger,
    private readonly virtualIo?: VirtualBoardIO,
    options: DeviceRuntimeOptions = {},
  ) {
    this.connection = new DeviceConnection(
      {
        thingName: config.thingName,
        host: config.endpoint.host,
        port: config.endpoint.port,
        keepAliveSeconds: config.keepAliveSeconds,
        reconnectMinSeconds: config.reconnect.minSeconds,
        reconnectMaxSeconds: Math.max(config.reconnect.minSeconds, config.reconnect.maxSeconds),
        will: {
          topic: dataTopics.publish(config.thingName, 'status'),
          payload: JSON.stringify({ msgId: `will-${Date.now()}`, ts: Date.now(), metrics: { state: 'offline' } }),
        },
      },
      credentials,
      log.child({ part: 'connection' }),
    );
    this.outbox = new Outbox(config.dataDir, this.connection, config.outbox, log.child({ part: 'outbox' }));
    this.telemetry = new TelemetryPublisher(config.thingName, this.outbox);
    this.shadow = new ShadowSync(this.connection, config.thingName, log.child({ part: 'shadow' }));
    this.health = new HealthMonitor(
      this.telemetry,
      { intervalMs: config.healthIntervalMs, dataDir: config.dataDir },
      log,
    );
    this.logs = options.logs ?? new LogRing();
    this.commands = new CommandChannel(config.thingName, this.connection, log.child({ part: 'commands' }), {
      // An answer that could not be published waits in the outbox for the reconnect.
      fallback: (topic, payload) => this.outbox.enqueue(topic, payload),
    });
    this.commands.handle('diagnostics', diagnosticsCommand(this.diagnostics));
    this.commands.handle('logs', logsCommand(this.logs));
    addCoreChecks(this.diagnostics, {
      boardReady: () => this.opened?.board.isReady === true,
      brokerConnected: () => this.connection.online,
      outboxDepth: () => this.outbox.size(),
      outboxCapacity: config.outbox.maxMessages,
      dataDir: config.dataDir,
    });
  }

  get thingName(): string {
    return this.config.thingName;
  }

  get board(): OpenedBoard {
    if (!this.opened) throw new Error('DeviceRuntime board used before start()');
    return this.opened;
  }

  /** Opens the board and the outbox; connecting goes on in the background. */
  async start(): Promise<void> {
    this.opened = await openBoard({
      io: this.config.board.io,
      serialPort: this.config.board.serialPort,
      id: this.config.thingName,
      virtualIo: this.virtualIo,
    });
    this.outbox.start();
    this.connection.on('online', this.startShadow);
    this.connection.on('online', this.announceOnline);
    this.commands.start();
    this.connection.start();
  }

  /**
   * A thing pending approval may connect but not subscribe (SUBACK 0x80): it keeps asking on the same connection,
   * backing off up to `reconnect.maxSeconds`, so that approval takes effect without a restart or a reconnect.
   */
  private retrySubscriptions(): void {
    clearTimeout(this.subscribeRetry);
    if (!this.connection.online) return; // the next 'online' tries again
    const { minSeconds, maxSeconds } = this.config.reconnect;
    this.subscribeRetryMs = Math.min(Math.max(this.subscribeRetryMs * 2, minSeconds * 1000), maxSeconds * 1000);
    this.subscribeRetry = setTimeout(() => {
      if (!this.connection.online || this.shadowStarted) return;
      this.commands.start();
      this.startShadow(false);
    }, this.subscribeRetryMs);
    this.subscribeRetry.unref();
  }

  /**
   * Called by the device kind once its hardware and vitals are set up: starts the health monitor, and runs the
   * kind's telemetry publisher now and every `telemetryIntervalMs` until stop(). Reports that follow a change (zone,
   * dock, volume) are published by the kind as they happen, on top of this beat.
   */
  beginReporting(publish: () => void): void {
    this.health.start();
    clearInterval(this.telemetryTimer);
    this.telemetryTimer = setInterval(publish, this.config.telemetryIntervalMs);
    this.telemetryTimer.unref();
    publish();
  }

  async stop(): Promise<void> {
    clearInterval(this.telemetryTimer);
    clearTimeout(this.subscribeRetry);
    this.health.stop();
    this.shadow.stop();
    this.commands.stop();
    // A later start() (a reboot in process) gets a new SDK connection, which has none of the old subscriptions.
    this.shadowStarted = false;
    this.connection.off('online', this.startShadow);
    this.connection.off('online', this.announceOnline);
    await this.outbox.stop();
    await this.connection.stop();
    this.opened?.virtualIo?.reset();
  }
}

export interface DeviceRuntimeOptions {
  /** The ring the composition root's logger writes into (`createLogger(name, level, ring)`). */
  logs?: LogRing;
  /**
   * How the device kind reboots on command: `InProcessRestarter` when not given (simulator, tests); a real device's
   * composition root passes `ProcessExitRestarter` (device-restarter.ts).
   */
  restarter?: (target: Restartable, log: Logger) => DeviceRestarter;
}
