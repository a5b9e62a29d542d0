import type { Logger } from '../../platform/log.ts';
import type { JsonObject } from '../../protocol/shadow.ts';
import type { DeviceCredentials } from '../core/device-config.ts';
import { DeviceRuntime } from '../core/device-runtime.ts';
import type { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import type { AudioOutput } from './audio-output.ts';
import type { SpeakerConfig } from './speaker-config.ts';
import { SpeakerHardware } from './speaker-hardware.ts';

/**
 * The speaker runtime on the shared device core: applies the desired volume from its shadow and reports it, reports
 * what it is playing, and (promo model) shopper presence and battery. It loops its local content; the broadcast
 * issue replaces that loop with the scheduler (programmes, presence-triggered promos, ad-hoc insertion).
 */
export class SpeakerRuntime {
  readonly core: DeviceRuntime;
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
  ) {
    this.core = new DeviceRuntime(config, credentials, log, virtualIo);
    this.volume = config.defaultVolume;
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
    this.hw = new SpeakerHardware(this.core.board.board);
    await this.hw.start();
    this.hw.setVolume(this.volume);
    this.core.health.addVitals(() => {
      const vitals: Record<string, number> = { 'temperature.c': this.hardware.temperatureC() };
      if (this.config.model === 'promo') vitals['battery.percent'] = this.hardware.batteryPercent();
      return vitals;
    });
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
