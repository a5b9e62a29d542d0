import { applyPlan, type ConfigHost } from '../../../ota/agent/components/config.ts';
import type { ConfigSettingKey, ConfigSettings } from '../../../protocol/ota/config-bundle.ts';
import type { CartConfig } from '../cart-config.ts';
import type { CartRuntime } from '../cart-runtime.ts';

/**
 * The cart's side of config releases (issue 10 item 6). Live: `telemetryIntervalMs` (the beat is re-armed) and
 * `cart.lowBatteryPercent`. At the next start: `healthIntervalMs`, `logLevel` and the scale's settling, which the
 * health monitor, the loggers and the scale driver take when they are made. A key absent from the bundle goes back
 * to `fileConfig`, the config file as loaded before any bundle was merged over it.
 */
export class CartConfigHost implements ConfigHost {
  readonly kind = 'cart' as const;

  constructor(
    private readonly runtime: CartRuntime,
    private readonly fileConfig: CartConfig,
  ) {}

  check(settings: ConfigSettings): string[] {
    const problems: string[] = [];
    const window = Number(settings['cart.scale.settleWindowMs'] ?? this.fileConfig.scale.settleWindowMs);
    const sample = this.runtime.config.scale.sampleIntervalMs;
    // The settle detector needs a few readings inside its window, or one noisy reading settles the basket.
    if (window < 3 * sample)
      problems.push(
        `cart.scale.settleWindowMs ${window} is under three of this scale's readings (one every ${sample} ms)`,
      );
    return problems;
  }

  apply(settings: ConfigSettings): { live: ConfigSettingKey[]; atRestart: ConfigSettingKey[] } {
    this.runtime.core.setTelemetryInterval(Number(settings.telemetryIntervalMs ?? this.fileConfig.telemetryIntervalMs));
    this.runtime.setLowBatteryPercent(Number(settings['cart.lowBatteryPercent'] ?? this.fileConfig.lowBatteryPercent));
    return applyPlan(this.kind, settings, this.runtime.config, this.fileConfig);
  }
}
