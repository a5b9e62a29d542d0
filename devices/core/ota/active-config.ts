import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBootState } from '../../../ota/agent/boot-state.ts';
import { readSlotSettings } from '../../../ota/agent/components/config.ts';
import { OtaPaths } from '../../../ota/agent/ota-paths.ts';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import type { DeviceKind } from '../../../protocol/api/devices.ts';
import { mergeConfigSettings } from '../../../protocol/ota/config-bundle.ts';
import type { SignedRelease } from '../../../protocol/ota/index.ts';
import { SignedReleaseSchema } from '../../../protocol/ota/index.ts';
import type { DeviceConfig } from '../device-config.ts';

/**
 * The config a runtime starts with: the config file's, with the active config slot's settings over it (a config
 * release's restart keys take effect here; its live keys are applied again by its handler's activate). A slot on
 * trial counts: the trial boot is what is being checked. Without OTA, or without a config slot, the file's config.
 */
export async function withActiveConfigSlot<C extends DeviceConfig>(config: C, kind: DeviceKind): Promise<C> {
  if (!config.ota.enabled) return config;
  const paths = new OtaPaths(config.ota.dir ?? join(config.dataDir, 'ota'));
  const state = (await readBootState(paths.bootState)).state;
  const boot = state?.components.config;
  if (!boot || boot.dirty === boot.active || boot.slots[boot.active] === null) return config;
  let release: SignedRelease;
  try {
    const checked = new SchemaValidator<SignedRelease>(SignedReleaseSchema).check(
      JSON.parse(await readFile(paths.slotRelease('config', boot.active), 'utf8')),
    );
    if (!checked.ok) return config;
    release = checked.value;
  } catch {
    return config;
  }
  const settings = await readSlotSettings(paths.slotDir('config', boot.active), release.manifest, kind);
  return settings ? mergeConfigSettings(config, kind, settings) : config;
}
