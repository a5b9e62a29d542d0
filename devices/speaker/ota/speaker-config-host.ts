import { applyPlan, type ConfigHost } from '../../../ota/agent/components/config.ts';
import type { ConfigSettingKey, ConfigSettings } from '../../../protocol/ota/config-bundle.ts';
import type { SpeakerConfig } from '../speaker-config.ts';
import type { SpeakerRuntime } from '../speaker-runtime.ts';

/**
 * The speaker's side of config releases (issue 10 item 6). Live: `telemetryIntervalMs` and `speaker.maxVolume` (the
 * amplifier and the mixer follow at once). At the next start: `healthIntervalMs`, `logLevel`,
 * `speaker.defaultVolume` and `speaker.playBatchDelayMs`. A key absent from the bundle goes back to `fileConfig`, the
 * config file as loaded before any bundle was merged over it.
 */
export class SpeakerConfigHost implements ConfigHost {
  readonly kind = 'speaker' as const;

  constructor(
    private readonly runtime: SpeakerRuntime,
    private readonly fileConfig: SpeakerConfig,
  ) {}

  check(settings: ConfigSettings): string[] {
    const max = Number(settings['speaker.maxVolume'] ?? this.fileConfig.maxVolume);
    const start = Number(settings['speaker.defaultVolume'] ?? this.fileConfig.defaultVolume);
    return start > max ? [`speaker.defaultVolume ${start} is above speaker.maxVolume ${max}`] : [];
  }

  apply(settings: ConfigSettings): { live: ConfigSettingKey[]; atRestart: ConfigSettingKey[] } {
    this.runtime.core.setTelemetryInterval(Number(settings.telemetryIntervalMs ?? this.fileConfig.telemetryIntervalMs));
    this.runtime.setMaxVolume(Number(settings['speaker.maxVolume'] ?? this.fileConfig.maxVolume));
    return applyPlan(this.kind, settings, this.runtime.config, this.fileConfig);
  }
}
