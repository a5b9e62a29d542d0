import semver from 'semver';
import type { RolloutSpec } from '../../protocol/api/rollouts.ts';
import { planPhases } from './phases.ts';
import { MAX_RETRIES } from './retries.ts';

/** What the spec is checked against besides itself: the devices it would reach and their stores' windows. */
export interface SpecContext {
  /** Devices the targets reach after exclusions. */
  targetCount: number;
  /** Stores of those devices that have no maintenance window (only asked when the spec uses windows). */
  storesWithoutWindows: readonly string[];
  /** Devices of the target with no store (they have no window either). */
  devicesWithoutStore: number;
}

/**
 * Every problem with a rollout spec at once (ROLLOUT_INVALID lists them): phases (planPhases), an empty target, a
 * version range node-semver cannot read, more retries than AWS allows, an abort criterion that could never trip
 * because the target is smaller than its minimum, an in-progress timeout shorter than the health check it must
 * cover, and, with maintenance windows, devices that would wait forever because their store has none.
 */
export function checkRolloutSpec(spec: RolloutSpec, context: SpecContext): string[] {
  const problems = [...planPhases(context.targetCount, spec.phases).problems];
  if (context.targetCount === 0) problems.push('no device would be updated: the targets reach none');
  const range = spec.targets.currentVersions;
  if (range !== undefined && semver.validRange(range) === null) {
    problems.push(`targets.currentVersions: '${range}' is not a version range (e.g. <1.4.0, 1.2.x, >=1.0.0 <2.0.0)`);
  }
  const retries = spec.retries.FAILED + spec.retries.TIMED_OUT;
  if (retries > MAX_RETRIES) problems.push(`retries: ${retries} in all, more than ${MAX_RETRIES}`);
  if (context.targetCount > 0 && spec.abort.minFinished > context.targetCount) {
    problems.push(
      `abort.minFinished: ${spec.abort.minFinished} finished devices are needed before it can abort, but the target has ${context.targetCount}: the rollout could never abort`,
    );
  }
  if (spec.inProgressTimeoutMinutes * 60 <= spec.healthCheckTimeoutSeconds) {
    problems.push(
      `inProgressTimeoutMinutes: ${spec.inProgressTimeoutMinutes} min does not leave the device its ${spec.healthCheckTimeoutSeconds} s health check`,
    );
  }
  if (spec.useMaintenanceWindows) {
    for (const storeId of context.storesWithoutWindows) {
      problems.push(`store ${storeId} has no maintenance window: its devices would never be updated`);
    }
    if (context.devicesWithoutStore > 0) {
      problems.push(
        `${context.devicesWithoutStore} device(s) have no store, so no maintenance window: they would never be updated`,
      );
    }
  }
  return problems;
}
