import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../platform/log.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import type { DeviceKind } from '../../../protocol/api/devices.ts';
import { type ErrorCode, FleetError, isFleetError } from '../../../protocol/errors.ts';
import {
  CONFIG_SETTINGS,
  type ConfigBundle,
  ConfigBundleSchema,
  type ConfigSetting,
  type ConfigSettingKey,
  type ConfigSettings,
  configBundleProblems,
  MAX_CONFIG_BUNDLE_BYTES,
  settingsFor,
} from '../../../protocol/ota/config-bundle.ts';
import type { ReleaseManifest } from '../../../protocol/ota/release.ts';
import type { ComponentHandler } from '../component-handler.ts';
import { copyVerified, installError, throwIfAborted } from './install-files.ts';

/** The config bundle's file in its slot. */
export const CONFIG_FILE = 'config.json';

const bundleSchema = new SchemaValidator<ConfigBundle>(ConfigBundleSchema);

/**
 * What a runtime gives the OTA agent's config handler. `settings` are always a whole bundle's, never a change: a key
 * that is absent goes back to the runtime's config file's value, so activating the previous slot after a rollback
 * undoes everything the rolled-back bundle set.
 */
export interface ConfigHost {
  readonly kind: DeviceKind;
  /** What this device finds wrong with the settings (rules across settings, its hardware); empty when fine. */
  check(settings: ConfigSettings): string[];
  /** Applies what can change live; says which keys took effect and which wait for the next start. */
  apply(settings: ConfigSettings): { live: ConfigSettingKey[]; atRestart: ConfigSettingKey[] };
}

/**
 * Installs, tests and activates config releases (issue 10 item 6) in slots of their own: rolling a config back
 * never touches the software or the model. Install refuses a bundle that is not JSON, not the schema, or has a key
 * outside the listed settings or a value out of range (OTA_INSTALL_FAILED with each problem), then copies it into
 * the slot. The self-test reads the slot's copy back, checks it again and asks the runtime (ConfigHost.check);
 * activate has the runtime apply it.
 */
export class ConfigComponentHandler implements ComponentHandler {
  readonly component = 'config' as const;
  readonly needsRestart = false;

  constructor(
    private readonly host: ConfigHost,
    private readonly log: Logger,
  ) {}

  async install(artifactFile: string, slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    await readBundle(artifactFile, manifest, 'OTA_INSTALL_FAILED');
    await copyVerified(artifactFile, join(slotDir, CONFIG_FILE), manifest.artifact, signal);
  }

  async selfTest(slotDir: string, manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const settings = settingsFor(
      this.host.kind,
      await readBundle(join(slotDir, CONFIG_FILE), manifest, 'OTA_HEALTH_CHECK_FAILED'),
    );
    const problems = this.host.check(settings);
    if (problems.length > 0)
      throw new FleetError(
        'OTA_HEALTH_CHECK_FAILED',
        `this ${this.host.kind} refuses the config: ${problems.join('; ')}`,
        {
          problems,
        },
      );
  }

  async activate(slotDir: string, manifest: ReleaseManifest): Promise<void> {
    const settings = settingsFor(
      this.host.kind,
      await readBundle(join(slotDir, CONFIG_FILE), manifest, 'OTA_HEALTH_CHECK_FAILED'),
    );
    const { live, atRestart } = this.host.apply(settings);
    this.log.info({ version: manifest.version, live, atRestart }, 'config applied');
  }
}

/**
 * A config slot's settings for `kind`, for the device's boot to merge over its config file
 * (`mergeConfigSettings`); null when the slot holds no readable bundle.
 */
export async function readSlotSettings(
  slotDir: string,
  manifest: ReleaseManifest,
  kind: DeviceKind,
): Promise<ConfigSettings | null> {
  try {
    return settingsFor(kind, await readBundle(join(slotDir, CONFIG_FILE), manifest, 'OTA_HEALTH_CHECK_FAILED'));
  } catch (err) {
    if (isFleetError(err)) return null;
    throw err;
  }
}

/**
 * What activating `settings` does on a runtime of `kind`: the live keys it carries take effect now; a restart key
 * waits for the next start when the value the bundle wants (or, absent from it, the config file's) is not the one the
 * process runs with. For a ConfigHost's `apply()` answer.
 */
export function applyPlan(
  kind: DeviceKind,
  settings: ConfigSettings,
  running: object,
  file: object,
): { live: ConfigSettingKey[]; atRestart: ConfigSettingKey[] } {
  const live: ConfigSettingKey[] = [];
  const atRestart: ConfigSettingKey[] = [];
  for (const [key, spec] of Object.entries(CONFIG_SETTINGS) as [ConfigSettingKey, ConfigSetting][]) {
    if (!spec.kinds.includes(kind)) continue;
    if (spec.applies === 'live') {
      if (settings[key] !== undefined) live.push(key);
      continue;
    }
    const wanted = settings[key] ?? valueAt(file, spec.configPath);
    if (valueAt(running, spec.configPath) !== wanted) atRestart.push(key);
  }
  return { live, atRestart };
}

/** A setting's value in a config object, at its dotted `configPath`. */
export function valueAt(config: object, path: string): unknown {
  let at: unknown = config;
  for (const part of path.split('.'))
    at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

/** A bundle file's settings, checked; `code` and each problem otherwise. */
async function readBundle(file: string, manifest: ReleaseManifest, code: ErrorCode): Promise<ConfigSettings> {
  let text: string;
  try {
    const { size } = await stat(file);
    if (size > MAX_CONFIG_BUNDLE_BYTES)
      throw new FleetError(code, `the config bundle is ${size} bytes, more than ${MAX_CONFIG_BUNDLE_BYTES}`);
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw installError(err, code);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FleetError(code, `the config bundle is not JSON: ${(err as Error).message}`);
  }
  const checked = bundleSchema.check(json);
  if (!checked.ok) throw new FleetError(code, `the config bundle is invalid: ${checked.reason}`);
  const problems = configBundleProblems(checked.value.settings, manifest.deviceKinds);
  if (problems.length > 0)
    throw new FleetError(code, `the config bundle is invalid: ${problems.join('; ')}`, { problems });
  return checked.value.settings as ConfigSettings;
}
