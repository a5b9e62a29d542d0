import assert from 'node:assert/strict';
import type { Rollout, RolloutDevice, RolloutDevicePage } from '../../../protocol/api/rollouts.ts';
import { OTA_LOG_LINE_SEPARATOR } from '../../../protocol/ota/device-ota.ts';
import {
  actionsFor,
  applyDeviceEvent,
  applyRolloutEvent,
  donePercent,
  logLines,
  segmentsOf,
  startRuleText,
} from '../../../web/src/pages/ota/rollout-live.ts';

const device = (thingName: string, patch: Partial<RolloutDevice> = {}): RolloutDevice => ({
  thingName,
  storeId: 'hf-shanghai-xuhui',
  phase: 0,
  status: 'QUEUED',
  step: null,
  reason: null,
  message: null,
  logs: null,
  progress: null,
  attempts: 1,
  executionNumber: 1,
  queuedAt: 1_000,
  updatedAt: 1_000,
  ...patch,
});

const counts = (patch: Partial<Rollout['counts']> = {}): Rollout['counts'] => {
  const c = {
    pending: 0,
    queued: 0,
    inProgress: 0,
    succeeded: 0,
    failed: 0,
    rejected: 0,
    timedOut: 0,
    canceled: 0,
    ...patch,
  };
  return { total: Object.values(c).reduce((a, b) => a + b, 0), ...c };
};

const rollout = (patch: Partial<Rollout> = {}): Rollout =>
  ({ id: 'r1', state: 'running', updatedAt: 5_000, counts: counts(), ...patch }) as Rollout;

const page = (...items: RolloutDevice[]): RolloutDevicePage => ({ items, total: items.length + 10 });
const ANY = { phase: null, status: null };

describe('console rollout live updates and progress', () => {
  it('replaces a device row from its event and keeps the others', () => {
    const before = page(device('cart-1'), device('cart-2'));
    const moved = device('cart-2', { status: 'IN_PROGRESS', step: 'downloading', progress: 40 });
    const { page: after, stale } = applyDeviceEvent(before, 'r1', { rolloutId: 'r1', device: moved }, ANY);
    assert.equal(stale, false);
    assert.deepEqual(after.items, [device('cart-1'), moved]);
    assert.equal(after.total, before.total);
  });

  it('drops a row that leaves the filter, and asks for a reload when a device enters it from elsewhere', () => {
    const failedOnly = { phase: null, status: 'FAILED' };
    const before = page(device('cart-1', { status: 'FAILED' }));
    const retried = device('cart-1', { status: 'QUEUED', attempts: 2 });
    const left = applyDeviceEvent(before, 'r1', { rolloutId: 'r1', device: retried }, failedOnly);
    assert.deepEqual(left.page.items, []);
    assert.equal(left.page.total, before.total - 1);
    assert.equal(left.stale, false);

    const failed = device('cart-9', { status: 'FAILED', reason: 'OTA_HEALTH_CHECK_FAILED' });
    const entered = applyDeviceEvent(before, 'r1', { rolloutId: 'r1', device: failed }, failedOnly);
    assert.equal(entered.stale, true, 'the server knows where it sorts');
    assert.equal(entered.page, before);
    // A device of another phase than the one filtered does not enter it.
    const phase1 = applyDeviceEvent(
      before,
      'r1',
      { rolloutId: 'r1', device: { ...failed, phase: 1 } },
      { phase: 0, status: null },
    );
    assert.equal(phase1.stale, false);
  });

  it('ignores another rollout’s device events', () => {
    const before = page(device('cart-1'));
    const other = applyDeviceEvent(
      before,
      'r1',
      { rolloutId: 'r2', device: device('cart-1', { status: 'FAILED' }) },
      ANY,
    );
    assert.equal(other.page, before);
    assert.equal(other.stale, false);
  });

  it('takes a newer rollout event for the one shown and ignores older or other ones', () => {
    const shown = rollout();
    const newer = rollout({ updatedAt: 6_000, state: 'aborted', stateReason: '3 of 5 failed (60 % > 20 %)' });
    assert.equal(applyRolloutEvent(shown, newer), newer);
    assert.equal(applyRolloutEvent(shown, rollout({ updatedAt: 4_000, state: 'paused' })), shown);
    assert.equal(applyRolloutEvent(shown, rollout({ id: 'r2', updatedAt: 9_000 })), shown);
    assert.equal(applyRolloutEvent(undefined, newer), undefined);
  });

  it('splits counts into bar segments that add up to the total, failures of every type together', () => {
    const c = counts({
      pending: 5,
      queued: 4,
      inProgress: 3,
      succeeded: 10,
      failed: 1,
      rejected: 2,
      timedOut: 3,
      canceled: 1,
    });
    const segments = segmentsOf(c);
    assert.equal(
      segments.reduce((a, s) => a + s.value, 0),
      c.total,
    );
    assert.equal(segments.find((s) => s.key === 'failed')?.value, 6);
    assert.equal(donePercent(c), Math.floor((17 * 100) / 29));
    assert.equal(donePercent(counts()), 0, 'an empty rollout is 0 % done, not NaN');
  });

  it('offers pause, resume and abort only where the state allows them', () => {
    assert.deepEqual(actionsFor('running'), ['pause', 'abort']);
    assert.deepEqual(actionsFor('scheduled'), ['pause', 'abort']);
    assert.deepEqual(actionsFor('paused'), ['resume', 'abort']);
    for (const finished of ['completed', 'aborted', 'canceled'] as const) assert.deepEqual(actionsFor(finished), []);
  });

  it('splits the logs the agent joined (status details hold no newline) back into lines', () => {
    assert.deepEqual(
      logLines(['agent: health check', 'scale: no settle', 'agent: back on slot a'].join(OTA_LOG_LINE_SEPARATOR)),
      ['agent: health check', 'scale: no settle', 'agent: back on slot a'],
    );
    assert.deepEqual(logLines('one line'), ['one line']);
  });

  it('says when a phase starts', () => {
    assert.equal(startRuleText({ kind: 'immediately' }, null), 'starts with the rollout');
    assert.equal(
      startRuleText({ kind: 'after-success', successPercent: 95 }, 'Canary'),
      'starts when 95 % of Canary succeeded',
    );
    assert.match(startRuleText({ kind: 'at', at: Date.UTC(2026, 11, 6, 2) }, 'Canary'), /^starts at /);
  });
});
