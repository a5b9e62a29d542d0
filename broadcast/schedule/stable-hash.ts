/**
 * A 31-bit FNV-1a hash of a string: the shuffle seed of a music window, the same on every compile and on the speaker
 * (the manifest carries the seed, not the order).
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7fffffff;
}
