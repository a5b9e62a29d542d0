import type { OtaFailureReason, OtaSlot } from '../../protocol/ota/index.ts';
import type { ComponentBoot, SlotRecord, Trial } from './boot-state.ts';
import { otherSlot } from './ota-paths.ts';

/**
 * The moves of a component's A/B slots, as pure functions of its boot state; the caller writes the result with
 * writeBootState (the commit point). Mender's order: install into the inactive slot, switch with the trial flag set
 * (`upgrade_available`), boot it a bounded number of times (`bootcount`), commit after the health check or restore
 * the previous slot.
 */

/** The version a slot that holds nothing is reported as (a model or config never installed). */
export const NO_VERSION = '0.0.0';

export class SlotTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SlotTransitionError';
  }
}

/** Before the first byte goes into `slot`: it is forgotten and marked dirty, so a cut leaves it unusable. */
export function beginWrite(boot: ComponentBoot, slot: OtaSlot): ComponentBoot {
  if (slot === boot.active) throw new SlotTransitionError(`slot ${slot} is active: it is never written`);
  if (boot.trial) throw new SlotTransitionError('a trial is pending: commit or roll back first');
  return { ...boot, slots: { ...boot.slots, [slot]: null }, dirty: slot };
}

/** The slot's contents are complete and on disk. */
export function finishWrite(boot: ComponentBoot, slot: OtaSlot, record: SlotRecord): ComponentBoot {
  if (boot.dirty !== slot) throw new SlotTransitionError(`slot ${slot} was not being written`);
  return { ...boot, slots: { ...boot.slots, [slot]: record }, dirty: null };
}

/** Makes the written slot active, on trial: it is committed after a health check or rolled back. */
export function switchToTrial(boot: ComponentBoot, slot: OtaSlot, trial: Omit<Trial, 'slot'>): ComponentBoot {
  if (slot === boot.active) throw new SlotTransitionError(`slot ${slot} is already active`);
  if (boot.dirty === slot || boot.slots[slot] === null) throw new SlotTransitionError(`slot ${slot} holds nothing`);
  if (boot.trial) throw new SlotTransitionError('a trial is pending already');
  return { ...boot, active: slot, trial: { ...trial, slot } };
}

/** The health check passed: the trial slot stays. */
export function commitTrial(boot: ComponentBoot): ComponentBoot {
  if (!boot.trial) throw new SlotTransitionError('no trial to commit');
  return { ...boot, trial: null };
}

/** Restores the slot that was active before the trial, recording why. */
export function rollBackTrial(
  boot: ComponentBoot,
  reason: OtaFailureReason,
  message: string,
  at: number,
): ComponentBoot {
  const trial = boot.trial;
  if (!trial) throw new SlotTransitionError('no trial to roll back');
  const previous = otherSlot(trial.slot);
  return {
    ...boot,
    active: previous,
    trial: null,
    lastRollback: {
      jobId: trial.jobId,
      executionNumber: trial.executionNumber,
      fromVersion: boot.slots[previous]?.version ?? NO_VERSION,
      toVersion: boot.slots[trial.slot]?.version ?? NO_VERSION,
      reason,
      message: message.slice(0, 1024),
      at,
    },
  };
}

/**
 * One boot of a component (the launcher before it starts a software slot; the agent at start for a model or config):
 * a pending trial uses up one of its boots, and a trial with none left is a crash loop, so the previous slot comes
 * back. U-Boot's `bootcount` / `bootlimit` and Mender's rollback on a failed boot work the same way.
 */
export function countTrialBoot(
  boot: ComponentBoot,
  at: number,
): { boot: ComponentBoot; changed: boolean; rolledBack: boolean } {
  const trial = boot.trial;
  if (!trial) return { boot, changed: false, rolledBack: false };
  if (trial.bootsLeft <= 0) {
    const message = 'the new slot ended before its commit on every boot it was given';
    return { boot: rollBackTrial(boot, 'OTA_CRASH_LOOP', message, at), changed: true, rolledBack: true };
  }
  return { boot: { ...boot, trial: { ...trial, bootsLeft: trial.bootsLeft - 1 } }, changed: true, rolledBack: false };
}

/**
 * What must always hold, whatever instant the power was cut at: the active slot is not being written (and, for
 * software, holds something), a trial is on the active slot, which holds something, and the slot to return to is not
 * being written. Returns the problems (empty when consistent); the fault-injection test asserts it after every cut.
 */
export function consistencyProblems(boot: ComponentBoot, options: { activeRequired: boolean }): string[] {
  const problems: string[] = [];
  if (boot.dirty === boot.active) problems.push(`active slot ${boot.active} is being written`);
  // Software always runs something (the factory tree at least); a model or config may have none installed yet.
  if (options.activeRequired && boot.slots[boot.active] === null)
    problems.push(`active slot ${boot.active} holds nothing`);
  if (boot.trial) {
    if (boot.trial.slot !== boot.active) problems.push('the trial is not on the active slot');
    if (boot.slots[boot.trial.slot] === null) problems.push('the trial slot holds nothing');
    if (boot.dirty === otherSlot(boot.trial.slot)) problems.push('the slot to return to is being written');
  }
  return problems;
}
