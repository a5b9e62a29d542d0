import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { signOwnershipToken, verifyOwnershipToken } from '../../../fleet/provisioning/ownership-token.ts';
import { isFleetError } from '../../../protocol/errors.ts';

describe('certificate ownership tokens', () => {
  const key = randomBytes(32);
  const now = 1_800_000_000_000;
  const claims = { certificateId: 'a'.repeat(64), tokenId: 'tok-1', expiresAt: now + 3_600_000 };
  const invalid = (pattern: RegExp) => (err: unknown) =>
    isFleetError(err, 'PROVISIONING_TOKEN_INVALID') && pattern.test((err as Error).message);

  it('round-trips the claims it signed', () => {
    assert.deepEqual(verifyOwnershipToken(key, signOwnershipToken(key, claims), now), claims);
  });

  it('refuses a token signed with another key', () => {
    const token = signOwnershipToken(randomBytes(32), claims);
    assert.throws(() => verifyOwnershipToken(key, token, now), invalid(/not valid/));
  });

  it('refuses a token whose claims were changed (another certificate, a later expiry)', () => {
    const [, signature] = signOwnershipToken(key, claims).split('.');
    for (const changed of [
      { ...claims, certificateId: 'b'.repeat(64) },
      { ...claims, expiresAt: claims.expiresAt + 86_400_000 },
    ]) {
      const [body] = signOwnershipToken(key, changed).split('.');
      assert.throws(() => verifyOwnershipToken(key, `${body}.${signature}`, now), invalid(/not valid/));
    }
  });

  it('refuses an expired token, from the instant it expires', () => {
    const token = signOwnershipToken(key, claims);
    assert.ok(verifyOwnershipToken(key, token, claims.expiresAt - 1));
    assert.throws(() => verifyOwnershipToken(key, token, claims.expiresAt), invalid(/expired/));
  });

  it('refuses empty and malformed tokens', () => {
    assert.throws(() => verifyOwnershipToken(key, '', now), invalid(/empty/));
    for (const token of ['abc', 'a.b.c', '.sig', `${Buffer.from('[]').toString('base64url')}.x`]) {
      assert.throws(() => verifyOwnershipToken(key, token, now), invalid(/malformed|not valid/), token);
    }
  });
});
