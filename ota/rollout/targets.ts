import semver from 'semver';
import type { RolloutExclusion, RolloutTargets } from '../../protocol/api/rollouts.ts';
import type { ReleaseManifest } from '../../protocol/ota/release.ts';
import { checkCompatibility, isAlreadyInstalled } from '../release/verify.ts';
import type { InventoryDevice } from './inventory.ts';

export interface TargetOptions {
  allowDowngrade: boolean;
  /** Devices in the penalty box now (penalty-box.ts). */
  penaltyBox: ReadonlySet<string>;
  /** Devices already on an unfinished rollout of the same component: one update at a time per slot. */
  busy: ReadonlySet<string>;
}

export interface Exclusion {
  thingName: string;
  storeId: string | null;
  reason: RolloutExclusion;
  message: string;
}

export interface ResolvedTargets {
  included: InventoryDevice[];
  excluded: Exclusion[];
}

/**
 * Which devices of the inventory a rollout reaches. The targets select (every criterion given must hold; an empty
 * list means any); of those, a device is left out, with the first reason that applies, when its installed version
 * is outside `currentVersions`, when the release does not fit it or is installed already (the release rules of
 * `ota/release/verify.ts`, the ones its agent applies to the job: kind, hardware model, downgrade, upgrade path), when it is in the penalty box, or when another rollout of the component has it. A device left out here is
 * never sent the job, so the refusals the agent would answer (REJECTED) do not count against the rollout.
 */
export function resolveTargets(
  targets: RolloutTargets,
  inventory: readonly InventoryDevice[],
  manifest: ReleaseManifest,
  options: TargetOptions,
): ResolvedTargets {
  const included: InventoryDevice[] = [];
  const excluded: Exclusion[] = [];
  const selects = selector(targets);
  for (const device of inventory) {
    if (!selects(device)) continue;
    const reason = exclusionOf(device, targets, manifest, options);
    if (reason) excluded.push({ thingName: device.thingName, storeId: device.storeId, ...reason });
    else included.push(device);
  }
  return { included, excluded };
}

function selector(targets: RolloutTargets): (device: InventoryDevice) => boolean {
  const set = (values: readonly string[] | undefined) => (values && values.length > 0 ? new Set(values) : null);
  const stores = set(targets.storeIds);
  const regions = set(targets.regions);
  const kinds = set(targets.kinds);
  const models = set(targets.hardwareModels);
  const names = set(targets.thingNames);
  const tags = targets.tags && targets.tags.length > 0 ? targets.tags : null;
  return (d) =>
    (!stores || (d.storeId !== null && stores.has(d.storeId))) &&
    (!regions || (d.region !== null && regions.has(d.region))) &&
    (!kinds || kinds.has(d.kind)) &&
    (!models || models.has(d.hardwareModel)) &&
    (!names || names.has(d.thingName)) &&
    // Every tag listed: a tag narrows ("carts tagged pilot and east"), as the other criteria do.
    (!tags || tags.every((t) => d.tags.includes(t)));
}

function exclusionOf(
  device: InventoryDevice,
  targets: RolloutTargets,
  manifest: ReleaseManifest,
  options: TargetOptions,
): { reason: RolloutExclusion; message: string } | null {
  const installed = device.installed[manifest.component] ?? null;
  if (targets.currentVersions !== undefined) {
    const sameName = installed?.name === manifest.name;
    // includePrerelease, as the release rules read upgradeFrom: a device on 1.3.0-beta.1 is inside <1.4.0.
    const inside =
      sameName && semver.satisfies(installed.version, targets.currentVersions, { includePrerelease: true });
    if (!installed || !inside) {
      return {
        reason: 'current-version',
        message: installed
          ? `runs ${installed.name}@${installed.version}, outside ${targets.currentVersions}`
          : `reports no ${manifest.component}, outside ${targets.currentVersions}`,
      };
    }
  }
  const misfit = checkCompatibility(
    manifest,
    { kind: device.kind, hardwareModel: device.hardwareModel, installed },
    { allowDowngrade: options.allowDowngrade },
  );
  if (misfit) return { reason: MISFIT_EXCLUSION[misfit.code], message: misfit.message };
  if (isAlreadyInstalled(manifest, installed)) {
    return { reason: 'already-installed', message: `runs ${manifest.name}@${manifest.version} already` };
  }
  if (options.penaltyBox.has(device.thingName)) {
    return { reason: 'penalty-box', message: 'in the penalty box: failed too often lately' };
  }
  if (options.busy.has(device.thingName)) {
    return { reason: 'busy', message: `on another unfinished rollout of its ${manifest.component}` };
  }
  return null;
}

const MISFIT_EXCLUSION = {
  OTA_KIND_MISMATCH: 'kind',
  OTA_HARDWARE_MISMATCH: 'hardware-model',
  OTA_DOWNGRADE: 'downgrade',
  OTA_UPGRADE_PATH: 'upgrade-path',
} as const satisfies Record<string, RolloutExclusion>;
