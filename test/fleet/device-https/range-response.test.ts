import assert from 'node:assert/strict';
import { parseRange } from '../../../fleet/device-https/range-response.ts';
import { isFleetError } from '../../../protocol/errors.ts';

describe('parseRange (RFC 9110 §14.1.2, one range)', () => {
  it('reads first-last, first- and suffix ranges within the size', () => {
    assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=900-5000', 1000), { start: 900, end: 999 }, 'last clipped to the size');
    assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  });

  it('ignores what it does not serve: no header, other units, several ranges, last before first', () => {
    for (const header of [undefined, '', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=50-10'])
      assert.equal(parseRange(header, 1000), undefined, String(header));
  });

  it('refuses a range that starts beyond the end with RANGE_NOT_SATISFIABLE', () => {
    for (const header of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0'])
      assert.throws(
        () => parseRange(header, 1000),
        (err: unknown) => isFleetError(err, 'RANGE_NOT_SATISFIABLE'),
        header,
      );
    assert.deepEqual(parseRange('bytes=999-', 1000), { start: 999, end: 999 }, 'positive control: the last byte');
  });
});
