import assert from 'node:assert/strict';
import { parseByteRange } from '../../../fleet/http/routes/byte-range.ts';

describe('Range header (RFC 9110 §14.1.2)', () => {
  it('reads first-last, first- and suffix ranges, clamped to the body', () => {
    assert.deepEqual(parseByteRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseByteRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=900-5000', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseByteRange('bytes=-5000', 1000), { start: 0, end: 999 });
  });

  it('unsatisfiable: a start at or beyond the end, an empty suffix', () => {
    assert.equal(parseByteRange('bytes=1000-', 1000), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=-0', 1000), 'unsatisfiable');
  });

  it('ignored (whole body): none, another unit, several ranges, last before first, garbage', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-9', 'bytes=9-1', 'bytes=-', 'bytes=a-b']) {
      assert.equal(parseByteRange(header, 1000), undefined, String(header));
    }
  });
});
