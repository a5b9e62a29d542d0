/**
 * The pricing engine's one sort of index lists, for its hot path: stable, and allocation-free (the work array is the
 * caller's). Array.prototype.sort copies the array into a fresh one on every call.
 */

/**
 * Sorts `order[0..n)` stably by `compare` (negative: a first), with `tmp` as work space: insertion sort for a few
 * elements, else a bottom-up merge sort.
 */
export function stableSort(order: number[], n: number, tmp: number[], compare: (a: number, b: number) => number): void {
  if (n <= 16) {
    for (let i = 1; i < n; i++) {
      const x = order[i] as number;
      let j = i;
      while (j > 0 && compare(order[j - 1] as number, x) > 0) {
        order[j] = order[j - 1] as number;
        j--;
      }
      order[j] = x;
    }
    return;
  }
  let src = order;
  let dst = tmp;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi)
        dst[k++] = compare(src[j] as number, src[i] as number) < 0 ? (src[j++] as number) : (src[i++] as number);
      while (i < mid) dst[k++] = src[i++] as number;
      while (j < hi) dst[k++] = src[j++] as number;
    }
    [src, dst] = [dst, src];
  }
  if (src !== order) for (let i = 0; i < n; i++) order[i] = src[i] as number;
}
