import type { PhaseStart } from '../../protocol/api/rollouts.ts';
import type { RolloutCounts } from './counts.ts';

/** The phase before the one being judged: when it started and how its devices stand. */
export interface PreviousPhase {
  startedAt: number | null;
  counts: RolloutCounts;
}

/**
 * Whether a phase may start now. Phases start in order: never before the previous one has. Then by its rule:
 * `immediately`; `at` a time; `after-success` once the previous phase has at least `successPercent` of its devices
 * SUCCEEDED (hawkBit's success condition of a rollout group). Devices of the previous phase that will never be
 * updated by this rollout (canceled, left out by the penalty box) are not counted: they could hold a 100 % rule
 * back forever. An empty previous phase has nothing to wait for.
 */
export function phaseMayStart(start: PhaseStart, now: number, previous: PreviousPhase | null): boolean {
  if (previous && previous.startedAt === null) return false;
  switch (start.kind) {
    case 'immediately':
      return true;
    case 'at':
      return now >= start.at;
    case 'after-success': {
      if (!previous) return true;
      const judged = previous.counts.total - previous.counts.canceled;
      if (judged <= 0) return true;
      return previous.counts.succeeded * 100 >= start.successPercent * judged;
    }
  }
}

/** When a phase waiting for its time should be looked at again (null: it waits for something else). */
export function phaseStartsAt(start: PhaseStart): number | null {
  return start.kind === 'at' ? start.at : null;
}
