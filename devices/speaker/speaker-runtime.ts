import { promoLevel } from '../../broadcast/promo-level.ts';
import { ConfigComponentHandler } from '../../ota/agent/components/config.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import type { Logger } from '../../platform/log.ts';
import type { BroadcastManifest } from '../../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { isFleetError } from '../../protocol/errors.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { rebootCommand } from '../core/core-commands.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { InProcessRestarter } from '../core/device-restarter.ts';
import { DeviceRuntime, type DeviceRuntimeOptions } from '../core/device-runtime.ts';
import { inRange } from '../core/diagnostics.ts';
import type { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import { BroadcastDelivery } from './broadcast-delivery.ts';
import { CartNearbyListener } from './cart-nearby-listener.ts';
import { LiveInserts } from './live-inserts.ts';
import { speakerAnnouncementGate } from './ota/announcement-timeline.ts';
import { SpeakerConfigHost } from './ota/speaker-config-host.ts';
import { type AudioSink, NullSink } from './player/sinks/audio-sink.ts';
import { createSink } from './player/sinks/create-sink.ts';
import { SpeakerPlayer } from './player/speaker-player.ts';
import { BroadcastScheduler, LOCATE_TONE_ID, type NowPlaying } from './scheduler/broadcast-scheduler.ts';
import type { PresenceDecision } from './scheduler/presence-gate.ts';
import type { SpeakerConfig } from './speaker-config.ts';
import { SpeakerHardware } from './speaker-hardware.ts';

export { LOCATE_TONE_ID };

/** Where the scheduler finds a cached asset's file (the content cache binds it; nothing is cached until then). */
export type AssetPathPort = (sha256: string) => string | undefined;

/**
 * The speaker runtime on the shared device core: a real player (devices/speaker/player/) and the broadcast
 * scheduler that plays the manifest handed to `setManifest()`; until one arrives it plays nothing but the locate
 * tone. Applies the desired volume from its shadow (the level while no manifest decides) and reports it, reports
 * what it is playing, and (promo model) shopper presence and battery; a PIR rising edge offers the manifest's promo.
 */
export class SpeakerRuntime {
  readonly core: DeviceRuntime;
  /** Manifest, content cache and proof of play (issue 9); the player reads from it and logs plays into it. */
  readonly delivery: BroadcastDelivery;
  /** Ad-hoc inserts and the emergency announcement, from the named shadow `broadcast-insert`. */
  readonly inserts: LiveInserts;
  /** The fleet's nudges when a cart enters this speaker's zone. */
  readonly nearby: CartNearbyListener;
  private hw: SpeakerHardware | undefined;
  /** The amplifier's volume: the desired (or default) one, capped at `maxVolume`. */
  private volume: number;
  private desiredVolume: number;
  private maxVolume: number;
  private player: SpeakerPlayer | undefined;
  private sched: BroadcastScheduler | undefined;
  private manifest: BroadcastManifest | null = null;
  private assetPath: AssetPathPort = () => undefined;
  private readonly playListeners: ((record: PlayRecord) => void)[] = [];
  private audioError: string | null = null;

  constructor(
    readonly config: SpeakerConfig,
    credentials: DeviceCredentials,
    /** Where the mix goes; unset: what `config.audio` says (tests and the simulator pass their own). */
    private readonly sink: AudioSink | undefined,
    private readonly log: Logger,
    virtualIo?: VirtualBoardIO,
    options: DeviceRuntimeOptions = {},
  ) {
    this.core = new DeviceRuntime(config, credentials, log, virtualIo, {
      ...options,
      identity: { kind: 'speaker', hardwareModel: config.hardwareModel, softwareVersion: config.softwareVersion },
    });
    this.delivery = new BroadcastDelivery(this.core, config, credentials, log);
    // The player plays what delivery makes current, finds files in its cache, and logs every play into its PlayLog.
    this.delivery.on('manifest', (manifest) => this.setManifest(manifest));
    this.assetPath = (sha256) => this.delivery.pathOf(sha256);
    this.onPlay((record) => this.delivery.recordPlay(record));
    this.inserts = new LiveInserts(
      this.core.connection,
      config.thingName,
      {
        pinExtra: (assets) => this.delivery.pinExtra(assets),
        has: (sha256) => this.delivery.pathOf(sha256) !== undefined,
        onReady: (listener) => this.delivery.onReady(listener),
        playNow: (insert) =>
          this.sched?.playNow({
            sha256: insert.sha256,
            layer: 'adhoc',
            entry: insert.entry,
            trigger: 'adhoc',
            campaignId: null,
            itemId: insert.id,
          }) ?? { accepted: false, reason: 'the player is not running' },
        startEmergency: (sha256) => this.scheduler.startEmergency(sha256),
        clearEmergency: () => this.scheduler.clearEmergency(),
        recordSkipped: (record) => {
          for (const listener of this.playListeners) listener(record);
        },
        volume: () => this.volume,
        manifestVersion: () => this.sched?.manifestVersion ?? null,
      },
      log.child({ part: 'live-inserts' }),
      this.core.clock,
    );
    this.nearby = new CartNearbyListener(
      this.core.connection,
      config.thingName,
      (trigger) => this.presence(trigger),
      log.child({ part: 'cart-nearby' }),
    );
    this.desiredVolume = config.defaultVolume;
    this.maxVolume = config.maxVolume;
    this.volume = Math.min(this.desiredVolume, this.maxVolume);
    // Registered once here, not in start(): a reboot in process runs start() again.
    this.core.health.addVitals(() => {
      const vitals: Record<string, number> = { 'temperature.c': this.hardware.temperatureC() };
      if (this.config.model === 'promo') vitals['battery.percent'] = this.hardware.batteryPercent();
      if (this.player) vitals['audio.underruns'] = this.player.mixer.stats.underruns;
      return vitals;
    });
    const restarter = options.restarter?.(this, log) ?? new InProcessRestarter(this, log);
    this.core.useRestarter(restarter);
    // OTA: no install during an announcement; config releases applied through the speaker's host.
    this.core.ota?.setGate(speakerAnnouncementGate(this));
    const fileConfig = (options.fileConfig as SpeakerConfig | undefined) ?? config;
    this.core.ota?.addHandler(
      new ConfigComponentHandler(new SpeakerConfigHost(this, fileConfig), log.child({ part: 'ota' })),
    );
    this.core.commands.handle('reboot', rebootCommand(restarter));
    this.core.commands.handle('locate', ({ seconds }) => {
      this.scheduler.playLocateTone(seconds * 1000);
      this.hardware.startLocating(seconds);
      return { result: { seconds } };
    });
    this.core.diagnostics.add('temperature', () => inRange(this.hardware.temperatureC(), -10, 80, '°C'));
    if (config.model === 'promo')
      // 1S Li-ion: 3.3 V empty, 4.2 V full; beyond that the cell or the ADC divider is at fault.
      this.core.diagnostics.add('battery', () => inRange(this.hardware.batteryVolts(), 3.0, 4.3, 'V'));
  }

  get hardware(): SpeakerHardware {
    if (!this.hw) throw new Error('SpeakerRuntime used before start()');
    return this.hw;
  }

  get scheduler(): BroadcastScheduler {
    if (!this.sched) throw new Error('SpeakerRuntime used before start()');
    return this.sched;
  }

  /** The scheduler while the runtime runs (undefined before start() and after stop()). */
  get runningScheduler(): BroadcastScheduler | undefined {
    return this.sched;
  }

  get currentVolume(): number {
    return this.volume;
  }

  get nowPlaying(): NowPlaying | null {
    return this.sched?.nowPlaying ?? null;
  }

  /** The manifest to play (the delivery side hands over each one that becomes current); kept across a reboot. */
  setManifest(manifest: BroadcastManifest): void {
    this.manifest = manifest;
    this.sched?.setManifest(manifest);
  }

  /** Where cached assets are (the content cache's `pathOf`). */
  setAssetPaths(port: AssetPathPort): void {
    this.assetPath = port;
  }

  /** Every play when it ends (proof of play: the delivery side's PlayLog). */
  onPlay(listener: (record: PlayRecord) => void): void {
    this.playListeners.push(listener);
  }

  /**
   * The loudest the speaker may play (a config release's `speaker.maxVolume`), at once: the amplifier follows and the
   * mixer caps the schedule from its next block.
   */
  setMaxVolume(max: number): void {
    this.maxVolume = max;
    this.volume = Math.min(this.desiredVolume, max);
    if (!this.hw) return;
    this.hw.setVolume(this.volume);
    this.core.shadow.report({ volume: this.volume, maxVolume: max });
  }

  /** Someone near a promo speaker that its own PIR did not see (a cart entering its zone). */
  presence(trigger: 'pir' | 'cart'): PresenceDecision {
    return this.scheduler.presence(trigger);
  }

  async start(): Promise<void> {
    await this.core.start();
    this.delivery.start();
    const current = this.delivery.current;
    if (current) this.setManifest(current);
    this.hw = new SpeakerHardware(this.core.board.board, this.core.clock, this.config.microphone);
    await this.hw.start();
    this.hw.setVolume(this.volume);
    await this.startAudio();
    // After the scheduler exists: an insert or an emergency may be due at once.
    this.inserts.start();
    this.nearby.start();
    if (this.config.model === 'promo') {
      // johnny-five's Switch announces its first reading as a change: only real changes become events.
      let last = this.hw.presence();
      this.hw.onPresence((present) => {
        if (present === last) return;
        last = present;
        this.core.telemetry.publish('events', { event: present ? 'presence.detected' : 'presence.cleared' });
        if (present) this.sched?.presence('pir');
      });
    }
    this.core.shadow.onDesired((desired) => this.applyDesired(desired));
    this.core.shadow.report(this.reportedState());
    this.core.beginReporting(() => this.publishTelemetry());
  }

  async stop(): Promise<void> {
    this.nearby.stop();
    this.inserts.stop();
    this.sched?.stop();
    await this.player?.stop();
    this.sched?.removeAllListeners();
    this.sched = undefined;
    this.player = undefined;
    this.hw?.stop();
    this.delivery.stop();
    await this.core.stop();
  }

  reportedState(): JsonObject {
    return {
      kind: 'speaker',
      model: this.config.model,
      hardwareModel: this.config.hardwareModel,
      softwareVersion: this.core.softwareVersion(this.config.softwareVersion),
      volume: this.volume,
      maxVolume: this.maxVolume,
      nowPlaying: this.nowPlayingReport(),
      audioError: this.audioError,
    };
  }

  publishTelemetry(): void {
    const metrics: Record<string, string | number | boolean | null> = {
      volume: this.volume,
      'nowPlaying.trackId': this.nowPlaying?.trackId ?? null,
    };
    if (this.config.model === 'promo') {
      metrics.presence = this.hardware.presence();
      metrics['battery.percent'] = this.hardware.batteryPercent();
    }
    this.core.telemetry.publish('telemetry', metrics);
  }

  /**
   * The player and scheduler. A sink that cannot open (AUDIO_OUTPUT_UNAVAILABLE: no card, a wrong ALSA name) does
   * not stop the speaker: it keeps time on a null sink, so its shadow, commands and proof of play stay truthful,
   * and reports `audioError` for the console.
   */
  private async startAudio(): Promise<void> {
    const clock = this.core.clock;
    let ffmpegPath = this.config.audio.ffmpegPath ?? 'ffmpeg';
    try {
      ffmpegPath = resolveFfmpeg(this.config.audio.ffmpegPath).path;
    } catch (err) {
      this.audioError = isFleetError(err) ? err.code : 'FFMPEG_UNAVAILABLE';
      this.log.error({ err }, 'no ffmpeg: assets cannot be decoded (every play is skipped)');
    }
    let scheduler: BroadcastScheduler | undefined;
    const options = {
      ffmpegPath,
      lookaheadMs: this.config.audio.lookaheadMs,
      // The cap holds over the schedule's spans too; an emergency plays at its own level whatever the cap.
      volumeAt: (t: number) => {
        const volume = scheduler?.volumeAt(t) ?? 0;
        return scheduler?.emergencyActive ? volume : Math.min(volume, this.maxVolume);
      },
    };
    let player = new SpeakerPlayer(clock, this.sink ?? createSink(this.config.audio, ffmpegPath), options);
    try {
      await player.start();
    } catch (err) {
      if (!isFleetError(err, 'AUDIO_OUTPUT_UNAVAILABLE')) throw err;
      this.audioError = err.code;
      this.log.error({ err }, 'audio output unavailable: playing to a null sink');
      player = new SpeakerPlayer(clock, new NullSink(), options);
      await player.start();
    }
    scheduler = new BroadcastScheduler(
      clock,
      player,
      {
        assetPath: (sha) => this.assetPath(sha),
        battery: () => (this.config.model === 'promo' ? this.hw?.batteryPercent() : undefined),
        promoLevel: (promo) => promoLevel(promo, this.config.calibration, this.hw?.ambientDbSpl() ?? null),
      },
      { prerollMs: this.config.audio.prerollMs, fallbackVolume: () => this.volume },
    );
    scheduler.on('play', (record) => {
      for (const listener of this.playListeners) listener(record);
    });
    scheduler.on('nowPlaying', () => this.core.shadow.report({ nowPlaying: this.nowPlayingReport() }));
    this.player = player;
    this.sched = scheduler;
    if (this.manifest) scheduler.setManifest(this.manifest);
    scheduler.start();
  }

  private nowPlayingReport(): JsonObject | null {
    const playing = this.nowPlaying;
    return playing ? { ...playing } : null;
  }

  private applyDesired(desired: JsonObject): JsonObject {
    const actual: JsonObject = {};
    if (typeof desired.volume === 'number') {
      this.desiredVolume = desired.volume;
      this.volume = this.hardware.setVolume(Math.min(this.desiredVolume, this.maxVolume));
      actual.volume = this.volume;
      this.publishTelemetry();
    }
    return actual;
  }
}
