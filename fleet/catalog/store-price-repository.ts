import type { StorePrice } from '../../protocol/commerce/catalog.ts';
import type { Database } from '../storage/database.ts';

interface StorePriceRow {
  store_id: string;
  sku: string;
  price_fen: number | null;
  available: number | null;
}

/** A store's overrides of the chain's price and availability (migration 13). */
export class StorePriceRepository {
  constructor(private readonly db: Database) {}

  get(storeId: string, sku: string): StorePrice | undefined {
    const row = this.db.prepare('SELECT * FROM store_prices WHERE store_id = ? AND sku = ?').get(storeId, sku) as
      | StorePriceRow
      | undefined;
    return row && toStorePrice(row);
  }

  list(
    storeId: string,
    sku: string | undefined,
    limit: number,
    offset: number,
  ): { items: StorePrice[]; total: number } {
    const clause = sku === undefined ? 'WHERE store_id = ?' : 'WHERE store_id = ? AND sku = ?';
    const params = sku === undefined ? [storeId] : [storeId, sku];
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM store_prices ${clause}`).get(...params) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT * FROM store_prices ${clause} ORDER BY sku LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as StorePriceRow[];
    return { items: rows.map(toStorePrice), total };
  }

  /** Every override of a store, by SKU (the snapshot builder's input). */
  allForStore(storeId: string): Map<string, StorePrice> {
    const rows = this.db.prepare('SELECT * FROM store_prices WHERE store_id = ?').all(storeId) as StorePriceRow[];
    return new Map(rows.map((r) => [r.sku, toStorePrice(r)]));
  }

  /** An override with neither a price nor an availability is no override: the row goes. */
  put(price: StorePrice, by: string, now: number): void {
    if (price.priceFen === null && price.available === null) {
      this.delete(price.storeId, price.sku);
      return;
    }
    this.db
      .prepare(
        `INSERT INTO store_prices (store_id, sku, price_fen, available, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(store_id, sku) DO UPDATE SET price_fen = excluded.price_fen, available = excluded.available,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      )
      .run(
        price.storeId,
        price.sku,
        price.priceFen,
        price.available === null ? null : price.available ? 1 : 0,
        now,
        by,
      );
  }

  delete(storeId: string, sku: string): boolean {
    return this.db.prepare('DELETE FROM store_prices WHERE store_id = ? AND sku = ?').run(storeId, sku).changes > 0;
  }

  /** The stores that override this product (a change to it concerns them too). */
  storesOverriding(sku: string): string[] {
    return (this.db.prepare('SELECT store_id FROM store_prices WHERE sku = ?').all(sku) as { store_id: string }[]).map(
      (r) => r.store_id,
    );
  }
}

function toStorePrice(row: StorePriceRow): StorePrice {
  return {
    storeId: row.store_id,
    sku: row.sku,
    priceFen: row.price_fen,
    available: row.available === null ? null : row.available === 1,
  };
}
