import { gs1CheckDigit } from '../commerce/gtin.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { type DemoCatalog, demoCatalog } from './demo-catalog.ts';
import { mulberry32 } from './simulated-store.ts';

/**
 * The demo catalog grown to `count` products for benchmarks (a hypermarket carries 30-60 thousand SKUs): the demo's
 * products are the templates, cycled; each copy past the first gets its own SKU, a fresh valid EAN-13 (GS1 prefix
 * 690-695 company, sequential item reference), a name with a variant number and a price varied ±15 % on the fen, so
 * the snapshot compresses as a real one would (repeated field names and categories, distinct codes and prices), not
 * as copies of one line. Weighed produce keeps its PLU only on the original (PLUs are unique). Deterministic.
 */
export function scaledDemoCatalog(count: number): DemoCatalog {
  const demo = demoCatalog();
  const random = mulberry32(50_000);
  const products: Product[] = [];
  for (let k = 0; k < count; k++) {
    const template = demo.products[k % demo.products.length] as Product;
    const round = Math.floor(k / demo.products.length);
    if (round === 0) {
      products.push(template);
      continue;
    }
    const price = Math.max(10, Math.round(template.priceFen * (0.85 + random() * 0.3)));
    const company = ['6901234', '6902538', '6920152', '6932134', '6948939', '6954767'][k % 6] as string;
    const digits = `${company}${String(k % 100_000).padStart(5, '0')}`;
    products.push({
      ...template,
      sku: `${template.sku}-V${round}`,
      gtins: template.soldBy === 'each' ? [`${digits}${gs1CheckDigit(digits)}`] : [],
      plu: null,
      name: { zh: `${template.name.zh} ${round}号`, en: `${template.name.en} No. ${round}` },
      priceFen: price,
    });
  }
  return { ...demo, products };
}
