/**
 * The lookups a cart makes on every scan, built once per snapshot: products by their 14-digit GTIN, by PLU and by
 * SKU. `resolveBarcode` turns whatever the scanner read into a product (and, for a variable-measure label, its
 * weight or printed price) or a coded error.
 */
import type { Product, VariableMeasureLayout } from '../protocol/commerce/catalog.ts';
import type { LocalizedText } from '../protocol/commerce/text.ts';
import { fleetError } from '../protocol/errors.ts';
import { parseGtin } from './gtin.ts';
import { pinyinInitials } from './pinyin-initials.ts';
import { isVariableMeasureCode, parseVariableMeasure, pluKey } from './variable-measure.ts';

export interface ResolvedBarcode {
  product: Product;
  /** Net weight printed on a weight label. */
  weightG?: number;
  /** Price printed on a price label (it wins over price × weight). */
  labelPriceFen?: number;
}

export type Locale = keyof LocalizedText;

export class CatalogIndex {
  private readonly byGtin = new Map<string, Product>();
  private readonly byPlu = new Map<string, Product>();
  private readonly bySku = new Map<string, Product>();
  private readonly produce: Product[];
  /** What a produce search matches besides the PLU: both names and the Chinese name's pinyin initials, lower-cased. */
  private readonly produceKeys = new Map<Product, string[]>();

  constructor(
    products: readonly Product[],
    private readonly layouts: readonly VariableMeasureLayout[],
  ) {
    for (const product of products) {
      if (this.bySku.has(product.sku)) {
        throw fleetError('PRICING_INPUT_INVALID', `SKU ${product.sku} appears twice`, { sku: product.sku });
      }
      this.bySku.set(product.sku, product);
      for (const gtin of product.gtins) {
        // A GTIN with a bad check digit never reaches a snapshot (the catalog import refuses it); skip defensively.
        try {
          this.byGtin.set(parseGtin(gtin).gtin14, product);
        } catch {}
      }
      if (product.plu !== null) this.byPlu.set(pluKey(product.plu), product);
    }
    this.produce = products.filter((p) => p.soldBy === 'weight' && p.plu !== null);
    for (const p of this.produce) {
      this.produceKeys.set(p, [p.name.zh.toLowerCase(), p.name.en.toLowerCase(), ...pinyinInitials(p.name.zh)]);
    }
  }

  product(sku: string): Product | undefined {
    return this.bySku.get(sku);
  }

  byPluCode(plu: string): Product | undefined {
    return this.byPlu.get(pluKey(plu));
  }

  /**
   * What a scan means. A GTIN the catalog lists wins (some chains give fixed items 2x codes); a 13-digit 20–29 code
   * is otherwise a variable-measure label. Errors: GTIN_INVALID, GTIN_CHECK_DIGIT, BARCODE_UNKNOWN,
   * BARCODE_VARIABLE_MEASURE_INVALID, PRODUCT_UNAVAILABLE.
   */
  resolveBarcode(code: string): ResolvedBarcode {
    const trimmed = code.trim();
    const gtin = parseGtin(trimmed);
    const listed = this.byGtin.get(gtin.gtin14);
    if (listed) return { product: available(listed, trimmed) };
    if (!isVariableMeasureCode(trimmed)) {
      throw fleetError('BARCODE_UNKNOWN', `no product has GTIN ${trimmed}`, { code: trimmed });
    }
    const label = parseVariableMeasure(trimmed, this.layouts);
    const product = this.byPlu.get(label.itemRef);
    if (!product) {
      throw fleetError('BARCODE_UNKNOWN', `no product has PLU ${label.itemRef}`, { code: trimmed, plu: label.itemRef });
    }
    if (label.weightG !== null && product.soldBy !== 'weight') {
      throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', `${product.sku} is not sold by weight`, { code: trimmed });
    }
    const resolved: ResolvedBarcode = { product: available(product, trimmed) };
    if (label.weightG !== null) resolved.weightG = label.weightG;
    if (label.priceFen !== null) resolved.labelPriceFen = label.priceFen;
    return resolved;
  }

  /**
   * The produce picker: weighed products with a PLU. Digits match PLUs by prefix. Text matches either language's
   * name (case-insensitive) or the pinyin initials of the Chinese name ("pg" finds 苹果): the cart screen has no
   * IME, only a letter keypad, and the cart searches whatever the shopper typed whichever language the screen shows.
   * Prefix matches first, then names containing it; at most `limit`, each group by its name in `locale`.
   */
  searchProduce(query: string, locale: Locale, limit = 20): Product[] {
    const q = query.trim().toLowerCase();
    if (q === '') return [...this.produce].sort(byName(locale)).slice(0, limit);
    if (/^\d+$/.test(q)) {
      return this.produce
        .filter((p) => (p.plu as string).startsWith(q))
        .sort((a, b) => (a.plu as string).localeCompare(b.plu as string))
        .slice(0, limit);
    }
    const prefix: Product[] = [];
    const contains: Product[] = [];
    for (const p of this.produce) {
      const keys = this.produceKeys.get(p) as string[];
      if (keys.some((key) => key.startsWith(q))) prefix.push(p);
      else if (keys.some((key) => key.includes(q))) contains.push(p);
    }
    return [...prefix.sort(byName(locale)), ...contains.sort(byName(locale))].slice(0, limit);
  }
}

function available(product: Product, code: string): Product {
  if (!product.available) {
    throw fleetError('PRODUCT_UNAVAILABLE', `${product.sku} is not sold in this store`, { code, sku: product.sku });
  }
  return product;
}

const byName = (locale: Locale) => (a: Product, b: Product) =>
  a.name[locale].localeCompare(b.name[locale], locale === 'zh' ? 'zh-Hans-CN' : 'en') || a.sku.localeCompare(b.sku);
