import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords are hashed with scrypt, the memory-hard KDF in Node's own crypto (RFC 7914). N = 2^15, r = 8, p = 1
 * costs 32 MiB and tens of milliseconds per guess, within OWASP's current minimum for scrypt. It runs on libuv's
 * thread pool, so a login does not block the event loop that serves the device plane.
 * Stored as `scrypt$N$r$p$salt$hash` (base64url) so parameters can be raised later without breaking old hashes.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

export class PasswordHasher {
  constructor(private readonly params: ScryptParams = DEFAULT_SCRYPT) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, this.params);
    const { N, r, p } = this.params;
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64url');
    // Parameters scrypt refuses (a damaged or hand-edited hash) are a failed verification, not a 500 on sign-in.
    const key = await derive(password, Buffer.from(salt, 'base64url'), { N: +n, r: +r, p: +p }).catch(() => undefined);
    return key !== undefined && key.length === expected.length && timingSafeEqual(key, expected);
  }
}

function derive(password: string, salt: Buffer, { N, r, p }: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** A readable one-time password: 4 groups of 4 from an alphabet without look-alikes (about 80 bits). */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += alphabet[(bytes[i] ?? 0) % alphabet.length];
  }
  return out;
}
