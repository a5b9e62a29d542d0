import type { MaintenanceWindow, RolloutExclusion, RolloutSpec } from '../../protocol/api/rollouts.ts';
import type { ReleaseManifest } from '../../protocol/ota/release.ts';
import { orderDevices } from './device-order.ts';
import type { InventoryDevice } from './inventory.ts';
import { planPhases } from './phases.ts';
import { checkRolloutSpec } from './spec-check.ts';
import { type Exclusion, resolveTargets } from './targets.ts';

export interface PlannedDevice {
  device: InventoryDevice;
  phase: number;
  /** Place in the rollout's order (0 first). */
  position: number;
}

export interface RolloutPlan {
  devices: PlannedDevice[];
  perPhase: number[];
  byStore: { storeId: string; devices: number }[];
  excluded: Exclusion[];
  excludedByReason: { reason: RolloutExclusion; devices: number }[];
  problems: string[];
}

export interface PlanContext {
  /** Orders the devices (the rollout's id; any fixed text for a preview). */
  seed: string;
  penaltyBox: ReadonlySet<string>;
  busy: ReadonlySet<string>;
  /** A store's maintenance windows (empty or undefined: none). */
  windowsOf: (storeId: string) => readonly MaintenanceWindow[] | undefined;
}

/**
 * A rollout worked out against the inventory: who is in it and in which phase, who is left out and why, and what
 * is wrong with it. The preview answers this; creating a rollout stores exactly this plan.
 */
export function planRollout(
  spec: RolloutSpec,
  inventory: readonly InventoryDevice[],
  manifest: ReleaseManifest,
  context: PlanContext,
): RolloutPlan {
  const { included, excluded } = resolveTargets(spec.targets, inventory, manifest, {
    allowDowngrade: spec.allowDowngrade,
    penaltyBox: context.penaltyBox,
    busy: context.busy,
  });
  const ordered = orderDevices(included, context.seed);
  const { sizes } = planPhases(ordered.length, spec.phases);
  const devices: PlannedDevice[] = [];
  let position = 0;
  sizes.forEach((size, phase) => {
    for (let i = 0; i < size; i++) {
      const device = ordered[position];
      if (device) devices.push({ device, phase, position });
      position++;
    }
  });
  const stores = new Map<string, number>();
  let withoutStore = 0;
  for (const d of included) {
    if (d.storeId === null) withoutStore++;
    else stores.set(d.storeId, (stores.get(d.storeId) ?? 0) + 1);
  }
  const storesWithoutWindows = spec.useMaintenanceWindows
    ? [...stores.keys()].filter((s) => (context.windowsOf(s)?.length ?? 0) === 0).sort()
    : [];
  const reasons = new Map<RolloutExclusion, number>();
  for (const e of excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
  return {
    devices,
    perPhase: sizes,
    byStore: [...stores]
      .map(([storeId, n]) => ({ storeId, devices: n }))
      .sort((a, b) => (a.storeId < b.storeId ? -1 : 1)),
    excluded,
    excludedByReason: [...reasons].map(([reason, n]) => ({ reason, devices: n })),
    problems: checkRolloutSpec(spec, {
      targetCount: included.length,
      storesWithoutWindows,
      devicesWithoutStore: spec.useMaintenanceWindows ? withoutStore : 0,
    }),
  };
}
