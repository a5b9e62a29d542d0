import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoCatalog } from './demo-catalog.ts';
import { renderProductPhotos } from './demo-vision.ts';

/**
 * `npm run demo:photos -- SKU DIR [COUNT]`: renders COUNT (default 3) photos of a demo catalog product into DIR as
 * PNG files, the way the demo enrols its products, so that `fleetctl gallery enrol STORE SKU DIR/*.png` makes it
 * recognisable in a running demo without a restart.
 */
const [sku, dir, countText] = process.argv.slice(2);
if (!sku || !dir) {
  process.stderr.write('usage: npm run demo:photos -- SKU DIR [COUNT]   (COUNT 3 to 5, default 3)\n');
  process.exit(64);
}
const count = Number(countText ?? 3);
if (!Number.isInteger(count) || count < 3 || count > 5) {
  process.stderr.write('COUNT is 3 to 5 (a product needs 3 photos to be recognisable, and keeps at most 5)\n');
  process.exit(64);
}
const product = demoCatalog().products.find((p) => p.sku === sku);
if (!product) {
  process.stderr.write(`no product '${sku}' in the demo catalog\n`);
  process.exit(65);
}
const out = resolve(dir);
mkdirSync(out, { recursive: true });
for (const [i, photo] of renderProductPhotos(product, count).entries()) {
  const file = join(out, `${sku}-${i + 1}.png`);
  writeFileSync(file, photo);
  process.stdout.write(`${file}\n`);
}
