import type { Product } from '../../protocol/commerce/catalog.ts';
import { mixSeed } from './seeded-random.ts';
import {
  FAMILY_SIZE,
  PRODUCE_KINDS,
  type ProduceKind,
  type SyntheticProduct,
  syntheticProduct,
} from './synthetic-products.ts';

/**
 * Real catalog entries (the demo's, any store's) drawn as synthetic products, so the simulator's camera shows a
 * shopper's drop and the gallery can be enrolled from renders. The look comes from a synthetic index derived from the
 * SKU in a range no training or evaluation draws from (training 0–2,399, held-out 1,000,000+, references 2,000,000+;
 * models/product-embedder/domain.ts), so the demo's products are products the embedder never saw:
 *
 * - packaged goods of one brand share a brand family (its family index from the brand's hash): the same package
 *   kind, logo, font and layout, so look-alikes exist as on a real shelf; the member of the family comes from the
 *   SKU's hash (sizes of one item may share the look, as their packs do);
 * - products sold by weight are produce of the kind their English name says (apples, bananas, ...), else a kind
 *   picked from the SKU's hash;
 * - the text printed is the catalog's (brand, then the name without it), the weight is the catalog's nominal weight,
 *   and the footprint follows the weight (the cube root of the ratio to the synthetic product's, within 0.6–1.6).
 */
export const APPEARANCE_INDEX_FROM = 3_000_000;
export const APPEARANCE_INDEX_COUNT = 1_000_000;

/** Longest footprint a packaged item keeps after scaling to its weight (cm): it still fits the basket's floor. */
const MAX_LENGTH_CM = 34;
/** Draws before giving up the search for a family of the wanted kind (each hit has a chance of ~1 in 125). */
const MAX_DRAWS = 20_000;

const PRODUCE_WORDS: [RegExp, ProduceKind][] = [
  [/apple/, 'apple'],
  [/orange|mandarin|tangerine|clementine/, 'orange'],
  [/tomato/, 'tomato'],
  [/potato/, 'potato'],
  [/onion|shallot|garlic/, 'onion'],
  [/lemon|lime/, 'lemon'],
  [/pepper|chilli|chili|capsicum/, 'pepper'],
  [/banana|plantain/, 'banana'],
  [/grape/, 'grapes'],
  [/spinach|cabbage|lettuce|broccoli|greens|kale|choy|celery|leek/, 'greens'],
];

/** The produce kind an English product name names, or undefined. */
export function produceKindFromName(en: string): ProduceKind | undefined {
  const name = en.toLowerCase();
  return PRODUCE_WORDS.find(([pattern]) => pattern.test(name))?.[1];
}

/** A 32-bit hash of a string (FNV-1a over UTF-16 code units, then mixed with `salt`). */
function hashString(text: string, salt = 0): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mixSeed(h >>> 0, salt);
}

const FAMILY_FROM = APPEARANCE_INDEX_FROM / FAMILY_SIZE;
const FAMILY_COUNT = APPEARANCE_INDEX_COUNT / FAMILY_SIZE;

function packagedFamily(domainSeed: number, key: string): number {
  for (let salt = 0; salt < MAX_DRAWS; salt++) {
    const family = FAMILY_FROM + (hashString(key, salt) % FAMILY_COUNT);
    if (syntheticProduct(domainSeed, family * FAMILY_SIZE).kind !== 'produce') return family;
  }
  throw new Error(`no packaged family found for '${key}'`);
}

function produceOfKind(domainSeed: number, sku: string, kind: ProduceKind): SyntheticProduct {
  let fallback: SyntheticProduct | undefined;
  for (let salt = 0; salt < MAX_DRAWS; salt++) {
    const candidate = syntheticProduct(
      domainSeed,
      APPEARANCE_INDEX_FROM + (hashString(sku, salt) % APPEARANCE_INDEX_COUNT),
    );
    if (candidate.produce?.kind === kind) return candidate;
    fallback ??= candidate.produce ? candidate : undefined;
  }
  if (!fallback?.produce) throw new Error(`no produce found for '${sku}'`);
  return { ...fallback, produce: { ...fallback.produce, kind } };
}

function hasLatin(text: string): boolean {
  return /^[A-Za-z]/.test(text);
}

function withoutPrefix(text: string, prefix: string | null): string {
  return prefix && text.startsWith(prefix) ? text.slice(prefix.length).trim() : text;
}

/** The look of catalog product `product` in the synthetic domain `domainSeed`; the same on every machine. */
export function appearanceFor(product: Product, domainSeed: number): SyntheticProduct {
  if (product.soldBy === 'weight') {
    const kind =
      produceKindFromName(product.name.en) ?? PRODUCE_KINDS[hashString(product.sku, 0x6b1d) % PRODUCE_KINDS.length]!;
    const look = produceOfKind(domainSeed, product.sku, kind);
    return { ...look, sku: product.sku, brand: { ...product.name }, variant: { zh: '', en: '' }, gtin: null };
  }
  const brand = product.brand ?? null;
  const family = brand
    ? packagedFamily(domainSeed, `brand:${brand}`)
    : packagedFamily(domainSeed, `sku:${product.sku}`);
  const member = hashString(product.sku, 0x3e3b) % FAMILY_SIZE;
  const look = syntheticProduct(domainSeed, family * FAMILY_SIZE + member);
  const weightG = product.nominalWeightG ?? look.nominalWeightG;
  const grow = Math.min(
    Math.max(Math.cbrt(weightG / look.nominalWeightG), 0.6),
    1.6,
    MAX_LENGTH_CM / look.size.lengthCm,
  );
  const latinBrand = brand && hasLatin(brand) ? brand : null;
  return {
    ...look,
    sku: product.sku,
    brand: { zh: brand ?? look.brand.zh, en: latinBrand ?? look.brand.en },
    variant: { zh: withoutPrefix(product.name.zh, brand), en: withoutPrefix(product.name.en, latinBrand) },
    size: { lengthCm: look.size.lengthCm * grow, widthCm: look.size.widthCm * grow },
    nominalWeightG: weightG,
    gtin: product.gtins[0] ?? look.gtin,
  };
}
