import type { RolloutPhaseSpec } from '../../protocol/api/rollouts.ts';

export interface PhasePlan {
  /** Devices in each phase, in order; they add up to the target. */
  sizes: number[];
  problems: string[];
}

/**
 * How many devices each phase takes from a target of `total`, in the device order (device-order.ts). A phase is
 * either a count (`devices`: a canary) or a percentage of the whole target. Percentages add up over the phases, and
 * a percentage phase ends where its running total falls (rounded down) — so a canary of 5 then 10 % of 1,000 takes
 * 5 then 95, reaching 10 % of the fleet. The last phase takes whatever is left: the rollout always ends with every
 * device of the target (as hawkBit's last group takes the remaining targets). Problems: a phase with both a count and
 * a percentage or neither, percentages over 100 %, counts larger than the target, a first phase that waits for a
 * previous one, two phases of one name.
 */
export function planPhases(total: number, phases: readonly RolloutPhaseSpec[]): PhasePlan {
  const problems: string[] = [];
  const sizes: number[] = [];
  let end = 0;
  let percent = 0;
  let counted = 0;
  const names = new Set<string>();
  phases.forEach((phase, i) => {
    const label = `phase ${i + 1} (${phase.name})`;
    if (names.has(phase.name)) problems.push(`${label}: another phase has this name`);
    names.add(phase.name);
    const start = end;
    const hasCount = phase.devices !== undefined;
    const hasPercent = phase.percent !== undefined;
    if (hasCount === hasPercent) {
      problems.push(`${label}: give either a number of devices or a percentage, not ${hasCount ? 'both' : 'neither'}`);
    } else if (hasCount) {
      counted += phase.devices ?? 0;
      end = Math.min(total, end + (phase.devices ?? 0));
    } else {
      percent += phase.percent ?? 0;
      // The epsilon keeps 33.3 + 33.3 + 33.4 of 1,000 from rounding 999.9999 down to 999.
      end = Math.max(end, Math.min(total, Math.floor((total * percent) / 100 + 1e-9)));
    }
    if (i === 0 && phase.start.kind === 'after-success') {
      problems.push(`${label}: the first phase has no previous phase to wait for; start it immediately or at a time`);
    }
    if (i === phases.length - 1) end = total;
    sizes.push(end - start);
  });
  if (percent > 100 + 1e-9) problems.push(`the phases add up to ${round(percent)} % of the target, over 100 %`);
  if (total > 0 && counted > total) {
    problems.push(`the phases of a fixed number of devices take ${counted}, more than the ${total} in the target`);
  }
  return { sizes, problems };
}

/** The phase of each position in the device order, given the phase sizes. */
export function phaseOfPositions(sizes: readonly number[]): number[] {
  const phases: number[] = [];
  sizes.forEach((size, phase) => {
    for (let i = 0; i < size; i++) phases.push(phase);
  });
  return phases;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
