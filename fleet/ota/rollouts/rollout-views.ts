import { activeOf, addCounts, emptyCounts, type RolloutCounts } from '../../../ota/rollout/counts.ts';
import type { Rollout, RolloutDevice } from '../../../protocol/api/rollouts.ts';
import type { RolloutDeviceRecord, RolloutRecord } from './rollout-repository.ts';

/** A rollout as the API shows it, from its record and the counts of its phases. */
export function rolloutView(record: RolloutRecord, phaseCounts: readonly RolloutCounts[]): Rollout {
  const phases = record.spec.phases.map((phase, index) => {
    const counts = phaseCounts[index] ?? emptyCounts();
    const startedAt = record.phaseStartedAt[index] ?? null;
    return {
      index,
      name: phase.name,
      state:
        startedAt === null ? ('pending' as const) : activeOf(counts) > 0 ? ('running' as const) : ('done' as const),
      start: phase.start,
      startedAt,
      counts: { ...counts },
    };
  });
  return {
    id: record.id,
    name: record.name,
    releaseId: record.releaseId,
    component: record.component,
    releaseName: record.releaseName,
    version: record.version,
    jobId: record.jobId,
    state: record.state,
    stateReason: record.stateReason,
    spec: record.spec,
    phases,
    counts: phaseCounts.reduce((sum, c) => addCounts(sum, c), emptyCounts()),
    storeIds: record.storeIds,
    createdBy: record.createdBy,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function rolloutDeviceView(d: RolloutDeviceRecord): RolloutDevice {
  return {
    thingName: d.thingName,
    storeId: d.storeId,
    phase: d.phase,
    status: d.status,
    step: d.step,
    reason: d.reason,
    message: d.message,
    logs: d.logs,
    progress: d.progress,
    attempts: d.attempts,
    executionNumber: d.executionNumber,
    queuedAt: d.queuedAt,
    updatedAt: d.updatedAt,
  };
}
