import type { DeviceBoot } from '../core/device-boot.ts';
import { tmp36RawFromCelsius } from '../core/hardware/tmp36.ts';
import { loadSpeakerConfig, type SpeakerConfig } from './speaker-config.ts';
import { cellVoltageFromPercent } from './speaker-hardware.ts';
import { SpeakerRuntime } from './speaker-runtime.ts';

/** A speaker on its own: battery (promo model) full, warm from playing. */
export const speakerBoot: DeviceBoot<SpeakerConfig, SpeakerRuntime> = {
  kind: 'speaker',
  loadConfig: loadSpeakerConfig,
  restingInputs(io) {
    io.setAnalogInput(0, (cellVoltageFromPercent(100) / 5) * 1023);
    io.setAnalogInput(1, tmp36RawFromCelsius(28));
  },
  // The audio output is the config's (`audio.sink`: alsa on a real box).
  create: (config, credentials, log, virtualIo, options) =>
    new SpeakerRuntime(config, credentials, undefined, log, virtualIo, options),
};
