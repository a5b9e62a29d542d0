import assert from 'node:assert/strict';
import { FleetConfigSchema } from '../../../fleet/config.ts';
import {
  CertificateRequestLimiter,
  type CertificateRequestLimits,
} from '../../../fleet/provisioning/certificate-request-limiter.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const CLAIM_A = 'a'.repeat(64);
const CLAIM_B = 'b'.repeat(64);

describe('certificate request limiter (token buckets per claim connection and per claim certificate)', () => {
  let clock: FakeClock;
  const limits: CertificateRequestLimits = {
    perConnection: { burst: 2, perMinute: 1 },
    perClaimCertificate: { burst: 3, perMinute: 6 },
  };
  const limiter = () => new CertificateRequestLimiter(limits, clock);
  const admitted = (l: CertificateRequestLimiter, clientId: string, certificateId: string | null = CLAIM_A) =>
    l.admit(clientId, certificateId).admitted;

  beforeEach(() => {
    clock = new FakeClock();
  });

  it("admits a connection's burst, then refuses it as the connection's", () => {
    const l = limiter();
    assert.equal(admitted(l, 'provision-1'), true);
    assert.equal(admitted(l, 'provision-1'), true);
    assert.deepEqual(l.admit('provision-1', CLAIM_A), { admitted: false, limitedBy: 'connection' });
    // Another connection on the same claim certificate still has its own burst.
    assert.equal(admitted(l, 'provision-2'), true);
  });

  it('refuses every connection once the claim certificate used its burst, and only that certificate', () => {
    const l = limiter();
    assert.equal(admitted(l, 'provision-1'), true);
    assert.equal(admitted(l, 'provision-2'), true);
    assert.equal(admitted(l, 'provision-3'), true);
    assert.deepEqual(l.admit('provision-4', CLAIM_A), { admitted: false, limitedBy: 'claim certificate' });
    assert.equal(admitted(l, 'provision-4', CLAIM_B), true);
  });

  it('refills each bucket at its rate, never beyond its burst', () => {
    const l = limiter();
    admitted(l, 'provision-1');
    admitted(l, 'provision-1');
    assert.equal(admitted(l, 'provision-1'), false);
    clock.advance(59_999);
    assert.equal(admitted(l, 'provision-1'), false, 'not a whole token yet');
    clock.advance(1);
    assert.equal(admitted(l, 'provision-1'), true, 'one token per minute');
    assert.equal(admitted(l, 'provision-1'), false);
    clock.advance(60 * 60_000);
    assert.equal(admitted(l, 'provision-1'), true);
    assert.equal(admitted(l, 'provision-1'), true);
    assert.equal(admitted(l, 'provision-1'), false, 'an hour idle gives the burst back, no more');
  });

  it('takes nothing from the certificate when the connection is refused, nor from the connection when the certificate is', () => {
    const l = limiter();
    admitted(l, 'provision-1');
    admitted(l, 'provision-1');
    for (let i = 0; i < 5; i++) assert.equal(admitted(l, 'provision-1'), false);
    // The refusals above cost the certificate nothing: the third request of its burst of 3 gets in.
    assert.equal(admitted(l, 'provision-2'), true);
    assert.equal(l.admit('provision-4', CLAIM_A).admitted, false, 'the certificate used its burst of 3');
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(l.admit('provision-4', CLAIM_A), { admitted: false, limitedBy: 'claim certificate' });
    }
    clock.advance(20_000); // two certificate tokens (6 per minute); a third of a connection token
    assert.equal(admitted(l, 'provision-4'), true);
    assert.equal(admitted(l, 'provision-4'), true, "the certificate's refusals cost provision-4's bucket nothing");
  });

  it('limits a connection without a claim certificate by its connection only', () => {
    const l = limiter();
    assert.equal(admitted(l, 'provision-1', null), true);
    assert.equal(admitted(l, 'provision-1', null), true);
    assert.equal(admitted(l, 'provision-1', null), false);
  });

  it('refills nothing when the clock steps back', () => {
    const l = limiter();
    admitted(l, 'provision-1');
    admitted(l, 'provision-1');
    clock.advance(-10 * 60_000);
    assert.equal(admitted(l, 'provision-1'), false);
    clock.advance(60_000);
    assert.equal(admitted(l, 'provision-1'), false, 'the minute back to where it was is not counted twice');
    clock.advance(10 * 60_000);
    assert.equal(admitted(l, 'provision-1'), true);
  });

  it('forgets buckets that are full again once there are many', () => {
    const l = new CertificateRequestLimiter(
      { perConnection: { burst: 1, perMinute: 1 }, perClaimCertificate: { burst: 1_000_000, perMinute: 1_000_000 } },
      clock,
    );
    for (let i = 0; i <= 10_001; i++) l.admit(`provision-${i}`, CLAIM_A);
    assert.ok(l.size > 10_000);
    clock.advance(60_000);
    l.admit('provision-late', CLAIM_A);
    assert.ok(l.size <= 3, `${l.size} buckets left`);
    // A forgotten bucket was full: its connection gets its burst, as it would have.
    assert.equal(l.admit('provision-1', CLAIM_A).admitted, true);
  });

  it('has sane defaults in the fleet config, and refuses a zero rate', () => {
    const config = FleetConfigSchema.parse({});
    assert.deepEqual(config.provisioning.certificateRequests, {
      perConnection: { burst: 5, perMinute: 1 },
      perClaimCertificate: { burst: 100, perMinute: 30 },
    });
    assert.equal(
      FleetConfigSchema.safeParse({ provisioning: { certificateRequests: { perConnection: { perMinute: 0 } } } })
        .success,
      false,
    );
  });
});
