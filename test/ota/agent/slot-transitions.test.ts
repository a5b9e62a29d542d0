import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { type ComponentBoot, emptyComponentBoot } from '../../../ota/agent/boot-state.ts';
import {
  beginWrite,
  commitTrial,
  consistencyProblems,
  countTrialBoot,
  finishWrite,
  rollBackTrial,
  SlotTransitionError,
  switchToTrial,
} from '../../../ota/agent/slot-transitions.ts';
import { statusDetails } from '../../../ota/agent/status-details.ts';
import { MAX_STATUS_DETAIL_VALUE } from '../../../protocol/ota/index.ts';

const V1 = { name: 'cart-runtime', version: '1.0.0', sha256: '1'.repeat(64), factory: true };
const V2 = { name: 'cart-runtime', version: '1.1.0', sha256: '2'.repeat(64) };
const TRIAL = { bootsLeft: 2, healthCheckTimeoutSeconds: 60, jobId: 'job-1', executionNumber: 1, switchedAt: 5 };

function onA(): ComponentBoot {
  return { ...emptyComponentBoot(), slots: { a: V1, b: null } };
}

const consistent = (boot: ComponentBoot) => consistencyProblems(boot, { activeRequired: true });

describe('A/B slot transitions', () => {
  it('install, switch, commit: every intermediate state is consistent', () => {
    const states: ComponentBoot[] = [onA()];
    states.push(beginWrite(states.at(-1) as ComponentBoot, 'b'));
    states.push(finishWrite(states.at(-1) as ComponentBoot, 'b', V2));
    states.push(switchToTrial(states.at(-1) as ComponentBoot, 'b', TRIAL));
    states.push(commitTrial(states.at(-1) as ComponentBoot));
    for (const state of states) assert.deepEqual(consistent(state), []);
    const last = states.at(-1) as ComponentBoot;
    assert.equal(last.active, 'b');
    assert.equal(last.trial, null);
    assert.deepEqual(last.slots, { a: V1, b: V2 });
  });

  it('the active slot is never written, and a trial must be resolved before another install', () => {
    assert.throws(() => beginWrite(onA(), 'a'), SlotTransitionError);
    const trial = switchToTrial(finishWrite(beginWrite(onA(), 'b'), 'b', V2), 'b', TRIAL);
    assert.throws(() => beginWrite(trial, 'a'), /trial is pending/);
  });

  it('cannot switch to a slot being written or empty', () => {
    assert.throws(() => switchToTrial(beginWrite(onA(), 'b'), 'b', TRIAL), /holds nothing/);
    assert.throws(() => switchToTrial(onA(), 'b', TRIAL), /holds nothing/);
  });

  it('a rollback restores the previous slot and records why, with both versions', () => {
    const trial = switchToTrial(finishWrite(beginWrite(onA(), 'b'), 'b', V2), 'b', TRIAL);
    const back = rollBackTrial(trial, 'OTA_HEALTH_CHECK_FAILED', 'self-test exited 1', 99);
    assert.equal(back.active, 'a');
    assert.equal(back.trial, null);
    assert.deepEqual(back.lastRollback, {
      jobId: 'job-1',
      executionNumber: 1,
      fromVersion: '1.0.0',
      toVersion: '1.1.0',
      reason: 'OTA_HEALTH_CHECK_FAILED',
      message: 'self-test exited 1',
      at: 99,
    });
    assert.deepEqual(consistent(back), []);
  });

  it('boots of a trial are counted down; with none left the next boot rolls back (OTA_CRASH_LOOP)', () => {
    let boot = switchToTrial(finishWrite(beginWrite(onA(), 'b'), 'b', V2), 'b', TRIAL);
    const first = countTrialBoot(boot, 10);
    assert.equal(first.boot.trial?.bootsLeft, 1);
    assert.equal(first.rolledBack, false);
    boot = countTrialBoot(first.boot, 11).boot;
    assert.equal(boot.trial?.bootsLeft, 0);
    assert.equal(boot.active, 'b', 'the last boot still runs the trial');
    const third = countTrialBoot(boot, 12);
    assert.equal(third.rolledBack, true);
    assert.equal(third.boot.active, 'a');
    assert.equal(third.boot.lastRollback?.reason, 'OTA_CRASH_LOOP');
    // No trial: nothing to count.
    assert.equal(countTrialBoot(third.boot, 13).changed, false);
  });

  it('names what is inconsistent', () => {
    assert.deepEqual(consistent({ ...onA(), dirty: 'a' }), ['active slot a is being written']);
    assert.deepEqual(consistent({ ...onA(), slots: { a: null, b: V2 } }), ['active slot a holds nothing']);
    assert.deepEqual(consistencyProblems({ ...onA(), slots: { a: null, b: null } }, { activeRequired: false }), []);
  });
});

describe('statusDetails', () => {
  it('keeps to AWS limits: known keys, printable values of at most 1,024 characters, logs cut from the oldest end', () => {
    const logs = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
    const details = statusDetails({
      step: 'rolled-back',
      reason: 'OTA_CRASH_LOOP',
      message: `boom\nwith a newline ${'m'.repeat(2000)}`,
      logs,
      progress: 140,
    });
    assert.deepEqual(Object.keys(details).sort(), ['logs', 'message', 'progress', 'reason', 'step']);
    for (const value of Object.values(details)) {
      assert.ok([...value].length <= MAX_STATUS_DETAIL_VALUE, `${value.length}`);
      assert.doesNotMatch(value, /\p{C}/u);
    }
    assert.match(details.logs ?? '', /line 99 x+$/);
    assert.doesNotMatch(details.logs ?? '', /line 0 /);
    assert.match(details.message ?? '', /^boom with a newline/);
    assert.equal(details.progress, '100');
  });
});
