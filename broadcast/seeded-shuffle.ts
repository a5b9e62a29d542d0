/**
 * The one shuffle a music window's playlist goes through, on the speaker and in the fleet's calendar: the same seed
 * and playlist give the same order everywhere, in any JavaScript engine (only 32-bit integer arithmetic, no
 * `Math.random`).
 */

/** mulberry32: a 32-bit state, period 2^32, good enough for ordering songs (not for keys). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Fisher–Yates (Durstenfeld) over a copy: every order equally likely, the input left as it was. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}
