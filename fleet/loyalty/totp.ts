import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Time-based one-time passwords: RFC 6238 (TOTP) over RFC 4226 (HOTP), HMAC-SHA1, the parameters every
 * authenticator app uses. Pure functions of the key and the time: the caller passes the time.
 */
export interface TotpParameters {
  /** RFC 6238 §4.1 X: the time step in seconds. */
  stepSeconds: number;
  /** RFC 4226 §5.3: 6 to 8 digits. */
  digits: number;
}

export const MEMBER_CODE_TOTP: TotpParameters = { stepSeconds: 30, digits: 6 };

/** RFC 6238 §4.2: T = floor((unix time − T0) / X), with T0 = 0. */
export function timeStep(atMs: number, stepSeconds: number): number {
  return Math.floor(Math.floor(atMs / 1000) / stepSeconds);
}

/** RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(key: Buffer, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totp(key: Buffer, atMs: number, parameters: TotpParameters = MEMBER_CODE_TOTP): string {
  return hotp(key, timeStep(atMs, parameters.stepSeconds), parameters.digits);
}

/**
 * Whether `code` is the password of the step of `atMs` or of the `window` steps on either side (RFC 6238 §5.2: "at
 * most one time step is allowed as the network delay", and clocks drift). Compared in constant time.
 */
export function verifyTotp(
  key: Buffer,
  code: string,
  atMs: number,
  window = 1,
  parameters: TotpParameters = MEMBER_CODE_TOTP,
): boolean {
  if (code.length !== parameters.digits) return false;
  const step = timeStep(atMs, parameters.stepSeconds);
  let ok = false;
  for (let delta = -window; delta <= window; delta++) {
    if (step + delta < 0) continue;
    const expected = Buffer.from(hotp(key, step + delta, parameters.digits));
    // No early exit: every candidate is computed and compared whatever matched.
    if (timingSafeEqual(expected, Buffer.from(code.padEnd(parameters.digits).slice(0, parameters.digits)))) ok = true;
  }
  return ok;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32 without padding: how authenticator apps and `otpauth://` URIs carry the secret. */
export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** A new shared secret: 160 bits, the HMAC-SHA1 key length RFC 4226 §4 recommends (R6). */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}
