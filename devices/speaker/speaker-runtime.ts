import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import { rebootCommand } from '../core/core-commands.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { InProcessRestarter } from '../core/device-restarter.ts';
import { DeviceRuntime, type DeviceRuntimeOptions } from '../core/device-runtime.ts';
import { inRange } from '../core/diagnostics.ts';
import type { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import type { AudioOutput } from './audio-output.ts';
import { BroadcastDelivery } from './broadcast-delivery.ts';
import type { SpeakerConfig } from './speaker-config.ts';
import { SpeakerHardware } from './speaker-hardware.ts';

/** Track id of the tone a speaker plays while it is being located. */
export const LOCATE_TONE_ID = 'locate-tone';

/**
 * The speaker runtime on the shared device core: applies the desired volume from its shadow and reports it, reports
 * what it is playing, and (promo model) shopper presence and battery. It loops its local content; the broadcast
 * issue replaces that loop with the scheduler (programmes, presence-triggered promos, ad-hoc insertion).
 */
export class SpeakerRuntime {
  readonly core: DeviceRuntime;
  /** Manifest, content cache and proof of play (issue 9); the player reads from it and logs plays into it. */
  readonly delivery: BroadcastDelivery;
  private hw: SpeakerHardware | undefined;
  private volume: number;
  private trackIndex = 0;
  private readonly onEnded = () => this.playNext();

  constructor(
    readonly config: SpeakerConfig,
    credentials: DeviceCredentials,
    readonly audio: AudioOutput,
    log: Logger,
    virtualIo?: VirtualBoardIO,
    options: DeviceRuntimeOptions = {},
  ) {
    this.core = new DeviceRuntime(config, credentials, log, virtualIo, options);
    this.delivery = new BroadcastDelivery(this.core, config, credentials, log);
    // SEAM (issue 9 item 5, the player part): the player takes `delivery.on('manifest', m => player.setManifest(m))`
    // (and `delivery.current` at start), finds files with `delivery.pathOf`, and its `onPlay(record)` hook calls
    // `delivery.recordPlay(record)`. Until it lands, the loop of localContent below plays.
    this.volume = config.defaultVolume;
    // Registered once here, not in start(): a reboot in process runs start() again.
    this.core.health.addVitals(() => {
      const vitals: Record<string, number> = { 'temperature.c': this.hardware.temperatureC() };
      if (this.config.model === 'promo') vitals['battery.percent'] = this.hardware.batteryPercent();
      return vitals;
    });
    const restarter = options.restarter?.(this, log) ?? new InProcessRestarter(this, log);
    this.core.commands.handle('reboot', rebootCommand(restarter));
    this.core.commands.handle('locate', ({ seconds }) => {
      // The tone interrupts the content; when it ends, 'ended' moves the loop on to the next track.
      this.audio.play({ id: LOCATE_TONE_ID, title: 'Locate tone', durationMs: seconds * 1000 });
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

  get currentVolume(): number {
    return this.volume;
  }

  async start(): Promise<void> {
    await this.core.start();
    this.delivery.start();
    this.hw = new SpeakerHardware(this.core.board.board, this.core.clock);
    await this.hw.start();
    this.hw.setVolume(this.volume);
    if (this.config.model === 'promo') {
      // johnny-five's Switch announces its first reading as a change: only real changes become events.
      let last = this.hw.presence();
      this.hw.onPresence((present) => {
        if (present === last) return;
        last = present;
        this.core.telemetry.publish('events', { event: present ? 'presence.detected' : 'presence.cleared' });
      });
    }
    this.core.shadow.onDesired((desired) => this.applyDesired(desired));
    this.audio.on('ended', this.onEnded);
    this.playNext();
    this.core.shadow.report(this.reportedState());
    this.core.beginReporting(() => this.publishTelemetry());
  }

  async stop(): Promise<void> {
    this.audio.off('ended', this.onEnded);
    this.audio.stop();
    this.hw?.stop();
    this.delivery.stop();
    await this.core.stop();
  }

  reportedState(): JsonObject {
    const playing = this.audio.nowPlaying;
    return {
      kind: 'speaker',
      model: this.config.model,
      hardwareModel: this.config.hardwareModel,
      softwareVersion: this.config.softwareVersion,
      volume: this.volume,
      nowPlaying: playing ? { trackId: playing.trackId, title: playing.title, startedAt: playing.startedAt } : null,
    };
  }

  publishTelemetry(): void {
    const metrics: Record<string, string | number | boolean | null> = {
      volume: this.volume,
      'nowPlaying.trackId': this.audio.nowPlaying?.trackId ?? null,
    };
    if (this.config.model === 'promo') {
      metrics.presence = this.hardware.presence();
      metrics['battery.percent'] = this.hardware.batteryPercent();
    }
    this.core.telemetry.publish('telemetry', metrics);
  }

  private playNext(): void {
    const content = this.config.localContent;
    if (content.length === 0) return;
    const track = content[this.trackIndex % content.length];
    this.trackIndex++;
    if (!track) return;
    this.audio.play(track);
    this.core.shadow.report({ nowPlaying: this.reportedState().nowPlaying ?? null });
  }

  private applyDesired(desired: JsonObject): JsonObject {
    const actual: JsonObject = {};
    if (typeof desired.volume === 'number') {
      this.volume = this.hardware.setVolume(desired.volume);
      actual.volume = this.volume;
      this.publishTelemetry();
    }
    return actual;
  }
}
