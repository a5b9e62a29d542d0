import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { OfflineStaff, StaffVerifierParams } from '../protocol/commerce/snapshot.ts';

/**
 * The fleet's choice for new staff codes' offline verifiers: scrypt (RFC 7914) with N = 2^13, r = 8, p = 1, a 32-byte
 * key — 8 MiB and about 14 ms per try on the development machine (one core of a 2-vCPU VM, Node 20; N = 2^14 took
 * 29 ms, 2^12 7 ms). A cart tries every verifier of its store's snapshot for one typed code, so this is paid once per
 * attendant per try; docs/architecture.md ("Offline staff codes") works out the brute-force cost.
 */
export const STAFF_VERIFIER_PARAMS: StaffVerifierParams = { N: 8192, r: 8, p: 1, keyLength: 32 };

/** A fresh random salt for one staff code (16 bytes, base64url). */
export function staffVerifierSalt(): string {
  return randomBytes(16).toString('base64url');
}

/** scrypt(code, salt, params), base64url. Async: it runs on libuv's thread pool, so no screen or fleet blocks. */
export function staffCodeVerifier(code: string, salt: string, params: StaffVerifierParams): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(
      code,
      Buffer.from(salt, 'base64url'),
      params.keyLength,
      // maxmem: scrypt needs 128·N·r bytes; Node refuses above 32 MiB by default, which the schema's bounds reach.
      { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key.toString('base64url'))),
    );
  });
}

/** Whether `code` is the code behind this verifier (compared in constant time). */
export async function matchesStaffVerifier(
  code: string,
  staff: Pick<OfflineStaff, 'salt' | 'verifier' | 'params'>,
): Promise<boolean> {
  const expected = Buffer.from(staff.verifier, 'base64url');
  const actual = Buffer.from(await staffCodeVerifier(code, staff.salt, staff.params), 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
