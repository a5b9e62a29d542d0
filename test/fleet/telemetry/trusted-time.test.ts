import assert from 'node:assert/strict';
import { observedAt, timestampRefusal } from '../../../fleet/telemetry/trusted-time.ts';

describe('trusted time of a reading', () => {
  const window = { maxAheadMs: 600_000, maxAgeMs: 7 * 86_400_000 };
  const receivedAt = 1_800_000_000_000;

  it('orders by the device ts, never later than the receive time', () => {
    assert.equal(observedAt(receivedAt - 3_600_000, receivedAt), receivedAt - 3_600_000);
    assert.equal(observedAt(receivedAt + 60_000, receivedAt), receivedAt);
  });

  it('accepts ts within [receivedAt - maxAge, receivedAt + maxAhead], edges included, and refuses beyond', () => {
    for (const ts of [receivedAt, receivedAt + 600_000, receivedAt - 7 * 86_400_000, receivedAt - 3_600_000]) {
      assert.equal(timestampRefusal(ts, receivedAt, window), undefined, `${ts - receivedAt}`);
    }
    assert.match(timestampRefusal(receivedAt + 600_001, receivedAt, window) ?? '', /ahead/);
    assert.match(timestampRefusal(receivedAt - 7 * 86_400_000 - 1, receivedAt, window) ?? '', /behind/);
    assert.match(timestampRefusal(receivedAt + 10 * 365 * 86_400_000, receivedAt, window) ?? '', /ahead/);
  });
});
