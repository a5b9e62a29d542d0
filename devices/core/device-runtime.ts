import { type Clock, systemClock, type TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { dataTopics } from '../../protocol/topics.ts';
import { CommandChannel } from './command-channel.ts';
import { addCoreChecks, diagnosticsCommand, logsCommand } from './core-commands.ts';
import type { DeviceConfig, DeviceCredentials } from './device-config.ts';
import { DeviceConnection, isSubscriptionRefused } from './device-connection.ts';
import type { DeviceRestarter, Restartable } from './device-restarter.ts';
import { Diagnostics } from './diagnostics.ts';
import { type OpenedBoard, openBoard } from './hardware/board.ts';
import type { VirtualBoardIO } from './hardware/virtual-board-io.ts';
import { HealthMonitor } from './health-monitor.ts';
import { LogRing } from './log-ring.ts';
import { DeviceOta, type DeviceOtaIdentity, type DeviceOtaOptions } from './ota/device-ota.ts';
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
  /** Decides retries, backoff, timeouts, the reporting beat and command expiry; the device kind's too (locate). */
  readonly clock: Clock;
  /** The OTA update agent, when the config enables it and the kind said what it is (`options.ota`). */
  readonly ota: DeviceOta | null;
  private opened: OpenedBoard | undefined;
  private shadowStarted = false;
  private subscribeRetry: TimerHandle | undefined;
  private subscribeRetryMs = 0;
  private telemetryTimer: TimerHandle | undefined;
  private telemetryIntervalMs: number;
  private publishTelemetry: (() => void) | undefined;
  /**
   * Counts broker sessions as the runtime sees them: bumped by start(), stop() and every connect without a session
   * (sessionPresent false). A subscription result only speaks for the session it was asked in.
   */
  private sessionEpoch = 0;
  /** The broker granted our subscriptions in the current session: the fleet lets this device act. */
  private subscriptionsGranted = false;
  /** The outbox is held because the fleet refuses our subscriptions ("waiting for approval" was logged). */
  private waitingForApproval = false;
  private readonly announceOnline = () => {
    this.telemetry.publish('status', { state: 'online' });
  };
  /**
   * Holds the outbox whenever the connection goes down, so that nothing is published on the next connection before
   * its first subscription result (or before we know the session and its granted subscriptions survived).
   */
  private readonly holdOutbox = () => {
    this.outbox.hold();
  };
  private readonly startShadow = (sessionPresent: boolean) => {
    if (!sessionPresent) {
      // The broker has no session for us (first connect, broker restarted): nothing is known to be granted.
      this.sessionEpoch++;
      this.subscriptionsGranted = false;
    }
    // Same session, subscriptions granted in it: send at once, nothing to wait for.
    if (this.subscriptionsGranted) this.outbox.release();
    // Subscribe on the first connect, and again whenever the broker lost our session (e.g. it restarted).
    if (this.shadowStarted && sessionPresent) return;
    this.subscribeShadow();
  };

  constructor(
    readonly config: DeviceConfig,
    credentials: DeviceCredentials,
    readonly log: Logger,
    private readonly virtualIo?: VirtualBoardIO,
    options: DeviceRuntimeOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    this.telemetryIntervalMs = config.telemetryIntervalMs;
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
      clock,
    );
    this.outbox = new Outbox(config.dataDir, this.connection, config.outbox, log.child({ part: 'outbox' }), clock);
    this.outbox.onUndeliverable(() => this.renewConnection());
    this.telemetry = new TelemetryPublisher(config.thingName, this.outbox);
    this.shadow = new ShadowSync(this.connection, config.thingName, log.child({ part: 'shadow' }));
    this.health = new HealthMonitor(
      this.telemetry,
      { intervalMs: config.healthIntervalMs, dataDir: config.dataDir },
      log,
      clock,
    );
    this.logs = options.logs ?? new LogRing();
    this.commands = new CommandChannel(config.thingName, this.connection, log.child({ part: 'commands' }), clock, {
      // An answer that could not be published waits in the outbox for the reconnect.
      fallback: (topic, payload) => this.outbox.enqueue(topic, payload),
    });
    this.commands.handle('diagnostics', diagnosticsCommand(this.diagnostics));
    this.commands.handle('logs', logsCommand(this.logs));
    this.ota =
      config.ota.enabled && options.identity
        ? new DeviceOta(
            config,
            credentials,
            {
              connection: this.connection,
              shadow: this.shadow,
              diagnostics: this.diagnostics,
              logs: this.logs,
              clock,
            },
            log.child({ part: 'ota' }),
            { softwareUpdates: 'in-process', ...options.ota, identity: options.identity },
          )
        : null;
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
    // Held until the first connection's first subscription result: a thing pending approval must not publish.
    this.sessionEpoch++;
    this.subscriptionsGranted = false;
    this.waitingForApproval = false;
    this.outbox.hold();
    this.outbox.start();
    this.connection.on('offline', this.holdOutbox);
    this.connection.on('online', this.startShadow);
    this.connection.on('online', this.announceOnline);
    this.commands.start();
    this.connection.start();
    // Which software slot this process is, before the kind reports its version.
    await this.ota?.boot();
  }

  /** The version of the software running: the OTA slot's, or the config's when OTA is off. */
  softwareVersion(configured: string): string {
    return this.ota?.softwareVersion ?? configured;
  }

  /** How the kind restarts (its `reboot` command's restarter): an OTA software switch restarts the same way. */
  useRestarter(restarter: DeviceRestarter): void {
    this.ota?.useRestarter(restarter);
  }

  /**
   * After the outbox gave a message up: a new SDK connection, so the SDK's own copy of it is not sent again (see
   * DeviceConnection.renew). The shadow client belongs to the old connection, so the shadow subscribes again, and
   * the outbox waits for that result, as after any new session.
   */
  private renewConnection(): void {
    this.log.warn('renewing the MQTT connection to drop an undeliverable message');
    this.shadow.stop();
    this.shadowStarted = false;
    this.sessionEpoch++;
    this.subscriptionsGranted = false;
    this.connection.renew().catch((err: Error) => this.log.error({ err: err.message }, 'connection not renewed'));
  }

  /** Subscribes the shadow; its first result decides whether the outbox may send on this session. */
  private subscribeShadow(): void {
    this.shadowStarted = true;
    const epoch = this.sessionEpoch;
    let grantedOnce = false;
    const granted = () => {
      grantedOnce = true;
      this.subscriptionResult(epoch, 'granted');
    };
    this.shadow.start({ granted }).then(
      () => {
        this.subscribeRetryMs = 0;
        granted();
      },
      (err) => {
        this.shadowStarted = false;
        // Only the first result says whether the fleet lets us act: a later refusal is a policy that allows some
        // shadow topics but not all, a misconfiguration to report, not a reason to stop sending data.
        if (isSubscriptionRefused(err) && !grantedOnce) {
          // Expected until approval: logged once, as the waiting state, by subscriptionResult().
          this.log.debug({ err: err.message }, 'shadow subscription refused; retrying');
          this.subscriptionResult(epoch, 'refused');
        } else {
          this.log.warn({ err: (err as Error).message }, 'shadow sync could not subscribe; retrying');
          this.subscriptionResult(epoch, 'failed');
        }
        this.retrySubscriptions();
      },
    );
  }

  /**
   * The fleet tells a device it may not act (yet) only by refusing its subscriptions (SUBACK 0x80); a PUBLISH it
   * refuses closes the connection. So the outbox is held from each (re)connect until the first subscription result,
   * and stays held while subscriptions are refused: the device stays connected and quiet, its messages wait on disk,
   * and they go out, in order, as soon as a retried subscription is granted (after approval).
   */
  private subscriptionResult(epoch: number, result: 'granted' | 'refused' | 'failed'): void {
    if (epoch !== this.sessionEpoch) return; // asked in an older session (or before a stop/start)
    if (result === 'granted') {
      this.subscriptionsGranted = true;
      if (this.waitingForApproval) {
        this.waitingForApproval = false;
        this.log.info({ queued: this.outbox.size() }, 'the fleet grants our subscriptions: sending what waited');
      }
      if (this.connection.online) this.outbox.release();
      return;
    }
    if (result === 'refused') {
      this.subscriptionsGranted = false;
      this.outbox.hold();
      if (!this.waitingForApproval) {
        this.waitingForApproval = true;
        this.log.info(
          { queued: this.outbox.size() },
          "waiting for approval: the fleet refuses this device's subscriptions",
        );
      }
      return;
    }
    // Failed without a refusal (e.g. the connection dropped while subscribing): no sign the fleet refuses us.
    if (!this.waitingForApproval && this.connection.online) this.outbox.release();
  }

  /**
   * A thing pending approval may connect but not subscribe (SUBACK 0x80): it keeps asking on the same connection,
   * backing off up to `reconnect.maxSeconds`, so that approval takes effect without a restart or a reconnect.
   */
  private retrySubscriptions(): void {
    this.clock.clearTimeout(this.subscribeRetry);
    if (!this.connection.online) return; // the next 'online' tries again
    const { minSeconds, maxSeconds } = this.config.reconnect;
    this.subscribeRetryMs = Math.min(Math.max(this.subscribeRetryMs * 2, minSeconds * 1000), maxSeconds * 1000);
    this.subscribeRetry = this.clock.setTimeout(() => {
      this.subscribeRetry = undefined;
      if (!this.connection.online || this.shadowStarted) return;
      this.commands.start();
      this.subscribeShadow();
    }, this.subscribeRetryMs);
  }

  /**
   * Called by the device kind once its hardware and vitals are set up: starts the health monitor, and runs the
   * kind's telemetry publisher now and every `telemetryIntervalMs` until stop(). Reports that follow a change (zone,
   * dock, volume) are published by the kind as they happen, on top of this beat.
   */
  beginReporting(publish: () => void): void {
    this.health.start();
    this.publishTelemetry = publish;
    // The kind is set up (its handlers and gate added): updates may begin.
    this.ota?.start();
    this.clock.clearInterval(this.telemetryTimer);
    this.telemetryTimer = this.clock.setInterval(publish, this.telemetryIntervalMs);
    publish();
  }

  /** A new telemetry beat (a config release's `telemetryIntervalMs`): re-armed at once when reporting. */
  setTelemetryInterval(ms: number): void {
    this.telemetryIntervalMs = ms;
    if (this.telemetryTimer === undefined || !this.publishTelemetry) return;
    this.clock.clearInterval(this.telemetryTimer);
    this.telemetryTimer = this.clock.setInterval(this.publishTelemetry, ms);
  }

  async stop(): Promise<void> {
    await this.ota?.stop();
    this.clock.clearInterval(this.telemetryTimer);
    this.clock.clearTimeout(this.subscribeRetry);
    this.telemetryTimer = undefined;
    this.subscribeRetry = undefined;
    this.health.stop();
    this.shadow.stop();
    this.commands.stop();
    // A later start() (a reboot in process) gets a new SDK connection, which has none of the old subscriptions.
    this.shadowStarted = false;
    this.sessionEpoch++;
    this.subscriptionsGranted = false;
    this.connection.off('offline', this.holdOutbox);
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
  /** `systemClock` when not given; tests pass a fake one. */
  clock?: Clock;
  /** What the device is (the kind sets it): the OTA agent runs only with it, and when the config enables it. */
  identity?: DeviceOtaIdentity;
  /**
   * How software updates in this process (`in-process` when not given: the simulator and tests; the boot of a real
   * device says `launcher` or `none`), and the agent's delta applier and fault points.
   */
  ota?: Partial<Omit<DeviceOtaOptions, 'identity'>>;
  /**
   * The config file's config, before the active OTA config slot was merged over it (device-boot.ts): what a config
   * release's keys go back to when a later bundle leaves them out. The runtime's own config when not given.
   */
  fileConfig?: DeviceConfig;
}
