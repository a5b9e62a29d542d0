/** Geometry for the floor map: store-frame metres, polygons as [x, y] rings. */

export type Point = [number, number];

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundsOf(polygons: Point[][]): Bounds {
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (const poly of polygons)
    for (const [x, y] of poly) {
      b.minX = Math.min(b.minX, x);
      b.minY = Math.min(b.minY, y);
      b.maxX = Math.max(b.maxX, x);
      b.maxY = Math.max(b.maxY, y);
    }
  return Number.isFinite(b.minX) ? b : { minX: 0, minY: 0, maxX: 40, maxY: 30 };
}

/** Even-odd ray casting. */
export function contains(polygon: Point[], [x, y]: Point): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function centroid(polygon: Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of polygon) {
    x += p[0];
    y += p[1];
  }
  return polygon.length ? [x / polygon.length, y / polygon.length] : [0, 0];
}

/** FNV-1a, 32 bit: the same thing name always hashes to the same seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stable pseudo-random point inside `polygon` for `key` (a device only reports its zone, not coordinates).
 * Sampled in the bounding box shrunk by `margin` metres, so markers do not sit on zone borders; rejection sampling
 * handles non-rectangular zones, with the centroid as the fallback.
 */
export function placeInPolygon(polygon: Point[], key: string, margin = 0.8, labelBand = 1.6): Point {
  const b = boundsOf([polygon]);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const mx = Math.min(margin, w / 4);
  // the zone's name is drawn along its top edge: keep markers below it when the zone is tall enough
  const top = Math.min(labelBand, h / 3);
  const bottom = Math.min(margin, h / 4);
  const random = mulberry32(hashString(key));
  for (let i = 0; i < 40; i++) {
    const p: Point = [b.minX + mx + random() * (w - 2 * mx), b.minY + top + random() * (h - top - bottom)];
    if (contains(polygon, p)) return p;
  }
  return centroid(polygon);
}

/**
 * Stable, non-overlapping spots for several markers in one zone. The usable part of the zone (inside the margins and
 * below the label band) is covered by a grid of cells `spacing` metres apart, shrunk until every key has a cell; each
 * key, in name order, takes the cell its hash points at or the next free one, and sits slightly off the cell centre
 * (a deterministic jitter) so a busy zone does not look like a parade. The same set of keys always gets the same
 * spots, and a lone marker keeps its hashed spot when it comes back.
 */
export function spreadInPolygon(
  polygon: Point[],
  keys: string[],
  { spacing = 2, minSpacing = 0.9, margin = 1, labelBand = 1.6 } = {},
): Map<string, Point> {
  const out = new Map<string, Point>();
  if (!keys.length) return out;
  const b = boundsOf([polygon]);
  const w = b.maxX - b.minX;
  const h = b.maxY - b.minY;
  const mx = Math.min(margin, w / 4);
  const top = Math.min(labelBand, h / 3);
  const bottom = Math.min(margin, h / 4);
  const area = { x: b.minX + mx, y: b.minY + top, w: Math.max(0, w - 2 * mx), h: Math.max(0, h - top - bottom) };

  let step = spacing;
  let cells: Point[] = [];
  for (;;) {
    const cols = Math.max(1, Math.floor(area.w / step) + 1);
    const rows = Math.max(1, Math.floor(area.h / step) + 1);
    // centre the grid in the area
    const x0 = area.x + (area.w - (cols - 1) * step) / 2;
    const y0 = area.y + (area.h - (rows - 1) * step) / 2;
    cells = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        const p: Point = [x0 + c * step, y0 + r * step];
        if (contains(polygon, p)) cells.push(p);
      }
    if (cells.length >= keys.length || step <= minSpacing) break;
    step = Math.max(minSpacing, step * 0.85);
  }
  if (!cells.length) cells = [centroid(polygon)];

  const taken = new Set<number>();
  const jitter = Math.max(0, (step - 1.6) / 2) * 0.8; // stays clear of the neighbours' halo
  for (const key of [...keys].sort()) {
    const seed = hashString(key);
    let i = seed % cells.length;
    // more keys than cells (a crowded, tiny zone): cells are shared, still in a stable order
    if (taken.size < cells.length) while (taken.has(i)) i = (i + 1) % cells.length;
    taken.add(i);
    const random = mulberry32(seed);
    const [cx, cy] = cells[i]!;
    const p: Point = [cx + (random() * 2 - 1) * jitter, cy + (random() * 2 - 1) * jitter];
    out.set(key, contains(polygon, p) ? p : [cx, cy]);
  }
  return out;
}
