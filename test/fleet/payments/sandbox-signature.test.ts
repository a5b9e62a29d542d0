import assert from 'node:assert/strict';
import { signSandboxNotification, verifySandboxNotification } from '../../../fleet/payments/sandbox-signature.ts';
import { isFleetError } from '../../../protocol/errors.ts';

const KEY = Buffer.alloc(32, 1);
const BODY = '{"paymentId":"p"}';

describe('sandbox notification signature (plan decision 10)', () => {
  it('signs base64(HMAC-SHA256(key, timestamp\\nnonce\\nbody\\n)): a vector computed with openssl', () => {
    // printf '1700000000\nnonce-0001\n{"paymentId":"p"}\n' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0101..01 -binary | base64
    assert.equal(
      signSandboxNotification(KEY, '1700000000', 'nonce-0001', BODY),
      'uFUI2jJ9hhU/xvFrTVmhosmOdZ9UCXlrAyhu8HOyhhQ=',
    );
  });

  const headers = (over: Partial<Record<'timestamp' | 'nonce' | 'signature', string>> = {}) => ({
    timestamp: '1700000000',
    nonce: 'nonce-0001',
    signature: 'uFUI2jJ9hhU/xvFrTVmhosmOdZ9UCXlrAyhu8HOyhhQ=',
    ...over,
  });
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'accepted';
    } catch (err) {
      return isFleetError(err) ? err.code : String(err);
    }
  };

  it('accepts the vector within ±300 s and refuses just outside, with PAYMENT_TIMESTAMP_INVALID', () => {
    const at = 1_700_000_000_000;
    assert.equal(
      code(() => verifySandboxNotification(KEY, headers(), BODY, at + 300_000, 300_000)),
      'accepted',
    );
    assert.equal(
      code(() => verifySandboxNotification(KEY, headers(), BODY, at - 300_000, 300_000)),
      'accepted',
    );
    assert.equal(
      code(() => verifySandboxNotification(KEY, headers(), BODY, at + 300_001, 300_000)),
      'PAYMENT_TIMESTAMP_INVALID',
    );
    assert.equal(
      code(() => verifySandboxNotification(KEY, headers(), BODY, at - 300_001, 300_000)),
      'PAYMENT_TIMESTAMP_INVALID',
    );
  });

  it('refuses a changed body, nonce, timestamp or key, and missing headers, with PAYMENT_SIGNATURE_INVALID', () => {
    const at = 1_700_000_000_000;
    const cases = [
      () => verifySandboxNotification(KEY, headers(), `${BODY} `, at, 300_000),
      () => verifySandboxNotification(KEY, headers({ nonce: 'nonce-0002' }), BODY, at, 300_000),
      () => verifySandboxNotification(KEY, headers({ timestamp: '1700000001' }), BODY, at, 300_000),
      () => verifySandboxNotification(Buffer.alloc(32, 2), headers(), BODY, at, 300_000),
      () => verifySandboxNotification(KEY, headers({ signature: '' }), BODY, at, 300_000),
      () => verifySandboxNotification(KEY, headers({ signature: 'AAAA' }), BODY, at, 300_000),
    ];
    for (const c of cases) assert.equal(code(c), 'PAYMENT_SIGNATURE_INVALID');
  });
});
