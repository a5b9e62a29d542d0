import { phaseMayStart } from '../../../ota/rollout/start-rules.ts';
import type { ActiveRollout } from './active-rollout.ts';
import type { RolloutDeviceRecord } from './rollout-repository.ts';
import type { StoreWindows } from './store-windows.ts';

/** The phases that may start now, in order (a phase never starts before the one before it). */
export function duePhases(r: ActiveRollout, now: number): number[] {
  const due: number[] = [];
  const { phases } = r.record.spec;
  for (let i = 0; i < phases.length; i++) {
    if (r.phaseStarted(i)) continue;
    const phase = phases[i];
    // A phase found due in this pass counts as started for the one after it.
    const startedAt = i === 0 ? null : (r.record.phaseStartedAt[i - 1] ?? (due.includes(i - 1) ? now : null));
    const previous = i === 0 ? null : { startedAt, counts: r.phaseCounts[i - 1]! };
    if (!phase || !phaseMayStart(phase.start, now, previous)) break;
    due.push(i);
  }
  return due;
}

export interface DueDevices {
  /** To queue now, in the rollout's order. */
  chosen: string[];
  /** First attempts of devices that landed in the penalty box since the rollout was made: left out. */
  removed: RolloutDeviceRecord[];
}

/**
 * The pending devices of started phases to queue now: in phase and rollout order, as many as the rate allows, only
 * where the store's window is open (when the rollout uses windows), past the penalty box. A retry was judged against
 * the box when it was decided; a first attempt is judged now (`boxed` is asked at most once).
 */
export function dueDevices(
  r: ActiveRollout,
  now: number,
  windows: StoreWindows,
  boxed: () => ReadonlySet<string>,
): DueDevices {
  const chosen: string[] = [];
  const removed: RolloutDeviceRecord[] = [];
  const allowance = r.rate.allowance(now);
  const useWindows = r.record.spec.useMaintenanceWindows;
  let box: ReadonlySet<string> | undefined;
  for (let phase = 0; phase < r.pending.length && chosen.length < allowance; phase++) {
    if (!r.phaseStarted(phase)) break;
    for (const thingName of r.pending[phase] ?? []) {
      if (chosen.length >= allowance) break;
      const d = r.devices.get(thingName);
      if (!d || (useWindows && !windows.isOpen(d.storeId, now))) continue;
      if (d.attempts === 0) {
        box ??= boxed();
        if (box.has(thingName)) {
          removed.push(d);
          continue;
        }
      }
      chosen.push(thingName);
    }
  }
  return { chosen, removed };
}
