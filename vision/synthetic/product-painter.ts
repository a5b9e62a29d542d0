import type { SKRSContext2D } from '@napi-rs/canvas';
import type { SeededRandom } from './seeded-random.ts';
import { SYNTHETIC_FONTS } from './synthetic-fonts.ts';
import type { LogoShape, Pattern, SyntheticProduct } from './synthetic-products.ts';

type Ctx = SKRSContext2D;

/** Which side faces the camera: packaged goods land front up most of the time, sometimes on their back. */
export type Face = 'front' | 'back';

/**
 * Draws a product as a basket camera sees it from above, centred on the origin, its length along x, at `pxPerCm`.
 * Bottles and cans lie on their side (as they land in a basket), jars stand (the lid is seen), bags are pillows with
 * crimped ends, trays have a clear film, produce is a loose pile or a clear bag of items. `random` varies what
 * changes between two drops of the same product (creases, the pile's arrangement), never what identifies it.
 */
export function paintProduct(
  ctx: Ctx,
  product: SyntheticProduct,
  face: Face,
  pxPerCm: number,
  random: SeededRandom,
): void {
  const L = product.size.lengthCm * pxPerCm;
  const W = product.size.widthCm * pxPerCm;
  ctx.save();
  switch (product.kind) {
    case 'produce':
      paintProduce(ctx, product, L, W, random);
      break;
    case 'bottle':
      paintBottle(ctx, product, face, L, W);
      break;
    case 'can':
      paintCan(ctx, product, face, L, W);
      break;
    case 'jar':
      paintJar(ctx, product, L);
      break;
    case 'bag':
      paintBag(ctx, product, face, L, W, random);
      break;
    case 'tray':
      paintTray(ctx, product, face, L, W, random);
      break;
    default:
      paintBox(ctx, product, face, L, W);
  }
  ctx.restore();
}

function roundedRect(ctx: Ctx, x: number, y: number, w: number, h: number, r: number): void {
  const rr = Math.max(0, Math.min(r, w / 2, h / 2));
  ctx.beginPath();
  ctx.moveTo(x + rr, y);
  ctx.arcTo(x + w, y, x + w, y + h, rr);
  ctx.arcTo(x + w, y + h, x, y + h, rr);
  ctx.arcTo(x, y + h, x, y, rr);
  ctx.arcTo(x, y, x + w, y, rr);
  ctx.closePath();
}

function fontFamily(product: SyntheticProduct): string {
  return SYNTHETIC_FONTS[product.font % SYNTHETIC_FONTS.length]!.family;
}

function fitText(ctx: Ctx, text: string, family: string, maxWidth: number, maxHeight: number): void {
  let size = Math.max(4, maxHeight);
  ctx.font = `${size}px "${family}"`;
  const width = ctx.measureText(text).width;
  if (width > maxWidth && width > 0) size = Math.max(4, (size * maxWidth) / width);
  ctx.font = `${size}px "${family}"`;
}

function paintPattern(
  ctx: Ctx,
  pattern: Pattern,
  p: SyntheticProduct,
  x: number,
  y: number,
  w: number,
  h: number,
): void {
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  ctx.fillStyle = p.palette.base;
  ctx.fillRect(x, y, w, h);
  ctx.fillStyle = p.palette.accent;
  ctx.strokeStyle = p.palette.accent;
  const unit = Math.max(3, Math.min(w, h) / 5);
  switch (pattern) {
    case 'stripes':
      ctx.lineWidth = unit / 2.5;
      for (let i = -h; i < w + h; i += unit) {
        ctx.beginPath();
        ctx.moveTo(x + i, y);
        ctx.lineTo(x + i + h, y + h);
        ctx.stroke();
      }
      break;
    case 'dots':
      for (let i = x + unit / 2; i < x + w; i += unit)
        for (let j = y + unit / 2; j < y + h; j += unit) {
          ctx.beginPath();
          ctx.arc(i, j, unit / 5, 0, Math.PI * 2);
          ctx.fill();
        }
      break;
    case 'gradient': {
      const g = ctx.createLinearGradient(x, y, x + w, y + h);
      g.addColorStop(0, p.palette.base);
      g.addColorStop(1, p.palette.accent);
      ctx.fillStyle = g;
      ctx.fillRect(x, y, w, h);
      break;
    }
    case 'split':
      ctx.beginPath();
      ctx.moveTo(x + w * 0.55, y);
      ctx.lineTo(x + w, y);
      ctx.lineTo(x + w, y + h);
      ctx.lineTo(x + w * 0.35, y + h);
      ctx.closePath();
      ctx.fill();
      break;
    case 'waves':
      ctx.lineWidth = unit / 3;
      for (let j = y + unit / 2; j < y + h; j += unit) {
        ctx.beginPath();
        for (let i = 0; i <= w; i += 2) ctx.lineTo(x + i, j + Math.sin((i / unit) * Math.PI) * unit * 0.25);
        ctx.stroke();
      }
      break;
    case 'checks':
      for (let i = 0; i * unit < w; i++)
        for (let j = 0; j * unit < h; j++) if ((i + j) % 2 === 0) ctx.fillRect(x + i * unit, y + j * unit, unit, unit);
      break;
    case 'burst': {
      const cx = x + w * 0.7;
      const cy = y + h * 0.3;
      for (let a = 0; a < 16; a++) {
        if (a % 2) continue;
        ctx.beginPath();
        ctx.moveTo(cx, cy);
        ctx.arc(cx, cy, Math.max(w, h) * 1.2, (a * Math.PI) / 8, ((a + 1) * Math.PI) / 8);
        ctx.closePath();
        ctx.fill();
      }
      break;
    }
    default:
      break;
  }
  ctx.restore();
}

function logoPath(ctx: Ctx, shape: LogoShape, r: number): void {
  ctx.beginPath();
  switch (shape) {
    case 'star':
      for (let i = 0; i < 10; i++) {
        const a = (i * Math.PI) / 5 - Math.PI / 2;
        const rr = i % 2 ? r * 0.45 : r;
        ctx.lineTo(Math.cos(a) * rr, Math.sin(a) * rr);
      }
      break;
    case 'diamond':
      ctx.moveTo(0, -r);
      ctx.lineTo(r * 0.7, 0);
      ctx.lineTo(0, r);
      ctx.lineTo(-r * 0.7, 0);
      break;
    case 'leaf':
      ctx.moveTo(0, -r);
      ctx.quadraticCurveTo(r, 0, 0, r);
      ctx.quadraticCurveTo(-r, 0, 0, -r);
      break;
    case 'shield':
      ctx.moveTo(-r * 0.8, -r);
      ctx.lineTo(r * 0.8, -r);
      ctx.lineTo(r * 0.8, 0);
      ctx.quadraticCurveTo(r * 0.6, r * 0.8, 0, r);
      ctx.quadraticCurveTo(-r * 0.6, r * 0.8, -r * 0.8, 0);
      break;
    case 'triangle':
      ctx.moveTo(0, -r);
      ctx.lineTo(r * 0.9, r * 0.7);
      ctx.lineTo(-r * 0.9, r * 0.7);
      break;
    case 'hexagon':
      for (let i = 0; i < 6; i++) ctx.lineTo(Math.cos((i * Math.PI) / 3) * r, Math.sin((i * Math.PI) / 3) * r);
      break;
    case 'drop':
      ctx.moveTo(0, -r);
      ctx.quadraticCurveTo(r, r * 0.2, 0, r);
      ctx.quadraticCurveTo(-r, r * 0.2, 0, -r);
      break;
    default:
      ctx.arc(0, 0, r, 0, Math.PI * 2);
  }
  ctx.closePath();
}

function paintLogo(ctx: Ctx, p: SyntheticProduct, cx: number, cy: number, r: number): void {
  ctx.save();
  ctx.translate(cx, cy);
  logoPath(ctx, p.logo.shape, r);
  ctx.fillStyle = p.logo.color;
  ctx.fill();
  if (p.logo.shape === 'ring' || p.logo.shape === 'circle') {
    ctx.beginPath();
    ctx.arc(0, 0, r * 0.55, 0, Math.PI * 2);
    ctx.fillStyle = p.logo.shape === 'ring' ? p.palette.base : p.palette.text;
    ctx.fill();
  }
  ctx.lineWidth = Math.max(1, r * 0.12);
  ctx.strokeStyle = p.palette.text;
  logoPath(ctx, p.logo.shape, r);
  ctx.stroke();
  ctx.restore();
}

/** Bars of an EAN-13-looking barcode (the digits' pattern, not a scannable symbol). */
function paintBarcode(ctx: Ctx, gtin: string, x: number, y: number, w: number, h: number): void {
  ctx.fillStyle = '#fafafa';
  ctx.fillRect(x - w * 0.06, y - h * 0.08, w * 1.12, h * 1.3);
  ctx.fillStyle = '#111';
  const modules = 95;
  const m = w / modules;
  let pos = 0;
  for (let i = 0; i < gtin.length * 7 && pos < modules; i++) {
    const digit = Number(gtin[Math.floor(i / 7)]);
    const bit = ((digit * 37 + i * 11) >> (i % 3)) & 1;
    if (bit || i % 7 === 0) ctx.fillRect(x + pos * m, y, m, h);
    pos++;
  }
}

/** The printed face of a package: its art in the rectangle (x, y, w, h), laid out by the brand's layout. */
function paintLabel(ctx: Ctx, p: SyntheticProduct, face: Face, x: number, y: number, w: number, h: number): void {
  const family = fontFamily(p);
  if (face === 'back') {
    ctx.fillStyle = p.palette.base;
    ctx.fillRect(x, y, w, h);
    ctx.fillStyle = p.palette.band;
    ctx.fillRect(x, y, w, h * 0.18);
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(x + w * 0.08, y + h * 0.28, w * 0.5, h * 0.55);
    ctx.fillStyle = 'rgba(40,40,40,0.8)';
    for (let i = 0; i < 6; i++)
      ctx.fillRect(x + w * 0.11, y + h * (0.32 + i * 0.08), w * (0.3 + ((i * 7) % 5) * 0.03), h * 0.03);
    if (p.gtin) paintBarcode(ctx, p.gtin, x + w * 0.64, y + h * 0.55, w * 0.3, h * 0.3);
    paintLogo(ctx, p, x + w * 0.8, y + h * 0.3, Math.min(w, h) * 0.1);
    ctx.fillStyle = p.palette.text;
    fitText(ctx, p.brand.en, family, w * 0.4, h * 0.12);
    ctx.fillText(p.brand.en, x + w * 0.05, y + h * 0.14);
    return;
  }
  paintPattern(ctx, p.pattern, p, x, y, w, h);
  const s = Math.min(w, h);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'center';
  switch (p.layout) {
    case 0: {
      // A band across the middle carries the Chinese name, the English name above, the variant below.
      ctx.fillStyle = p.palette.band;
      ctx.fillRect(x, y + h * 0.35, w, h * 0.3);
      ctx.fillStyle = p.palette.text;
      fitText(ctx, p.brand.zh, family, w * 0.8, h * 0.24);
      ctx.fillText(p.brand.zh, x + w / 2, y + h * 0.5);
      fitText(ctx, p.brand.en, family, w * 0.7, h * 0.16);
      ctx.fillText(p.brand.en, x + w / 2, y + h * 0.2);
      fitText(ctx, `${p.variant.zh} ${p.variant.en}`, family, w * 0.8, h * 0.13);
      ctx.fillText(`${p.variant.zh} ${p.variant.en}`, x + w / 2, y + h * 0.8);
      paintLogo(ctx, p, x + w * (0.5 + p.logo.x), y + h * 0.2, s * p.logo.size * 0.4);
      break;
    }
    case 1: {
      // Logo large on the left, names stacked on the right.
      paintLogo(ctx, p, x + w * 0.25, y + h * 0.5, s * p.logo.size);
      ctx.fillStyle = p.palette.band;
      ctx.fillRect(x + w * 0.48, y + h * 0.12, w * 0.48, h * 0.76);
      ctx.fillStyle = p.palette.text;
      fitText(ctx, p.brand.zh, family, w * 0.44, h * 0.3);
      ctx.fillText(p.brand.zh, x + w * 0.72, y + h * 0.35);
      fitText(ctx, p.variant.zh, family, w * 0.4, h * 0.2);
      ctx.fillText(p.variant.zh, x + w * 0.72, y + h * 0.68);
      break;
    }
    case 2: {
      // A round badge in the centre with the brand; the variant in a corner ribbon.
      ctx.beginPath();
      ctx.ellipse(x + w / 2, y + h / 2, w * 0.3, h * 0.32, 0, 0, Math.PI * 2);
      ctx.fillStyle = p.palette.band;
      ctx.fill();
      ctx.fillStyle = p.palette.text;
      fitText(ctx, p.brand.en, family, w * 0.5, h * 0.2);
      ctx.fillText(p.brand.en, x + w / 2, y + h * 0.42);
      fitText(ctx, p.brand.zh, family, w * 0.45, h * 0.18);
      ctx.fillText(p.brand.zh, x + w / 2, y + h * 0.6);
      ctx.fillStyle = p.palette.accent;
      ctx.fillRect(x + w * 0.7, y + h * 0.78, w * 0.3, h * 0.22);
      ctx.fillStyle = p.palette.text;
      fitText(ctx, p.variant.zh, family, w * 0.26, h * 0.16);
      ctx.fillText(p.variant.zh, x + w * 0.85, y + h * 0.89);
      paintLogo(ctx, p, x + w * 0.14, y + h * 0.18, s * p.logo.size * 0.45);
      break;
    }
    default: {
      // Big vertical block of colour, names written along it.
      ctx.fillStyle = p.palette.band;
      ctx.fillRect(x + w * 0.05, y, w * 0.3, h);
      ctx.fillStyle = p.palette.text;
      fitText(ctx, p.brand.zh, family, w * 0.28, h * 0.3);
      ctx.fillText(p.brand.zh, x + w * 0.2, y + h * 0.3);
      fitText(ctx, p.brand.en, family, w * 0.55, h * 0.2);
      ctx.fillText(p.brand.en, x + w * 0.68, y + h * 0.3);
      fitText(ctx, `${p.variant.en}`, family, w * 0.55, h * 0.15);
      ctx.fillText(p.variant.en, x + w * 0.68, y + h * 0.72);
      paintLogo(ctx, p, x + w * 0.2, y + h * 0.72, s * p.logo.size * 0.45);
    }
  }
}

function paintBox(ctx: Ctx, p: SyntheticProduct, face: Face, L: number, W: number): void {
  // A little of the side shows along one edge: the box has depth.
  ctx.fillStyle = p.palette.accent;
  ctx.fillRect(-L / 2 + L * 0.02, -W / 2 + W * 0.04, L, W);
  paintLabel(ctx, p, face, -L / 2, -W / 2, L, W);
  ctx.strokeStyle = 'rgba(0,0,0,0.35)';
  ctx.lineWidth = Math.max(1, W * 0.015);
  ctx.strokeRect(-L / 2, -W / 2, L, W);
}

function cylinderShade(ctx: Ctx, x: number, y: number, w: number, h: number): void {
  const g = ctx.createLinearGradient(0, y, 0, y + h);
  g.addColorStop(0, 'rgba(0,0,0,0.45)');
  g.addColorStop(0.3, 'rgba(255,255,255,0.28)');
  g.addColorStop(0.45, 'rgba(255,255,255,0.05)');
  g.addColorStop(1, 'rgba(0,0,0,0.5)');
  ctx.fillStyle = g;
  ctx.fillRect(x, y, w, h);
}

function paintBottle(ctx: Ctx, p: SyntheticProduct, face: Face, L: number, W: number): void {
  const body = L * 0.74;
  const x0 = -L / 2;
  // Liquid seen through the plastic, then the label wrapped around the middle.
  ctx.save();
  roundedRect(ctx, x0, -W / 2, body, W, W * 0.3);
  ctx.clip();
  ctx.fillStyle = p.palette.band;
  ctx.fillRect(x0, -W / 2, body, W);
  paintLabel(ctx, p, face, x0 + body * 0.18, -W / 2, body * 0.66, W);
  cylinderShade(ctx, x0, -W / 2, body, W);
  ctx.restore();
  // Shoulder, neck and cap.
  ctx.beginPath();
  ctx.moveTo(x0 + body, -W / 2);
  ctx.quadraticCurveTo(x0 + body + L * 0.1, -W * 0.2, x0 + body + L * 0.14, -W * 0.17);
  ctx.lineTo(x0 + body + L * 0.14, W * 0.17);
  ctx.quadraticCurveTo(x0 + body + L * 0.1, W * 0.2, x0 + body, W / 2);
  ctx.closePath();
  ctx.fillStyle = p.palette.band;
  ctx.fill();
  cylinderShade(ctx, x0 + body, -W / 2, L * 0.14, W);
  ctx.fillStyle = p.logo.color;
  roundedRect(ctx, x0 + body + L * 0.14, -W * 0.2, L * 0.12, W * 0.4, W * 0.05);
  ctx.fill();
}

function paintCan(ctx: Ctx, p: SyntheticProduct, face: Face, L: number, W: number): void {
  ctx.save();
  roundedRect(ctx, -L / 2, -W / 2, L, W, W * 0.08);
  ctx.clip();
  paintLabel(ctx, p, face, -L / 2, -W / 2, L, W);
  cylinderShade(ctx, -L / 2, -W / 2, L, W);
  ctx.restore();
  // The rims.
  ctx.fillStyle = '#c8c8cc';
  ctx.fillRect(-L / 2, -W / 2, L * 0.05, W);
  ctx.fillRect(L / 2 - L * 0.05, -W / 2, L * 0.05, W);
}

function paintJar(ctx: Ctx, p: SyntheticProduct, L: number): void {
  const r = L / 2;
  ctx.beginPath();
  ctx.arc(0, 0, r, 0, Math.PI * 2);
  ctx.fillStyle = p.palette.band;
  ctx.fill();
  ctx.beginPath();
  ctx.arc(0, 0, r * 0.86, 0, Math.PI * 2);
  ctx.fillStyle = p.palette.base;
  ctx.fill();
  ctx.save();
  ctx.beginPath();
  ctx.arc(0, 0, r * 0.86, 0, Math.PI * 2);
  ctx.clip();
  paintPattern(ctx, p.pattern, p, -r, -r, 2 * r, 2 * r);
  ctx.restore();
  paintLogo(ctx, p, 0, -r * 0.35, r * 0.3);
  ctx.fillStyle = p.palette.text;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  fitText(ctx, p.brand.zh, fontFamily(p), r * 1.3, r * 0.35);
  ctx.fillText(p.brand.zh, 0, r * 0.15);
  fitText(ctx, p.variant.zh, fontFamily(p), r, r * 0.25);
  ctx.fillText(p.variant.zh, 0, r * 0.52);
  const g = ctx.createRadialGradient(-r * 0.3, -r * 0.3, r * 0.1, 0, 0, r);
  g.addColorStop(0, 'rgba(255,255,255,0.25)');
  g.addColorStop(1, 'rgba(0,0,0,0.25)');
  ctx.beginPath();
  ctx.arc(0, 0, r, 0, Math.PI * 2);
  ctx.fillStyle = g;
  ctx.fill();
}

function paintBag(ctx: Ctx, p: SyntheticProduct, face: Face, L: number, W: number, random: SeededRandom): void {
  const crimp = L * 0.07;
  ctx.save();
  ctx.beginPath();
  ctx.moveTo(-L / 2 + crimp, -W / 2);
  ctx.quadraticCurveTo(0, -W / 2 - W * 0.04, L / 2 - crimp, -W / 2);
  for (let i = 0; i <= 8; i++) ctx.lineTo(L / 2 - (i % 2 ? 0 : crimp * 0.4), -W / 2 + (W * i) / 8);
  ctx.quadraticCurveTo(0, W / 2 + W * 0.04, -L / 2 + crimp, W / 2);
  for (let i = 8; i >= 0; i--) ctx.lineTo(-L / 2 + (i % 2 ? 0 : crimp * 0.4), -W / 2 + (W * i) / 8);
  ctx.closePath();
  ctx.clip();
  ctx.fillStyle = p.palette.accent;
  ctx.fillRect(-L / 2, -W / 2 - W * 0.1, L, W * 1.2);
  paintLabel(ctx, p, face, -L / 2 + crimp, -W / 2, L - 2 * crimp, W);
  // Creases: where the light catches the foil, different on every drop.
  for (let i = 0, n = random.int(2, 5); i < n; i++) {
    const x = random.range(-L / 2, L / 2);
    const g = ctx.createLinearGradient(x - L * 0.06, 0, x + L * 0.06, 0);
    g.addColorStop(0, 'rgba(255,255,255,0)');
    g.addColorStop(0.5, `rgba(255,255,255,${random.range(0.15, 0.45).toFixed(2)})`);
    g.addColorStop(1, 'rgba(255,255,255,0)');
    ctx.fillStyle = g;
    ctx.fillRect(x - L * 0.06, -W / 2, L * 0.12, W);
  }
  ctx.restore();
}

function paintTray(ctx: Ctx, p: SyntheticProduct, face: Face, L: number, W: number, random: SeededRandom): void {
  // A foam tray under film with a printed label in one corner (meat, fish, cut fruit).
  ctx.fillStyle = face === 'back' ? '#e8e8e8' : p.palette.band;
  roundedRect(ctx, -L / 2, -W / 2, L, W, W * 0.12);
  ctx.fill();
  ctx.fillStyle = p.palette.base;
  roundedRect(ctx, -L / 2 + L * 0.07, -W / 2 + W * 0.1, L * 0.86, W * 0.8, W * 0.1);
  ctx.fill();
  ctx.fillStyle = p.palette.accent;
  for (let i = 0; i < 5; i++) {
    ctx.beginPath();
    ctx.ellipse(
      -L * 0.3 + i * L * 0.15,
      random.range(-W * 0.1, W * 0.1),
      L * 0.1,
      W * 0.25,
      random.range(0, 3),
      0,
      Math.PI * 2,
    );
    ctx.fill();
  }
  if (face === 'front') paintLabel(ctx, p, 'front', L * 0.05, W * 0.02, L * 0.4, W * 0.42);
  ctx.fillStyle = 'rgba(255,255,255,0.18)';
  roundedRect(ctx, -L / 2, -W / 2, L, W, W * 0.12);
  ctx.fill();
}

function paintProduce(ctx: Ctx, p: SyntheticProduct, L: number, W: number, random: SeededRandom): void {
  const produce = p.produce!;
  const n = produce.count;
  const colour = (dl: number) =>
    `hsl(${Math.round(produce.hue)}, ${Math.round(produce.saturation)}%, ${Math.round(Math.min(90, Math.max(5, produce.lightness + dl)))}%)`;
  for (let i = 0; i < n; i++) {
    const cx = random.range(-L * 0.3, L * 0.3);
    const cy = random.range(-W * 0.25, W * 0.25);
    const r = Math.min(L, W) * (produce.kind === 'grapes' ? 0.09 : 0.26);
    ctx.save();
    ctx.translate(cx, cy);
    ctx.rotate(random.range(0, Math.PI * 2));
    if (produce.kind === 'banana') {
      ctx.beginPath();
      ctx.arc(0, r * 1.6, r * 2.2, -Math.PI * 0.8, -Math.PI * 0.2);
      ctx.arc(0, r * 1.6, r * 1.5, -Math.PI * 0.2, -Math.PI * 0.8, true);
      ctx.closePath();
      ctx.fillStyle = colour(0);
      ctx.fill();
    } else if (produce.kind === 'greens') {
      ctx.beginPath();
      ctx.ellipse(0, 0, r * 1.6, r * 0.6, 0, 0, Math.PI * 2);
      ctx.fillStyle = colour(0);
      ctx.fill();
      ctx.strokeStyle = colour(25);
      ctx.lineWidth = Math.max(1, r * 0.12);
      ctx.beginPath();
      ctx.moveTo(-r * 1.5, 0);
      ctx.lineTo(r * 1.5, 0);
      ctx.stroke();
    } else if (produce.kind === 'grapes') {
      for (let g = 0; g < 9; g++) {
        ctx.beginPath();
        ctx.arc(((g % 3) - 1) * r * 1.8, (Math.floor(g / 3) - 1) * r * 1.8, r, 0, Math.PI * 2);
        ctx.fillStyle = colour(g % 2 ? 6 : -6);
        ctx.fill();
      }
    } else {
      const sx = produce.kind === 'potato' || produce.kind === 'lemon' ? 1.3 : produce.kind === 'pepper' ? 1.1 : 1;
      const g = ctx.createRadialGradient(-r * 0.3, -r * 0.3, r * 0.1, 0, 0, r * sx);
      g.addColorStop(0, colour(22));
      g.addColorStop(0.7, colour(0));
      g.addColorStop(1, colour(-18));
      ctx.beginPath();
      ctx.ellipse(0, 0, r * sx, r, 0, 0, Math.PI * 2);
      ctx.fillStyle = g;
      ctx.fill();
      // Texture: speckles for potatoes, pores for citrus, a stem for apples and tomatoes.
      ctx.fillStyle = colour(-28);
      for (
        let s = 0;
        s < (produce.kind === 'potato' ? 10 : produce.kind === 'orange' || produce.kind === 'lemon' ? 16 : 0);
        s++
      ) {
        ctx.fillRect(
          random.range(-r * 0.7, r * 0.7),
          random.range(-r * 0.6, r * 0.6),
          Math.max(1, r * 0.06),
          Math.max(1, r * 0.06),
        );
      }
      if (produce.kind === 'apple' || produce.kind === 'tomato' || produce.kind === 'pepper') {
        ctx.fillStyle = produce.kind === 'apple' ? '#4a3018' : '#2f6b1f';
        ctx.beginPath();
        ctx.ellipse(0, 0, r * 0.18, r * 0.08, 0.5, 0, Math.PI * 2);
        ctx.fill();
      }
      if (produce.kind === 'onion') {
        ctx.strokeStyle = colour(-20);
        ctx.lineWidth = Math.max(1, r * 0.05);
        for (let s = -2; s <= 2; s++) {
          ctx.beginPath();
          ctx.ellipse(0, 0, r * 0.95, r * (0.2 + Math.abs(s) * 0.18), 0, 0, Math.PI * 2);
          ctx.stroke();
        }
      }
    }
    ctx.restore();
  }
  if (produce.bagged) {
    ctx.fillStyle = 'rgba(235,240,245,0.22)';
    roundedRect(ctx, -L / 2, -W / 2, L, W, W * 0.25);
    ctx.fill();
    ctx.strokeStyle = 'rgba(255,255,255,0.5)';
    ctx.lineWidth = Math.max(1, W * 0.02);
    ctx.stroke();
  }
}
