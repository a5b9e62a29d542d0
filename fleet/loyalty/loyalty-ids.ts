import { randomBytes } from 'node:crypto';

/** A fresh id with a prefix naming what it is (`m-` member, `f-` family, `h-` hold): `m-3f9a0c2d1b7e`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Coupon codes: no 0/O or 1/I, so a code read aloud or typed is not misread. */
const COUPON_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function newCouponCode(length = 10): string {
  const bytes = randomBytes(length);
  let code = '';
  for (const byte of bytes) code += COUPON_ALPHABET[byte % COUPON_ALPHABET.length];
  return code;
}
