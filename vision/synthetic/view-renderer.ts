import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { paintProduct } from './product-painter.ts';
import { mixSeed, SeededRandom } from './seeded-random.ts';
import { registerSyntheticFonts } from './synthetic-fonts.ts';
import type { SyntheticProduct } from './synthetic-products.ts';
import type { ViewParams } from './view-params.ts';

/** How much larger than its output the renderer draws (the downscale anti-aliases, as a camera's optics do). */
const SUPERSAMPLE = 2;

/**
 * Renders a product crop as the cart's camera pipeline hands it to the embedder: a square around the item that just
 * landed, `size` pixels, RGB bytes (row-major, 3 per pixel). Holds its canvases: one renderer per thread, reused.
 */
export class ViewRenderer {
  private readonly big: Canvas;
  private readonly small: Canvas;
  private readonly scratch: Canvas;

  constructor(readonly size: number) {
    registerSyntheticFonts();
    const s = size * SUPERSAMPLE;
    this.big = createCanvas(s, s);
    this.scratch = createCanvas(s, s);
    this.small = createCanvas(size, size);
  }

  /** The crop as RGB bytes. `clutter`: products that may show at the crop's edges (other items in the basket). */
  render(product: SyntheticProduct, view: ViewParams, clutter: readonly SyntheticProduct[] = []): Uint8Array {
    const s = this.size * SUPERSAMPLE;
    const ctx = this.big.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'source-over';
    drawFloor(ctx, s, view);
    for (const item of view.clutter) {
      if (clutter.length === 0) break;
      const other = clutter[item.pick % clutter.length]!;
      if (other.index === product.index) continue;
      placeProduct(ctx, other, s, {
        x: s / 2 + item.x * s,
        y: s / 2 + item.y * s,
        angle: item.angle,
        span: s * item.scale,
        shear: 0,
        face: 'front',
        seed: mixSeed(view.paintSeed, item.pick),
      });
    }
    if (view.motion) {
      // The falling item smears along its path; the rest of the basket is still.
      const sctx = this.scratch.getContext('2d');
      sctx.setTransform(1, 0, 0, 1, 0, 0);
      sctx.clearRect(0, 0, s, s);
      this.drawItem(sctx, product, view, s);
      const steps = 7;
      const dx = Math.cos(view.motion.angle) * view.motion.length * s;
      const dy = Math.sin(view.motion.angle) * view.motion.length * s;
      for (let i = 0; i < steps; i++) {
        ctx.globalAlpha = i === 0 ? 1 : 1 / (i + 1);
        const t = i / (steps - 1) - 0.5;
        ctx.drawImage(this.scratch, t * dx, t * dy);
      }
      ctx.globalAlpha = 1;
    } else {
      this.drawItem(ctx, product, view, s);
    }
    if (view.hand) drawHand(ctx, s, view.hand);
    if (view.glare) {
      const g = ctx.createRadialGradient(
        s / 2 + view.glare.x * s,
        s / 2 + view.glare.y * s,
        0,
        s / 2 + view.glare.x * s,
        s / 2 + view.glare.y * s,
        view.glare.radius * s,
      );
      g.addColorStop(0, `rgba(255,255,255,${view.glare.alpha.toFixed(3)})`);
      g.addColorStop(1, 'rgba(255,255,255,0)');
      ctx.fillStyle = g;
      ctx.fillRect(0, 0, s, s);
    }
    // Uneven light: brighter where the store's lamp is.
    const v = ctx.createRadialGradient(s * 0.4, s * 0.35, s * 0.1, s / 2, s / 2, s * 0.75);
    v.addColorStop(0, 'rgba(0,0,0,0)');
    v.addColorStop(1, 'rgba(0,0,0,0.35)');
    ctx.fillStyle = v;
    ctx.fillRect(0, 0, s, s);

    const small = this.small.getContext('2d');
    small.setTransform(1, 0, 0, 1, 0, 0);
    small.imageSmoothingEnabled = true;
    small.imageSmoothingQuality = 'high';
    small.filter = view.defocus > 0 ? `blur(${view.defocus.toFixed(2)}px)` : 'none';
    small.drawImage(this.big, 0, 0, s, s, 0, 0, this.size, this.size);
    small.filter = 'none';
    const rgba = small.getImageData(0, 0, this.size, this.size).data;
    return finishPixels(rgba, view, new SeededRandom(mixSeed(view.paintSeed, 0x5eed)));
  }

  private drawItem(ctx: SKRSContext2D, product: SyntheticProduct, view: ViewParams, s: number): void {
    placeProduct(ctx, product, s, {
      x: s / 2 + view.dx * s,
      y: s / 2 + view.dy * s,
      angle: view.angle,
      span: s * view.fill,
      shear: view.shear,
      face: product.kind === 'produce' ? 'front' : view.face,
      seed: view.paintSeed,
    });
  }
}

export interface Placement {
  x: number;
  y: number;
  angle: number;
  /** The rotated bounding box's larger side, in pixels. */
  span: number;
  shear: number;
  face: 'front' | 'back';
  seed: number;
}

export function placeProduct(ctx: SKRSContext2D, product: SyntheticProduct, _s: number, at: Placement): void {
  const { lengthCm: L, widthCm: W } = product.size;
  const c = Math.abs(Math.cos(at.angle));
  const n = Math.abs(Math.sin(at.angle));
  const extent = Math.max(L * c + W * n, L * n + W * c);
  const pxPerCm = at.span / extent;
  ctx.save();
  ctx.translate(at.x, at.y);
  ctx.transform(1, at.shear * 0.5, at.shear, 1, 0, 0);
  ctx.rotate(at.angle);
  // A soft shadow under the item.
  ctx.save();
  ctx.fillStyle = 'rgba(0,0,0,0.3)';
  ctx.beginPath();
  ctx.ellipse(L * pxPerCm * 0.04, W * pxPerCm * 0.06, (L * pxPerCm) / 2, (W * pxPerCm) / 2, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
  paintProduct(ctx, product, at.face, pxPerCm, new SeededRandom(at.seed));
  ctx.restore();
}

function drawFloor(ctx: SKRSContext2D, s: number, view: ViewParams): void {
  const { hue, lightness, mesh } = view.floor;
  ctx.fillStyle = `hsl(${Math.round(hue)}, 35%, ${Math.round(lightness)}%)`;
  ctx.fillRect(0, 0, s, s);
  ctx.strokeStyle = `hsl(${Math.round(hue)}, 30%, ${Math.round(Math.min(90, lightness + 18))}%)`;
  ctx.lineWidth = Math.max(1, s / 90);
  const step = s / mesh;
  const off = (view.paintSeed % 100) / 100;
  ctx.beginPath();
  for (let i = -1; i <= mesh + 1; i++) {
    ctx.moveTo((i + off) * step, 0);
    ctx.lineTo((i + off) * step, s);
    ctx.moveTo(0, (i + off) * step);
    ctx.lineTo(s, (i + off) * step);
  }
  ctx.stroke();
}

export function drawHand(ctx: SKRSContext2D, s: number, hand: NonNullable<ViewParams['hand']>): void {
  const skin = [
    [236, 196, 164],
    [214, 164, 124],
    [170, 120, 84],
    [110, 74, 50],
  ];
  const t = hand.tone * (skin.length - 1);
  const a = skin[Math.floor(t)]!;
  const b = skin[Math.min(skin.length - 1, Math.floor(t) + 1)]!;
  const f = t - Math.floor(t);
  const colour = `rgb(${a.map((v, i) => Math.round(v + (b[i]! - v) * f)).join(',')})`;
  ctx.save();
  ctx.translate(s / 2, s / 2);
  ctx.rotate((hand.edge * Math.PI) / 2);
  // The hand comes in from the top edge (before the rotation): a palm and four fingers reaching down.
  const reach = hand.depth * s;
  const cx = hand.along * s;
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.ellipse(cx, -s / 2 + reach * 0.35, s * 0.16, reach * 0.5, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.lineCap = 'round';
  ctx.strokeStyle = colour;
  ctx.lineWidth = s * 0.055;
  for (let i = 0; i < 4; i++) {
    const x = cx - s * 0.1 + i * s * 0.066;
    ctx.beginPath();
    ctx.moveTo(x, -s / 2 + reach * 0.5);
    ctx.lineTo(x + (i - 1.5) * s * 0.01, -s / 2 + reach * (0.95 - Math.abs(i - 1.5) * 0.08));
    ctx.stroke();
  }
  ctx.fillStyle = 'rgba(0,0,0,0.12)';
  ctx.beginPath();
  ctx.ellipse(cx, -s / 2 + reach * 0.35, s * 0.16, reach * 0.5, 0, 0, Math.PI);
  ctx.fill();
  ctx.restore();
}

/** Light colour, brightness, contrast and sensor noise, on the final pixels; RGBA in, RGB out. */
export function finishPixels(rgba: Uint8ClampedArray, view: ViewParams, random: SeededRandom): Uint8Array {
  const pixels = rgba.length / 4;
  const out = new Uint8Array(pixels * 3);
  const [tr, tg, tb] = view.tint;
  const gain = view.brightness;
  const contrast = view.contrast;
  for (let p = 0; p < pixels; p++) {
    const n = view.noise * random.gaussian();
    for (let c = 0; c < 3; c++) {
      const tint = c === 0 ? tr : c === 1 ? tg : tb;
      let v = rgba[p * 4 + c]! * tint * gain;
      v = (v - 128) * contrast + 128 + n;
      out[p * 3 + c] = v < 0 ? 0 : Math.min(v, 255);
    }
  }
  return out;
}
