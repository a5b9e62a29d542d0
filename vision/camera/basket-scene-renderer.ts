import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { mixSeed, SeededRandom } from '../synthetic/seeded-random.ts';
import { registerSyntheticFonts } from '../synthetic/synthetic-fonts.ts';
import { drawHand, placeProduct } from '../synthetic/view-renderer.ts';
import type { SceneGeometry, ScenePlacement, TripLook } from './basket-scene.ts';
import { rotatedExtent } from './basket-scene.ts';

/** What of the newest item's drop shows in this capture (the cart captures soon after a drop, or much later). */
export interface DropNuisance {
  hand: boolean;
  motion: boolean;
}

/** Gaussian noise samples the captures share (a seeded offset per capture picks where each one reads from). */
const NOISE_TABLE_SIZE = 1 << 17;

/**
 * Draws the basket scene at the frame's own size (no supersampling: a capture must stay within a few milliseconds,
 * and the crop a cart cuts from a 320×240 frame is downscaled again to the embedder's input anyway). The floor and
 * every item but the newest are kept in a background canvas that grows by one item per drop and is redrawn whole
 * only when an item is taken out or a trip begins, so a capture paints one item, the light and the noise. Light
 * colour, level, contrast and noise are applied through per-channel tables and a shared table of noise samples
 * (the crop renderer's `finishPixels` arithmetic, about ten times faster). Holds its canvases: one renderer per
 * camera.
 */
export class BasketSceneRenderer {
  private readonly background: Canvas;
  private readonly frame: Canvas;
  private readonly scratch: Canvas;
  private readonly focus: Canvas;
  private backgroundLook: TripLook | undefined;
  private backgroundItems: readonly ScenePlacement[] = [];
  private readonly noise: Float32Array;

  constructor(
    readonly geometry: SceneGeometry,
    noiseSeed = 1,
  ) {
    registerSyntheticFonts();
    this.background = createCanvas(geometry.width, geometry.height);
    this.frame = createCanvas(geometry.width, geometry.height);
    this.scratch = createCanvas(geometry.width, geometry.height);
    this.focus = createCanvas(geometry.width, geometry.height);
    const random = new SeededRandom(mixSeed(noiseSeed, 0x401e));
    this.noise = Float32Array.from({ length: NOISE_TABLE_SIZE }, () => random.gaussian());
  }

  /** The frame's RGB bytes: `items` oldest first (the last one is the newest drop), `noiseSeed` the capture's. */
  render(look: TripLook, items: readonly ScenePlacement[], nuisance: DropNuisance, noiseSeed: number): Uint8Array {
    const { width, height } = this.geometry;
    const newest = items.at(-1);
    this.updateBackground(look, items.slice(0, -1));
    const ctx = this.frame.getContext('2d');
    reset(ctx);
    ctx.drawImage(this.background, 0, 0);
    if (newest) {
      if (nuisance.motion && newest.motion) this.drawBlurred(ctx, newest, look, newest.motion);
      else drawItem(ctx, newest, look);
      if (nuisance.hand && newest.hand) {
        // The hand reaches in from an edge of a square a little larger than the item.
        const [w, h] = rotatedExtent(newest.product, newest.angle);
        const s = Math.max(w, h) * newest.pxPerCm * 1.3;
        ctx.save();
        ctx.translate(newest.x - s / 2, newest.y - s / 2);
        drawHand(ctx, s, newest.hand);
        ctx.restore();
      }
    }
    drawLight(ctx, width, height, look);
    let out = ctx;
    if (look.defocus > 0) {
      out = this.focus.getContext('2d');
      reset(out);
      out.filter = `blur(${look.defocus.toFixed(2)}px)`;
      out.drawImage(this.frame, 0, 0);
      out.filter = 'none';
    }
    const rgba = out.getImageData(0, 0, width, height).data;
    return this.finish(rgba, look, noiseSeed);
  }

  /** Brings the background to `items`: appends what was added since, or redraws it all. */
  private updateBackground(look: TripLook, items: readonly ScenePlacement[]): void {
    const bg = this.background.getContext('2d');
    const kept = this.backgroundItems;
    const appended =
      look === this.backgroundLook && kept.length <= items.length && kept.every((k, i) => items[i] === k);
    if (!appended) {
      reset(bg);
      drawBasketFloor(bg, this.geometry.width, this.geometry.height, look);
    }
    for (const item of items.slice(appended ? kept.length : 0)) drawItem(bg, item, look);
    this.backgroundLook = look;
    this.backgroundItems = [...items];
  }

  /** Light colour, brightness, contrast and sensor noise (as view-renderer.ts `finishPixels`); RGBA in, RGB out. */
  private finish(rgba: Uint8ClampedArray, look: TripLook, noiseSeed: number): Uint8Array {
    const { tint, brightness, contrast, noise } = look.view;
    const tables = [0, 1, 2].map((c) =>
      Float32Array.from({ length: 256 }, (_, v) => (v * tint[c]! * brightness - 128) * contrast + 128),
    );
    const [r, g, b] = tables as [Float32Array, Float32Array, Float32Array];
    const pixels = rgba.length / 4;
    const out = new Uint8Array(pixels * 3);
    let k = new SeededRandom(noiseSeed).int(0, NOISE_TABLE_SIZE - 1);
    for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 3) {
      const n = noise * this.noise[k]!;
      k = k + 1 === NOISE_TABLE_SIZE ? 0 : k + 1;
      const vr = r[rgba[i]!]! + n;
      const vg = g[rgba[i + 1]!]! + n;
      const vb = b[rgba[i + 2]!]! + n;
      out[o] = vr < 0 ? 0 : Math.min(vr, 255);
      out[o + 1] = vg < 0 ? 0 : Math.min(vg, 255);
      out[o + 2] = vb < 0 ? 0 : Math.min(vb, 255);
    }
    return out;
  }

  /** The falling item smears along its path (as the crop renderer draws it); the rest of the basket is still. */
  private drawBlurred(
    ctx: SKRSContext2D,
    item: ScenePlacement,
    look: TripLook,
    motion: NonNullable<ScenePlacement['motion']>,
  ): void {
    const sctx = this.scratch.getContext('2d');
    reset(sctx);
    sctx.clearRect(0, 0, this.geometry.width, this.geometry.height);
    drawItem(sctx, item, look);
    const [w, h] = rotatedExtent(item.product, item.angle);
    const span = Math.max(w, h) * item.pxPerCm;
    const dx = Math.cos(motion.angle) * motion.length * span;
    const dy = Math.sin(motion.angle) * motion.length * span;
    const steps = 7;
    for (let i = 0; i < steps; i++) {
      ctx.globalAlpha = i === 0 ? 1 : 1 / (i + 1);
      const t = i / (steps - 1) - 0.5;
      ctx.drawImage(this.scratch, t * dx, t * dy);
    }
    ctx.globalAlpha = 1;
  }
}

function reset(ctx: SKRSContext2D): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = 'source-over';
  ctx.filter = 'none';
}

function drawItem(ctx: SKRSContext2D, item: ScenePlacement, look: TripLook): void {
  const [w, h] = rotatedExtent(item.product, item.angle);
  placeProduct(ctx, item.product, 0, {
    x: item.x,
    y: item.y,
    angle: item.angle,
    span: Math.max(w, h) * item.pxPerCm,
    shear: look.shear,
    face: item.face,
    seed: mixSeed(item.paintSeed, 1),
  });
}

/** The basket's wire floor (the trip's colour and mesh) and its darker walls at the frame's edges. */
function drawBasketFloor(ctx: SKRSContext2D, width: number, height: number, look: TripLook): void {
  const { hue, lightness, mesh } = look.view.floor;
  ctx.fillStyle = `hsl(${Math.round(hue)}, 35%, ${Math.round(lightness)}%)`;
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = `hsl(${Math.round(hue)}, 30%, ${Math.round(Math.min(90, lightness + 18))}%)`;
  ctx.lineWidth = Math.max(1, width / 200);
  const step = width / (mesh * 1.6);
  const off = ((look.view.paintSeed % 100) / 100) * step;
  ctx.beginPath();
  for (let x = off - step; x <= width + step; x += step) {
    ctx.moveTo(x, 0);
    ctx.lineTo(x, height);
  }
  for (let y = off - step; y <= height + step; y += step) {
    ctx.moveTo(0, y);
    ctx.lineTo(width, y);
  }
  ctx.stroke();
  const wall = Math.max(2, Math.round(width * 0.025));
  ctx.strokeStyle = `hsla(${Math.round(hue)}, 30%, ${Math.round(lightness * 0.5)}%, 0.8)`;
  ctx.lineWidth = wall * 2;
  ctx.strokeRect(0, 0, width, height);
}

/** The lamp's glare and the light falling off away from it (the trip's). */
function drawLight(ctx: SKRSContext2D, width: number, height: number, look: TripLook): void {
  const size = Math.max(width, height);
  const glare = look.view.glare;
  if (glare) {
    const gx = width / 2 + glare.x * width;
    const gy = height / 2 + glare.y * height;
    const g = ctx.createRadialGradient(gx, gy, 0, gx, gy, glare.radius * size);
    g.addColorStop(0, `rgba(255,255,255,${(glare.alpha * 0.7).toFixed(3)})`);
    g.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, width, height);
  }
  const lx = look.lamp.x * width;
  const ly = look.lamp.y * height;
  const v = ctx.createRadialGradient(lx, ly, size * 0.1, lx, ly, size * 0.8);
  v.addColorStop(0, 'rgba(0,0,0,0)');
  v.addColorStop(1, 'rgba(0,0,0,0.35)');
  ctx.fillStyle = v;
  ctx.fillRect(0, 0, width, height);
}
