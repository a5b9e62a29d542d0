/**
 * Full garbage collections now, when the process was started with `--expose-gc` (the cart's launcher is: package.json
 * `cart`); otherwise nothing (tests, the simulator's shared process). For the rare moment a process knows it has just
 * dropped a large structure: V8 collects the old generation only when it grows past its limit, so a replaced pricing
 * snapshot (~25 MB for 50,000 products) would otherwise stay resident indefinitely on an idle cart. Two passes: the
 * first frees the dropped objects; the second compacts the pages they left sparse, and only then are those pages
 * returned to the system (measured: ~12 MB more of the cart's RSS than one pass; docs/benchmarks.md, cart memory).
 * Returns whether it collected.
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return false;
  gc();
  gc();
  return true;
}
