import assert from 'node:assert/strict';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from '../../../fleet/loyalty/totp.ts';

/** RFC 6238 Appendix B: the SHA1 key is the ASCII of "12345678901234567890"; 8 digits, X = 30 s, T0 = 0. */
const KEY = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238 over RFC 4226)', () => {
  for (const [seconds, expected] of VECTORS) {
    it(`RFC 6238 Appendix B, SHA1, T = ${seconds} s → ${expected}`, () => {
      assert.equal(totp(KEY, seconds * 1000, { stepSeconds: 30, digits: 8 }), expected);
    });
  }

  it('the 6-digit member code is the same truncation modulo 10^6 (RFC 4226 Appendix D, counter 0 and 1)', () => {
    assert.equal(hotp(KEY, 0, 6), '755224');
    assert.equal(hotp(KEY, 1, 6), '287082');
    assert.equal(totp(KEY, 59_000), '287082');
  });

  it('accepts the step before and after, not two steps away', () => {
    const at = 1_111_111_111_000;
    const code = totp(KEY, at);
    assert.equal(verifyTotp(KEY, code, at), true);
    assert.equal(verifyTotp(KEY, code, at + 30_000), true);
    assert.equal(verifyTotp(KEY, code, at - 30_000), true);
    assert.equal(verifyTotp(KEY, code, at + 60_000), false);
    assert.equal(verifyTotp(KEY, code, at - 60_000), false);
    assert.equal(verifyTotp(KEY, '12345', at), false);
  });

  it('base32 (RFC 4648 §10 test vectors) round-trips', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [plain, encoded] of vectors) {
      assert.equal(base32Encode(Buffer.from(plain)), encoded);
      assert.equal(base32Decode(encoded).toString(), plain);
    }
    assert.equal(base32Encode(KEY), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
  });
});
