import assert from 'node:assert/strict';
import { collectGarbage } from '../../platform/garbage-collection.ts';

describe('collectGarbage (platform/garbage-collection.ts)', () => {
  const global = globalThis as { gc?: () => void };
  const exposed = global.gc;
  afterEach(() => {
    if (exposed) global.gc = exposed;
    else delete global.gc;
  });

  it('runs two full collections when the process exposes gc (--expose-gc), and says so', () => {
    let calls = 0;
    global.gc = () => {
      calls++;
    };
    assert.equal(collectGarbage(), true);
    assert.equal(calls, 2);
  });

  it('does nothing without --expose-gc', () => {
    delete global.gc;
    assert.equal(collectGarbage(), false);
  });
});
