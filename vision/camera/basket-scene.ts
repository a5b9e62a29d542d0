import type { Face } from '../synthetic/product-painter.ts';
import { mixSeed, SeededRandom } from '../synthetic/seeded-random.ts';
import type { SyntheticProduct } from '../synthetic/synthetic-products.ts';
import { randomView, type ViewParams } from '../synthetic/view-params.ts';

/**
 * What the virtual basket camera looks at (pure data, no canvas): the basket floor seen from above and the items on
 * it, newest last (drawn on top). The nuisances are the synthetic domain's `field` regime (view-params.ts), the same
 * kinds the embedder was trained with, drawn from wider ranges: what belongs to the camera and the store (floor,
 * light colour and level, contrast, lamp glare, a slight tilt, sensor noise, focus) is fixed for a trip; what belongs
 * to a drop (pose, face, a hand still over it, motion blur) is drawn per placement.
 */
export interface TripLook {
  /** The `field` view the trip's constants come from (floor, brightness, contrast, tint, glare, noise). */
  view: ViewParams;
  /** Camera tilt (a shear applied to every item). */
  shear: number;
  /** Where the store's lamp is, as a share of the frame (the light falls off from there). */
  lamp: { x: number; y: number };
  /** Blur radius in pixels (0: in focus). */
  defocus: number;
}

/** An axis-aligned box in frame pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ScenePlacement {
  product: SyntheticProduct;
  /** When it was dropped (the cart's clock). */
  at: number;
  /** Centre in frame pixels, rotation in radians, which side is up. */
  x: number;
  y: number;
  angle: number;
  face: Face;
  /** Pixels per centimetre on the basket floor. */
  pxPerCm: number;
  /** The item's bounding box in the frame (its footprint, rotated; no shadow, no hand, no blur). */
  box: PixelBox;
  /** A hand still over the item, if the capture comes soon enough after the drop. */
  hand: ViewParams['hand'];
  /** Motion blur of the falling item, if the capture comes soon enough after the drop (length: share of its span). */
  motion: ViewParams['motion'];
  paintSeed: number;
}

export interface SceneGeometry {
  width: number;
  height: number;
  floorCm: { width: number; height: number };
}

export function randomTripLook(seed: number, trip: number): TripLook {
  const random = new SeededRandom(mixSeed(seed, 0x7419, trip));
  const view = randomView(random, 'field');
  return {
    view,
    // A camera on a mast is close to overhead: a third of the crop renderer's shear range.
    shear: view.shear * 0.3,
    lamp: { x: random.range(0.3, 0.7), y: random.range(0.25, 0.6) },
    // Focus is set once; at 320×240 a pixel of blur is already a soft camera.
    defocus: random.chance(0.3) ? random.range(0.3, 1) : 0,
  };
}

/** The item's footprint after rotation, in centimetres: [width along x, height along y]. */
export function rotatedExtent(product: SyntheticProduct, angle: number): [number, number] {
  const c = Math.abs(Math.cos(angle));
  const s = Math.abs(Math.sin(angle));
  const { lengthCm: L, widthCm: W } = product.size;
  return [L * c + W * s, L * s + W * c];
}

/** A seeded drop of `product`: anywhere on the floor that holds it whole, any rotation, over older items. */
export function randomPlacement(
  geometry: SceneGeometry,
  product: SyntheticProduct,
  at: number,
  seed: number,
): ScenePlacement {
  const random = new SeededRandom(seed);
  const drop = randomView(random, 'field');
  const pxPerCm = Math.min(geometry.width / geometry.floorCm.width, geometry.height / geometry.floorCm.height);
  const angle = random.range(0, Math.PI * 2);
  const [wCm, hCm] = rotatedExtent(product, angle);
  const w = wCm * pxPerCm;
  const h = hCm * pxPerCm;
  const along = (size: number, extent: number): number =>
    extent >= size ? size / 2 : random.range(extent / 2, size - extent / 2);
  const x = along(geometry.width, w);
  const y = along(geometry.height, h);
  // A jar stands: its lid is a circle of the jar's length, whatever the rotation.
  const [bw, bh] = product.kind === 'jar' ? [product.size.lengthCm * pxPerCm, product.size.lengthCm * pxPerCm] : [w, h];
  const box = clampBox({ x: x - bw / 2, y: y - bh / 2, width: bw, height: bh }, geometry.width, geometry.height);
  return {
    product,
    at,
    x,
    y,
    angle,
    face: product.kind === 'produce' ? 'front' : drop.face,
    pxPerCm,
    box,
    hand: drop.hand,
    motion: drop.motion,
    paintSeed: drop.paintSeed,
  };
}

export function clampBox(box: PixelBox, width: number, height: number): PixelBox {
  const x0 = Math.max(0, box.x);
  const y0 = Math.max(0, box.y);
  const x1 = Math.min(width, box.x + box.width);
  const y1 = Math.min(height, box.y + box.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}
