import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { backoffDelayMs, DEFAULT_FAILURE_BACKOFF } from '../../platform/failure-backoff.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import {
  matchesStaffVerifier,
  STAFF_VERIFIER_PARAMS,
  staffCodeVerifier,
  staffVerifierSalt,
} from '../../platform/staff-code-verifier.ts';
import { PricingSnapshotSchema, StaffVerifierParamsSchema } from '../../protocol/commerce/snapshot.ts';

describe('staff code offline verifiers (scrypt) and the failure back-off they share with the fleet', () => {
  it('is scrypt(code, salt) with the stored parameters, RFC 7914, base64url', async () => {
    const salt = staffVerifierSalt();
    const params = { N: 1024, r: 8, p: 1, keyLength: 32 } as const;
    const expected = scryptSync('482913', Buffer.from(salt, 'base64url'), 32, { N: 1024, r: 8, p: 1 });
    assert.equal(await staffCodeVerifier('482913', salt, params), expected.toString('base64url'));
  });

  it('matches its own code only; the same code under another salt gives another verifier', async () => {
    const salt = staffVerifierSalt();
    const verifier = await staffCodeVerifier('482913', salt, STAFF_VERIFIER_PARAMS);
    const entry = { salt, verifier, params: STAFF_VERIFIER_PARAMS };
    assert.equal(await matchesStaffVerifier('482913', entry), true);
    assert.equal(await matchesStaffVerifier('482914', entry), false);
    const other = staffVerifierSalt();
    assert.notEqual(other, salt);
    assert.notEqual(await staffCodeVerifier('482913', other, STAFF_VERIFIER_PARAMS), verifier);
  });

  it('the fleet’s parameters are within what a snapshot may carry; costlier ones are refused by the schema', () => {
    const check = new SchemaValidator(StaffVerifierParamsSchema);
    assert.equal(check.check(STAFF_VERIFIER_PARAMS).ok, true);
    assert.equal(check.check({ ...STAFF_VERIFIER_PARAMS, N: 65536 }).ok, false, '64 MiB per try');
    assert.equal(check.check({ ...STAFF_VERIFIER_PARAMS, N: 10000 }).ok, false, 'not a power of two');
    assert.equal(check.check({ ...STAFF_VERIFIER_PARAMS, r: 16 }).ok, false);
    // A snapshot from a fleet before offline verifiers (no `staff`) is still a valid snapshot.
    const snapshots = new SchemaValidator(PricingSnapshotSchema);
    const bare = {
      version: 1,
      storeId: 's1',
      builtAt: 0,
      store: { id: 's1', region: null, timeZone: 'Asia/Shanghai' },
      categories: [],
      products: [],
      promotions: [],
      earnRules: [],
      tiers: [],
      redemption: { fenPer100Points: 100, maxPercentOfTotal: 0, minPoints: 100, perStoreDailyLimitPoints: 0 },
      variableMeasureLayouts: [],
    };
    assert.equal(snapshots.check(bare).ok, true);
  });

  it('back-off: 5 free failures, then 1 s doubling up to 15 minutes', () => {
    const waits = [0, 1, 4, 5, 6, 7, 15, 30].map((n) => backoffDelayMs(n, DEFAULT_FAILURE_BACKOFF));
    assert.deepEqual(waits, [0, 0, 0, 1000, 2000, 4000, 900_000, 900_000]);
  });
});
