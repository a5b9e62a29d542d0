import type { DeviceKind } from '../api/devices.ts';
import { type FromSchema, object } from '../api/json-schema.ts';

/**
 * A config release's artifact: one JSON document of the runtime settings OTA may change. A deliberately small,
 * listed set: what a chain tunes across its fleet (report intervals, logging, the cart's battery warning and scale
 * settling, the speaker's volume ceiling). Identity, endpoints, certificates, hardware pins and the cart screen's
 * host and port are the device's own wiring and stay in its config file; what operators set per device (screen
 * brightness, volume) is the shadow's `desired` state, which a config release must not fight.
 *
 * Each setting says when it takes effect: `live` (the runtime applies it at once, and again when the config slot
 * rolls back) or `restart` (merged over the config file when the runtime next starts; the runtime's ConfigHost says
 * which keys of an activated bundle wait for it).
 */
export const CONFIG_BUNDLE_SCHEMA_VERSION = 1;

export type ConfigSettingApplies = 'live' | 'restart';

interface SettingBase {
  /** The device kinds the setting exists on. */
  kinds: readonly DeviceKind[];
  applies: ConfigSettingApplies;
  /** Where it lands in the runtime's config (the config file's path), dotted. */
  configPath: string;
  description: string;
}

export type ConfigSetting =
  | (SettingBase & { type: 'integer' | 'number'; minimum: number; maximum: number })
  | (SettingBase & { type: 'enum'; values: readonly string[] });

const BOTH = ['cart', 'speaker'] as const;

/** Every setting a config bundle may carry, by its key in `settings`. */
export const CONFIG_SETTINGS = {
  telemetryIntervalMs: {
    kinds: BOTH,
    type: 'integer',
    minimum: 1000,
    maximum: 600_000,
    applies: 'live',
    configPath: 'telemetryIntervalMs',
    description: 'how often the telemetry beat is published, ms',
  },
  healthIntervalMs: {
    kinds: BOTH,
    type: 'integer',
    minimum: 5000,
    maximum: 3_600_000,
    applies: 'restart',
    configPath: 'healthIntervalMs',
    description: 'how often health (cpu, memory, disk, vitals) is sampled and published, ms',
  },
  logLevel: {
    kinds: BOTH,
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
    applies: 'restart',
    configPath: 'logLevel',
    description: "the runtime's log level (its child loggers take the level they were made with)",
  },
  'cart.lowBatteryPercent': {
    kinds: ['cart'],
    type: 'integer',
    minimum: 5,
    maximum: 50,
    applies: 'live',
    configPath: 'lowBatteryPercent',
    description: 'below this the cart asks to be docked and reports battery.low, %',
  },
  'cart.scale.settleWindowMs': {
    kinds: ['cart'],
    type: 'integer',
    minimum: 100,
    maximum: 5000,
    applies: 'restart',
    configPath: 'scale.settleWindowMs',
    description: 'a basket weight counts as settled after this long within the spread, ms',
  },
  'cart.scale.settleSpreadGrams': {
    kinds: ['cart'],
    type: 'number',
    minimum: 0.5,
    maximum: 50,
    applies: 'restart',
    configPath: 'scale.settleSpreadGrams',
    description: 'the spread of readings a settled basket weight stays within, g',
  },
  'speaker.maxVolume': {
    kinds: ['speaker'],
    type: 'integer',
    minimum: 0,
    maximum: 100,
    applies: 'live',
    configPath: 'maxVolume',
    description: 'the loudest the speaker plays (desired volume and schedule spans are capped; an emergency is not), %',
  },
  'speaker.defaultVolume': {
    kinds: ['speaker'],
    type: 'integer',
    minimum: 0,
    maximum: 100,
    applies: 'restart',
    configPath: 'defaultVolume',
    description: 'the volume until the shadow or a manifest decides, %',
  },
  'speaker.playBatchDelayMs': {
    kinds: ['speaker'],
    type: 'integer',
    minimum: 0,
    maximum: 600_000,
    applies: 'restart',
    configPath: 'broadcast.playBatchDelayMs',
    description: 'plays logged within this long of each other go to the fleet in one message, ms',
  },
} as const satisfies Record<string, ConfigSetting>;

export type ConfigSettingKey = keyof typeof CONFIG_SETTINGS;
export type ConfigSettings = Partial<Record<ConfigSettingKey, number | string>>;

/**
 * The bundle's shape. `settings` is checked key by key by {@link configBundleProblems} (so an unknown key gets its
 * own readable refusal, not a bare "additional property").
 */
export const ConfigBundleSchema = object({
  schema: { const: CONFIG_BUNDLE_SCHEMA_VERSION },
  settings: { type: 'object', additionalProperties: true, maxProperties: 64 },
});
export type ConfigBundle = FromSchema<typeof ConfigBundleSchema>;

/** Largest config bundle a device accepts (its settings are a few hundred bytes). */
export const MAX_CONFIG_BUNDLE_BYTES = 64 * 1024;

/**
 * The problems with a bundle's settings for a release of these device kinds; empty when it may be installed.
 * Unknown keys, keys of none of the kinds, wrong types and out-of-range values are each one problem.
 */
export function configBundleProblems(settings: Record<string, unknown>, kinds: readonly DeviceKind[]): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const spec: ConfigSetting | undefined = Object.hasOwn(CONFIG_SETTINGS, key)
      ? CONFIG_SETTINGS[key as ConfigSettingKey]
      : undefined;
    if (!spec) {
      problems.push(
        `'${key}' is not a setting a config release may change (${Object.keys(CONFIG_SETTINGS).join(', ')})`,
      );
      continue;
    }
    if (!spec.kinds.some((k) => kinds.includes(k))) {
      problems.push(`'${key}' is a setting of a ${spec.kinds.join(' or ')}, not of a ${kinds.join(' or ')}`);
      continue;
    }
    const problem = valueProblem(spec, value);
    if (problem) problems.push(`'${key}' ${problem}`);
  }
  return problems;
}

function valueProblem(spec: ConfigSetting, value: unknown): string | undefined {
  if (spec.type === 'enum')
    return typeof value === 'string' && spec.values.includes(value)
      ? undefined
      : `must be one of ${spec.values.join(', ')}`;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (spec.type === 'number' || Number.isInteger(value)) &&
    value >= spec.minimum &&
    value <= spec.maximum;
  return ok
    ? undefined
    : `must be ${spec.type === 'integer' ? 'an integer' : 'a number'} from ${spec.minimum} to ${spec.maximum}`;
}

/** The settings of a bundle that exist on `kind` (a bundle for carts and speakers carries both kinds' keys); unknown keys are left out. */
export function settingsFor(kind: DeviceKind, settings: ConfigSettings): ConfigSettings {
  const out: ConfigSettings = {};
  for (const [key, value] of Object.entries(settings) as [ConfigSettingKey, number | string][]) {
    const spec: ConfigSetting | undefined = Object.hasOwn(CONFIG_SETTINGS, key) ? CONFIG_SETTINGS[key] : undefined;
    if (spec?.kinds.includes(kind)) out[key] = value;
  }
  return out;
}

/**
 * A runtime config with a bundle's settings for `kind` merged over it at their `configPath`s (a new object; the
 * input is not changed). What a device's boot does with its active config slot, so `restart` settings take effect.
 */
export function mergeConfigSettings<C extends object>(config: C, kind: DeviceKind, settings: ConfigSettings): C {
  const out = structuredClone(config) as Record<string, unknown>;
  for (const [key, value] of Object.entries(settingsFor(kind, settings))) {
    const path = CONFIG_SETTINGS[key as ConfigSettingKey].configPath.split('.');
    let at = out;
    for (const part of path.slice(0, -1)) {
      if (typeof at[part] !== 'object' || at[part] === null) at[part] = {};
      at = at[part] as Record<string, unknown>;
    }
    at[path.at(-1) as string] = value;
  }
  return out as C;
}
