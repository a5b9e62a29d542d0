import type { ConfigHost } from '../../ota/agent/components/config.ts';
import type { DeviceKind } from '../../protocol/api/devices.ts';
import type { ConfigSettingKey, ConfigSettings } from '../../protocol/ota/config-bundle.ts';

/**
 * A runtime's config port for the config handler's tests: records what it was asked to check and apply, and refuses
 * what the test tells it to (`refuse`), as a runtime with a rule the bundle breaks would.
 */
export class FakeConfigHost implements ConfigHost {
  readonly checked: ConfigSettings[] = [];
  readonly applied: ConfigSettings[] = [];
  /** Problems the next checks answer. */
  refuse: string[] = [];

  constructor(readonly kind: DeviceKind = 'cart') {}

  check(settings: ConfigSettings): string[] {
    this.checked.push(settings);
    return this.refuse;
  }

  apply(settings: ConfigSettings): { live: ConfigSettingKey[]; atRestart: ConfigSettingKey[] } {
    this.applied.push(settings);
    return { live: Object.keys(settings) as ConfigSettingKey[], atRestart: [] };
  }
}
