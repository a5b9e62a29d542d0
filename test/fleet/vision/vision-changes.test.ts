import assert from 'node:assert/strict';
import type { FleetEvents } from '../../../fleet/fleet-events.ts';
import { VisionChanges } from '../../../fleet/vision/vision-changes.ts';
import { EventBus } from '../../../platform/event-bus.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

describe('VisionChanges: the live view’s vision.changed, throttled per store and kind', () => {
  let clock: FakeClock;
  let changes: VisionChanges;
  let sent: string[];

  beforeEach(() => {
    clock = new FakeClock();
    const bus = new EventBus<FleetEvents>(silentLogger());
    sent = [];
    bus.on('vision.changed', (e) => sent.push(`${e.storeId}:${e.what}`));
    changes = new VisionChanges(bus, clock, 2000);
  });

  afterEach(() => changes.stop());

  it('sends the first change at once and the burst after it as one more at the end of the interval', () => {
    changes.changed('s1', 'records');
    assert.deepEqual(sent, ['s1:records']);
    clock.advance(500);
    for (let i = 0; i < 5; i++) changes.changed('s1', 'records');
    assert.deepEqual(sent, ['s1:records'], 'held back');
    clock.advance(1499);
    assert.deepEqual(sent, ['s1:records']);
    clock.advance(1);
    assert.deepEqual(sent, ['s1:records', 's1:records'], 'one for the burst, 2 s after the first');
    clock.advance(10_000);
    assert.equal(sent.length, 2, 'nothing more without a change');
    changes.changed('s1', 'records');
    assert.equal(sent.length, 3, 'a change after a quiet interval goes at once');
  });

  it('keeps stores and kinds apart', () => {
    changes.changed('s1', 'records');
    changes.changed('s2', 'records');
    changes.changed('s1', 'gallery');
    changes.changed('s1', 'records');
    assert.deepEqual(sent, ['s1:records', 's2:records', 's1:gallery']);
    clock.advance(2000);
    assert.deepEqual(sent, ['s1:records', 's2:records', 's1:gallery', 's1:records']);
  });

  it('stop() drops what was held back', () => {
    changes.changed('s1', 'gallery');
    changes.changed('s1', 'gallery');
    changes.stop();
    clock.advance(5000);
    assert.deepEqual(sent, ['s1:gallery']);
  });
});
