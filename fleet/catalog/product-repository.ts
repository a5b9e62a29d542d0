import { StatementCache } from '../../platform/statement-cache.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import type { Database } from '../storage/database.ts';

interface ProductRow {
  sku: string;
  plu: string | null;
  name_zh: string;
  name_en: string;
  brand: string | null;
  category_id: string;
  sold_by: Product['soldBy'];
  price_fen: number;
  nominal_weight_g: number | null;
  weight_tolerance_g: number | null;
  tare_g: number | null;
  min_age: number | null;
  needs_attendant: number;
  available: number;
  gtins: string;
}

export interface ProductFilter {
  /** Words that must each appear in the SKU, a name or the brand. */
  words?: string[];
  /** GTIN-13 (normalized). */
  gtin?: string;
  plu?: string;
  categoryIds?: string[];
  soldBy?: Product['soldBy'];
  available?: boolean;
}

const SELECT = `SELECT p.*, (SELECT json_group_array(gtin) FROM
    (SELECT gtin FROM product_gtins g WHERE g.sku = p.sku ORDER BY position)) AS gtins FROM products p`;

/** Products and their GTINs (migration 13); GTINs are given and answered as GTIN-13. */
export class ProductRepository {
  private readonly statements: StatementCache;

  constructor(db: Database) {
    this.statements = new StatementCache(db);
  }

  get(sku: string): Product | undefined {
    const row = this.statements.prepare(`${SELECT} WHERE p.sku = ?`).get(sku) as ProductRow | undefined;
    return row && toProduct(row);
  }

  /** The product's name alone (receipts and order lines), without its GTINs. */
  name(sku: string): LocalizedText | undefined {
    const row = this.statements.prepare('SELECT name_zh, name_en FROM products WHERE sku = ?').get(sku) as
      | { name_zh: string; name_en: string }
      | undefined;
    return row && { zh: row.name_zh, en: row.name_en };
  }

  exists(sku: string): boolean {
    return this.statements.prepare('SELECT 1 FROM products WHERE sku = ?').get(sku) !== undefined;
  }

  /** Every product, by SKU (the snapshot builder's input). */
  all(): Product[] {
    return (this.statements.prepare(`${SELECT} ORDER BY p.sku`).all() as ProductRow[]).map(toProduct);
  }

  list(filter: ProductFilter, limit: number, offset: number): { items: Product[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    for (const word of filter.words ?? []) {
      const like = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(
        `(p.sku LIKE ? ESCAPE '\\' OR p.name_zh LIKE ? ESCAPE '\\' OR p.name_en LIKE ? ESCAPE '\\' OR p.brand LIKE ? ESCAPE '\\')`,
      );
      params.push(like, like, like, like);
    }
    if (filter.gtin !== undefined) {
      where.push('p.sku IN (SELECT sku FROM product_gtins WHERE gtin = ?)');
      params.push(filter.gtin);
    }
    if (filter.plu !== undefined) {
      where.push('p.plu = ?');
      params.push(filter.plu);
    }
    if (filter.categoryIds !== undefined) {
      where.push(`p.category_id IN (${filter.categoryIds.map(() => '?').join(',') || 'NULL'})`);
      params.push(...filter.categoryIds);
    }
    if (filter.soldBy !== undefined) {
      where.push('p.sold_by = ?');
      params.push(filter.soldBy);
    }
    if (filter.available !== undefined) {
      where.push('p.available = ?');
      params.push(filter.available ? 1 : 0);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.statements.prepare(`SELECT COUNT(*) AS n FROM products p ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(`${SELECT} ${clause} ORDER BY p.sku LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as ProductRow[];
    return { items: rows.map(toProduct), total };
  }

  /** The SKU a GTIN-13 belongs to. */
  gtinOwner(gtin: string): string | undefined {
    return (
      this.statements.prepare('SELECT sku FROM product_gtins WHERE gtin = ?').get(gtin) as { sku: string } | undefined
    )?.sku;
  }

  pluOwner(plu: string): string | undefined {
    return (this.statements.prepare('SELECT sku FROM products WHERE plu = ?').get(plu) as { sku: string } | undefined)
      ?.sku;
  }

  countInCategory(categoryId: string): number {
    return (
      this.statements.prepare('SELECT COUNT(*) AS n FROM products WHERE category_id = ?').get(categoryId) as {
        n: number;
      }
    ).n;
  }

  /** The SKUs of a category's products (the uplift report's control group). */
  skusInCategory(categoryId: string): string[] {
    return (
      this.statements.prepare('SELECT sku FROM products WHERE category_id = ? ORDER BY sku').all(categoryId) as {
        sku: string;
      }[]
    ).map((r) => r.sku);
  }

  /**
   * Lets go of the GTINs and PLUs of these products, so that a batch can move a GTIN or a PLU from one product to
   * another whatever order it writes them in (each product's own are written back by upsert()).
   */
  releaseCodes(skus: readonly string[]): void {
    const gtins = this.statements.prepare('DELETE FROM product_gtins WHERE sku = ?');
    const plu = this.statements.prepare('UPDATE products SET plu = NULL WHERE sku = ?');
    for (const sku of skus) {
      gtins.run(sku);
      plu.run(sku);
    }
  }

  /** Inserts or replaces the product and its GTINs (already GTIN-13); answers whether it was new. */
  upsert(product: Product, now: number): boolean {
    const existed = this.exists(product.sku);
    this.statements
      .prepare(
        `INSERT INTO products (sku, plu, name_zh, name_en, brand, category_id, sold_by, price_fen, nominal_weight_g,
           weight_tolerance_g, tare_g, min_age, needs_attendant, available, updated_at)
         VALUES (@sku, @plu, @nameZh, @nameEn, @brand, @categoryId, @soldBy, @priceFen, @nominalWeightG,
           @weightToleranceG, @tareG, @minAge, @needsAttendant, @available, @now)
         ON CONFLICT(sku) DO UPDATE SET plu = excluded.plu, name_zh = excluded.name_zh, name_en = excluded.name_en,
           brand = excluded.brand, category_id = excluded.category_id, sold_by = excluded.sold_by,
           price_fen = excluded.price_fen, nominal_weight_g = excluded.nominal_weight_g,
           weight_tolerance_g = excluded.weight_tolerance_g, tare_g = excluded.tare_g, min_age = excluded.min_age,
           needs_attendant = excluded.needs_attendant, available = excluded.available, updated_at = excluded.updated_at`,
      )
      .run({
        sku: product.sku,
        plu: product.plu,
        nameZh: product.name.zh,
        nameEn: product.name.en,
        brand: product.brand ?? null,
        categoryId: product.categoryId,
        soldBy: product.soldBy,
        priceFen: product.priceFen,
        nominalWeightG: product.nominalWeightG,
        weightToleranceG: product.weightToleranceG,
        tareG: product.tareG,
        minAge: product.minAge,
        needsAttendant: product.needsAttendant ? 1 : 0,
        available: product.available ? 1 : 0,
        now,
      });
    this.statements.prepare('DELETE FROM product_gtins WHERE sku = ?').run(product.sku);
    const insert = this.statements.prepare('INSERT INTO product_gtins (gtin, sku, position) VALUES (?, ?, ?)');
    product.gtins.forEach((gtin, i) => {
      insert.run(gtin, product.sku, i);
    });
    return !existed;
  }

  delete(sku: string): boolean {
    return this.statements.prepare('DELETE FROM products WHERE sku = ?').run(sku).changes > 0;
  }
}

function toProduct(row: ProductRow): Product {
  return {
    sku: row.sku,
    gtins: JSON.parse(row.gtins) as string[],
    plu: row.plu,
    name: { zh: row.name_zh, en: row.name_en },
    brand: row.brand,
    categoryId: row.category_id,
    soldBy: row.sold_by,
    priceFen: row.price_fen,
    nominalWeightG: row.nominal_weight_g,
    weightToleranceG: row.weight_tolerance_g,
    tareG: row.tare_g,
    minAge: row.min_age,
    needsAttendant: row.needs_attendant === 1,
    available: row.available === 1,
  };
}
