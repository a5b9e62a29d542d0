import { randomFillSync } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Bytes from the CSPRNG, drawn 4 KiB at a time and each used once: a `randomBytes()` call per id cost ~25 µs (the
 * job around the call, not the randomness), several per checkout. Node's `randomUUID()` pools the same way.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `prefix` + `length` random base32 characters (5 bits each: 20 characters are 100 bits, unguessable). */
export function randomId(prefix: string, length: number): string {
  if (length > pool.length) throw new RangeError(`an id of at most ${pool.length} characters`);
  if (poolOffset + length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = prefix;
  for (let i = 0; i < length; i++) out += BASE32[(pool[poolOffset + i] as number) & 31];
  poolOffset += length;
  return out;
}

export const newOrderId = (): string => randomId('ord_', 20);
export const newRefundId = (): string => randomId('ref_', 20);
