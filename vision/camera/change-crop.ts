import { FleetError } from '../../protocol/errors.ts';
import type { PixelBox } from './basket-scene.ts';
import type { CameraFrame } from './camera.ts';

export type { PixelBox } from './basket-scene.ts';

/**
 * From a basket frame to the embedder's input: where the basket changed between the frame before a drop and the one
 * after it, and a square crop around that, resized (issue 11 item 5). The crop then goes through the model's
 * preprocessing (vision/embedding/image-tensor.ts).
 */
export interface ChangeOptions {
  /** Side of the square cells the frames are averaged over, in pixels (averaging 16 pixels divides noise by 4). */
  cell: number;
  /** A cell changed when a channel's mean moved more than this (0–255), after the frame-wide shift is removed. */
  threshold: number;
  /** The smallest change that counts, as a share of the frame's cells (smaller: noise, a crumb, a finger). */
  minArea: number;
}

export const CHANGE_DEFAULTS: ChangeOptions = { cell: 4, threshold: 24, minArea: 0.004 };

/**
 * The bounding box (frame pixels) of the largest region that changed from `before` to `after`, or null when nothing
 * did beyond noise. The choices, in order:
 *
 * 1. Both frames are averaged over `cell`×`cell` cells: sensor noise shrinks by the cell's side, and the rest works
 *    on 1/16 of the pixels.
 * 2. Per cell and channel the signed difference of the means, minus its median over the frame: a camera's automatic
 *    exposure or white balance shifts every cell alike, and an item covers well under half the frame, so the
 *    median is the shift, not the item.
 * 3. A cell changed when any channel moved more than `threshold` (an item that differs from the floor in hue only
 *    still counts).
 * 4. An opening (3×3 erosion, then dilation) removes lone cells and thin lines (noise peaks, a mesh wire's
 *    shimmer); a closing with a 5×5 square then joins the parts of one item that happen to resemble the floor.
 * 5. The largest 8-connected region wins (a hand leaving the frame, or an older item nudged, makes smaller ones);
 *    below `minArea` of the frame, nothing changed.
 */
export function changedRegion(
  before: CameraFrame,
  after: CameraFrame,
  options: Partial<ChangeOptions> = {},
): PixelBox | null {
  const o = { ...CHANGE_DEFAULTS, ...options };
  if (before.width !== after.width || before.height !== after.height) {
    throw new FleetError(
      'BAD_REQUEST',
      `frames of ${before.width}×${before.height} and ${after.width}×${after.height} cannot be compared`,
    );
  }
  const gw = Math.floor(after.width / o.cell);
  const gh = Math.floor(after.height / o.cell);
  if (gw < 3 || gh < 3) return null;
  const diff = cellDifferences(before, after, o.cell, gw, gh);
  for (let c = 0; c < 3; c++) {
    const channel = Float32Array.from({ length: gw * gh }, (_, i) => diff[i * 3 + c]!);
    const median = channel.sort()[channel.length >> 1]!;
    for (let i = 0; i < gw * gh; i++) diff[i * 3 + c]! -= median;
  }
  let mask: Uint8Array = new Uint8Array(gw * gh);
  for (let i = 0; i < gw * gh; i++) {
    const d = Math.max(Math.abs(diff[i * 3]!), Math.abs(diff[i * 3 + 1]!), Math.abs(diff[i * 3 + 2]!));
    mask[i] = d > o.threshold ? 1 : 0;
  }
  mask = morph(morph(mask, gw, gh, 1, 'erode'), gw, gh, 1, 'dilate');
  mask = morph(morph(mask, gw, gh, 2, 'dilate'), gw, gh, 2, 'erode');
  const blob = largestRegion(mask, gw, gh);
  if (!blob || blob.cells < o.minArea * gw * gh) return null;
  const x = blob.x0 * o.cell;
  const y = blob.y0 * o.cell;
  return {
    x,
    y,
    width: Math.min(after.width, (blob.x1 + 1) * o.cell) - x,
    height: Math.min(after.height, (blob.y1 + 1) * o.cell) - y,
  };
}

/** Per cell and channel, mean of `after` minus mean of `before`. */
function cellDifferences(before: CameraFrame, after: CameraFrame, cell: number, gw: number, gh: number): Float32Array {
  const out = new Float32Array(gw * gh * 3);
  const width = after.width;
  for (let y = 0; y < gh * cell; y++) {
    const row = Math.floor(y / cell) * gw;
    for (let x = 0; x < gw * cell; x++) {
      const p = (y * width + x) * 3;
      const q = (row + Math.floor(x / cell)) * 3;
      out[q]! += after.rgb[p]! - before.rgb[p]!;
      out[q + 1]! += after.rgb[p + 1]! - before.rgb[p + 1]!;
      out[q + 2]! += after.rgb[p + 2]! - before.rgb[p + 2]!;
    }
  }
  const n = cell * cell;
  for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

/** Binary erosion or dilation with a (2r+1)² square; outside the grid counts as unchanged. */
function morph(mask: Uint8Array, w: number, h: number, r: number, op: 'erode' | 'dilate'): Uint8Array {
  const out = new Uint8Array(mask.length);
  const want = op === 'erode' ? 1 : 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let value = op === 'erode' ? 1 : 0;
      for (let dy = -r; dy <= r && value === (op === 'erode' ? 1 : 0); dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          const v = xx < 0 || yy < 0 || xx >= w || yy >= h ? 0 : mask[yy * w + xx]!;
          if (v !== want) {
            value = op === 'erode' ? 0 : 1;
            break;
          }
        }
      }
      out[y * w + x] = value;
    }
  }
  return out;
}

interface Region {
  cells: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The largest 8-connected region of set cells (flood fill with an explicit stack). */
function largestRegion(mask: Uint8Array, w: number, h: number): Region | undefined {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best: Region | undefined;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    const region: Region = { cells: 0, x0: w, y0: h, x1: -1, y1: -1 };
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const i = stack[--top]!;
      const x = i % w;
      const y = (i - x) / w;
      region.cells++;
      region.x0 = Math.min(region.x0, x);
      region.x1 = Math.max(region.x1, x);
      region.y0 = Math.min(region.y0, y);
      region.y1 = Math.max(region.y1, y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const j = yy * w + xx;
          if (mask[j] && !seen[j]) {
            seen[j] = 1;
            stack[top++] = j;
          }
        }
      }
    }
    if (!best || region.cells > best.cells) best = region;
  }
  return best;
}

/**
 * The square a crop of `box` takes from the frame: centred on the box, its side the box's larger side plus `margin`
 * of it on each side, shifted to lie inside the frame, and no larger than the frame's shorter side (a larger item is
 * cropped to its middle).
 */
export function squareAround(frame: { width: number; height: number }, box: PixelBox, margin = 0.15): PixelBox {
  const limit = Math.min(frame.width, frame.height);
  const side = Math.max(1, Math.min(limit, Math.max(box.width, box.height) * (1 + 2 * margin)));
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const x = Math.min(Math.max(0, cx - side / 2), frame.width - side);
  const y = Math.min(Math.max(0, cy - side / 2), frame.height - side);
  return { x, y, width: side, height: side };
}

/** The crop around `box` (see {@link squareAround}) resized to `size`×`size` RGB. */
export function squareCrop(frame: CameraFrame, box: PixelBox, size: number, margin = 0.15): Uint8Array {
  return resample(frame, squareAround(frame, box, margin), size);
}

/**
 * The crop when there is no frame before the drop to compare with (a trip's first drop, after a restart, after a
 * failed capture): the middle of the frame, a square `share` of its shorter side, resized to `size`×`size` RGB.
 */
export function centreSquare(frame: { width: number; height: number }, share = 1): PixelBox {
  const side = Math.min(frame.width, frame.height) * Math.min(1, Math.max(0.05, share));
  return { x: (frame.width - side) / 2, y: (frame.height - side) / 2, width: side, height: side };
}

export function centreCrop(frame: CameraFrame, size: number, share = 1): Uint8Array {
  return resample(frame, centreSquare(frame, share), size);
}

/**
 * `source` (frame pixels, fractional) resized to `size`×`size` by bilinear interpolation; when shrinking, each output
 * pixel averages k×k bilinear samples (k the shrink factor, rounded up), so a 240-pixel square brought down to 96
 * does not alias the packaging's fine print and the mesh into moiré.
 */
export function resample(frame: CameraFrame, source: PixelBox, size: number): Uint8Array {
  if (!Number.isInteger(size) || size < 1) throw new FleetError('BAD_REQUEST', `a crop of size ${size}`);
  const out = new Uint8Array(size * size * 3);
  const sx = source.width / size;
  const sy = source.height / size;
  const kx = Math.max(1, Math.ceil(sx));
  const ky = Math.max(1, Math.ceil(sy));
  const { width, height, rgb } = frame;
  const acc = [0, 0, 0];
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let b = 0; b < ky; b++) {
        const y = Math.min(height - 1, Math.max(0, source.y + (j + (b + 0.5) / ky) * sy - 0.5));
        const y0 = Math.floor(y);
        const y1 = Math.min(height - 1, y0 + 1);
        const fy = y - y0;
        for (let a = 0; a < kx; a++) {
          const x = Math.min(width - 1, Math.max(0, source.x + (i + (a + 0.5) / kx) * sx - 0.5));
          const x0 = Math.floor(x);
          const x1 = Math.min(width - 1, x0 + 1);
          const fx = x - x0;
          const p00 = (y0 * width + x0) * 3;
          const p01 = (y0 * width + x1) * 3;
          const p10 = (y1 * width + x0) * 3;
          const p11 = (y1 * width + x1) * 3;
          for (let c = 0; c < 3; c++) {
            const top = rgb[p00 + c]! + (rgb[p01 + c]! - rgb[p00 + c]!) * fx;
            const bottom = rgb[p10 + c]! + (rgb[p11 + c]! - rgb[p10 + c]!) * fx;
            acc[c]! += top + (bottom - top) * fy;
          }
        }
      }
      const o = (j * size + i) * 3;
      const n = kx * ky;
      out[o] = Math.round(acc[0]! / n);
      out[o + 1] = Math.round(acc[1]! / n);
      out[o + 2] = Math.round(acc[2]! / n);
    }
  }
  return out;
}
