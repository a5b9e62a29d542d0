import type { DeviceCredentials } from '../devices/core/device-config.ts';
import type { DeviceRuntimeOptions } from '../devices/core/device-runtime.ts';
import { tmp36RawFromCelsius } from '../devices/core/hardware/tmp36.ts';
import { VirtualBoardIO } from '../devices/core/hardware/virtual-board-io.ts';
import type { AudioSink } from '../devices/speaker/player/sinks/audio-sink.ts';
import { type SpeakerConfigInput, SpeakerConfigSchema } from '../devices/speaker/speaker-config.ts';
import { cellVoltageFromPercent, noiseRawFromDba, SPEAKER_PINS } from '../devices/speaker/speaker-hardware.ts';
import { SpeakerRuntime } from '../devices/speaker/speaker-runtime.ts';
import type { Logger } from '../platform/log.ts';

/**
 * A real speaker runtime on a virtual board: the amplifier warms with volume, a promo speaker's battery drains and
 * its presence sensor sees shoppers come and go.
 */
export class SimulatedSpeaker {
  readonly runtime: SpeakerRuntime;
  readonly io = new VirtualBoardIO();
  private soc = 100;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    config: SpeakerConfigInput,
    credentials: DeviceCredentials,
    private readonly timeScale: number,
    private readonly random: () => number,
    log: Logger,
    options: DeviceRuntimeOptions = {},
    /** Where its mix goes; unset: the config's `audio.sink` (the demo's default: `null`, decoding and mixing all the same). */
    sink?: AudioSink,
  ) {
    this.soc = 50 + random() * 50;
    this.runtime = new SpeakerRuntime(SpeakerConfigSchema.parse(config), credentials, sink, log, this.io, options);
  }

  get thingName(): string {
    return this.runtime.config.thingName;
  }

  private noiseDba = 52;

  async start(): Promise<void> {
    this.writeInputs();
    await this.runtime.start();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.runtime.stop();
  }

  private tick(): void {
    if (this.runtime.config.model === 'promo') {
      this.soc = Math.max(0, this.soc - 0.02 * (this.timeScale / 60));
      if (this.random() < 0.1) this.io.setDigitalInput(SPEAKER_PINS.presence, this.random() < 0.5);
    }
    this.writeInputs();
  }

  private writeInputs(): void {
    this.io.setAnalogInput(0, (cellVoltageFromPercent(this.soc) / 5) * 1023);
    // The aisle's noise for a speaker with a microphone: 48-62 dBA, drifting as shoppers come and go.
    this.noiseDba = Math.max(48, Math.min(62, this.noiseDba + (this.random() - 0.5) * 2));
    this.io.setAnalogInput(2, noiseRawFromDba(this.noiseDba));
    const volume = this.runtime.currentVolume;
    this.io.setAnalogInput(1, tmp36RawFromCelsius(26 + volume / 10 + this.random()));
  }
}
