import type { Face } from './product-painter.ts';
import type { SeededRandom } from './seeded-random.ts';

/**
 * One drop as the basket camera sees it: how the product lies, what else is in the picture, and what the camera and
 * the store's light do to it. Every field is a nuisance the embedding must ignore.
 */
export interface ViewParams {
  face: Face;
  /** Rotation in radians, and how much of the crop the product fills (its rotated bounding box, 0–1). */
  angle: number;
  fill: number;
  /** Offset of the product from the crop's centre, as a share of the crop. */
  dx: number;
  dy: number;
  /** Camera not quite overhead: a small shear. */
  shear: number;
  brightness: number;
  contrast: number;
  /** Colour of the store's light (multiplied in). */
  tint: [number, number, number];
  /** A specular highlight on glossy packaging. */
  glare: { x: number; y: number; radius: number; alpha: number } | null;
  /** A shopper's hand still over the item: from which edge (0–3), how far in (0–1), its skin tone. */
  hand: { edge: number; depth: number; along: number; tone: number } | null;
  /** Other items already in the basket, partly in the crop (indices into the clutter list the renderer is given). */
  clutter: { pick: number; x: number; y: number; angle: number; scale: number }[];
  /** Motion blur of the falling item: direction and length as a share of the crop. */
  motion: { angle: number; length: number } | null;
  /** Defocus blur radius in pixels of the output. */
  defocus: number;
  /** Sensor noise (standard deviation in 0–255 units). */
  noise: number;
  /** The basket's floor: colour and mesh. */
  floor: { hue: number; lightness: number; mesh: number };
  /** Seed for what varies inside the product's own painting (creases, a produce pile). */
  paintSeed: number;
}

/**
 * `training`: the nuisance ranges the model is trained on. `field`: what the simulator's camera shows shoppers'
 * drops with: the same kinds of nuisance, drawn from wider and shifted ranges (stronger blur, darker and warmer
 * light, deeper hands, lighter and denser basket meshes), so the demo and the evaluation see variations the model never saw.
 */
export type ViewRegime = 'training' | 'field';

export function randomView(random: SeededRandom, regime: ViewRegime = 'training'): ViewParams {
  const field = regime === 'field';
  const clutter = [];
  for (let i = 0, n = random.int(0, field ? 4 : 3); i < n; i++) {
    const edge = random.int(0, 3);
    const t = random.range(-0.5, 0.5);
    const out = random.range(0.45, 0.7);
    const [x, y] = edge === 0 ? [t, -out] : edge === 1 ? [out, t] : edge === 2 ? [t, out] : [-out, t];
    clutter.push({
      pick: random.int(0, 1_000_000),
      x,
      y,
      angle: random.range(0, Math.PI * 2),
      scale: random.range(0.5, 0.9),
    });
  }
  return {
    face: random.chance(field ? 0.25 : 0.2) ? 'back' : 'front',
    angle: random.range(0, Math.PI * 2),
    fill: random.range(field ? 0.55 : 0.6, 0.92),
    dx: random.range(-0.07, 0.07),
    dy: random.range(-0.07, 0.07),
    shear: random.range(-0.12, 0.12) * (field ? 1.3 : 1),
    brightness: field ? random.range(0.55, 1.3) : random.range(0.65, 1.25),
    contrast: random.range(0.75, 1.2),
    tint: field
      ? [random.range(0.9, 1.1), random.range(0.82, 1), random.range(0.7, 0.95)]
      : [random.range(0.85, 1.05), random.range(0.88, 1.05), random.range(0.85, 1.1)],
    glare: random.chance(0.35)
      ? {
          x: random.range(-0.3, 0.3),
          y: random.range(-0.3, 0.3),
          radius: random.range(0.08, 0.25),
          alpha: random.range(0.2, 0.6),
        }
      : null,
    hand: random.chance(field ? 0.4 : 0.3)
      ? {
          edge: random.int(0, 3),
          depth: random.range(0.15, field ? 0.45 : 0.38),
          along: random.range(-0.3, 0.3),
          tone: random.next(),
        }
      : null,
    clutter,
    motion: random.chance(field ? 0.5 : 0.4)
      ? { angle: random.range(0, Math.PI), length: random.range(0.02, field ? 0.09 : 0.07) }
      : null,
    defocus: random.chance(0.3) ? random.range(0.3, field ? 1.4 : 1.1) : 0,
    noise: random.range(1, field ? 9 : 7),
    floor: field
      ? {
          hue: random.pick([0, 120, 200, 30]) + random.range(-15, 15),
          lightness: random.range(15, 55),
          mesh: random.int(5, 12),
        }
      : // Baskets come in blue, red, green and brown plastic: every family in training too (the field's lighter and
        // denser meshes stay its own).
        {
          hue: random.pick([0, 120, 210, 30]) + random.range(-20, 20),
          lightness: random.range(12, 45),
          mesh: random.int(4, 10),
        },
    paintSeed: random.int(1, 0x7fffffff),
  };
}
