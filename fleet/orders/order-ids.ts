import { randomBytes } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `prefix` + `length` random base32 characters (5 bits each: 20 characters are 100 bits, unguessable). */
export function randomId(prefix: string, length: number): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

export const newOrderId = (): string => randomId('ord_', 20);
export const newRefundId = (): string => randomId('ref_', 20);
