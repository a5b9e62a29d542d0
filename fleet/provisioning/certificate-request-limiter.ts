import type { Clock } from '../../platform/clock.ts';

/** A token bucket: `burst` requests at once, then `perMinute` more per minute. */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

export interface CertificateRequestLimits {
  /** Per claim connection (its client id, so that reconnecting does not refill it). */
  perConnection: RateLimit;
  /** Per claim certificate, shared by every device of a batch: the ceiling on what one leaked claim key can make. */
  perClaimCertificate: RateLimit;
}

export type Admission = { admitted: true } | { admitted: false; limitedBy: 'connection' | 'claim certificate' };

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets are dropped once full again; this many live buckets prompts a sweep. */
const SWEEP_ABOVE = 10_000;

/**
 * Throttles CreateKeysAndCertificate and CreateCertificateFromCsr, the two requests that make the fleet sign a
 * certificate (and, for the first, generate a key): each costs CPU and leaves a certificate row until its token
 * expires, and any holder of a claim key may ask. A request takes a token from its connection's bucket and from its
 * claim certificate's; it is admitted only when both have one, and a refused request takes from neither.
 */
export class CertificateRequestLimiter {
  private readonly connections = new Map<string, Bucket>();
  private readonly certificates = new Map<string, Bucket>();

  constructor(
    private readonly limits: CertificateRequestLimits,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  admit(clientId: string, certificateId: string | null): Admission {
    const now = this.clock.now();
    const certificate =
      certificateId === null
        ? undefined
        : this.refilled(this.certificates, certificateId, this.limits.perClaimCertificate, now);
    if (certificate && certificate.tokens < 1) return { admitted: false, limitedBy: 'claim certificate' };
    const connection = this.refilled(this.connections, clientId, this.limits.perConnection, now);
    if (connection.tokens < 1) return { admitted: false, limitedBy: 'connection' };
    connection.tokens -= 1;
    if (certificate) certificate.tokens -= 1;
    return { admitted: true };
  }

  private refilled(buckets: Map<string, Bucket>, key: string, limit: RateLimit, now: number): Bucket {
    if (buckets.size > SWEEP_ABOVE) this.sweep(buckets, limit, now);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: limit.burst, at: now };
      buckets.set(key, bucket);
      return bucket;
    }
    // A clock that steps back refills nothing.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perMinute) / 60_000);
    bucket.at = Math.max(bucket.at, now);
    return bucket;
  }

  /** A full bucket is the same as none. */
  private sweep(buckets: Map<string, Bucket>, limit: RateLimit, now: number): void {
    for (const [key, bucket] of buckets) {
      if (bucket.tokens + (Math.max(0, now - bucket.at) * limit.perMinute) / 60_000 >= limit.burst) buckets.delete(key);
    }
  }

  /** Live buckets, for tests of the sweep. */
  get size(): number {
    return this.connections.size + this.certificates.size;
  }
}
