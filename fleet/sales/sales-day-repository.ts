import type { Database } from '../storage/database.ts';

export type SalesSource = 'cart' | 'pos';

/** One product's sales in one store on one local day, from one source. */
export interface SalesDay {
  storeId: string;
  sku: string;
  /** The store's local date, `YYYY-MM-DD`. */
  day: string;
  source: SalesSource;
  units: number;
  weightG: number;
  revenueFen: number;
  orders: number;
}

/** A day's total over both sources (what the uplift report reads). */
export interface SalesTotal {
  day: string;
  units: number;
  weightG: number;
  revenueFen: number;
}

interface Row {
  day: string;
  units: number;
  weight_g: number;
  revenue_fen: number;
}

/** `product_sales_daily` (migration 30): reads anywhere, writes only inside a DatabaseWriter transaction. */
export class SalesDayRepository {
  private readonly upsertStmt;
  private readonly deleteCartDayStmt;
  private readonly seriesStmt;
  private readonly skusStmt;

  constructor(private readonly db: Database) {
    this.upsertStmt = db.prepare(
      `INSERT INTO product_sales_daily (store_id, sku, day, source, units, weight_g, revenue_fen, orders)
       VALUES (@storeId, @sku, @day, @source, @units, @weightG, @revenueFen, @orders)
       ON CONFLICT (store_id, sku, day, source) DO UPDATE SET units = excluded.units, weight_g = excluded.weight_g,
         revenue_fen = excluded.revenue_fen, orders = excluded.orders`,
    );
    this.deleteCartDayStmt = db.prepare(
      `DELETE FROM product_sales_daily WHERE store_id = ? AND day = ? AND source = 'cart'`,
    );
    this.seriesStmt = db.prepare(
      `SELECT day, SUM(units) AS units, SUM(weight_g) AS weight_g, SUM(revenue_fen) AS revenue_fen
       FROM product_sales_daily WHERE store_id = ? AND sku = ? AND day >= ? AND day <= ?
       GROUP BY day ORDER BY day`,
    );
    this.skusStmt = db.prepare(
      `SELECT day, SUM(units) AS units, SUM(weight_g) AS weight_g, SUM(revenue_fen) AS revenue_fen
       FROM product_sales_daily WHERE store_id = ? AND day >= ? AND day <= ? AND sku IN (SELECT value FROM json_each(?))
       GROUP BY day ORDER BY day`,
    );
  }

  /** Inserts or replaces rows (call inside a write transaction). */
  upsert(rows: readonly SalesDay[]): void {
    for (const row of rows) this.upsertStmt.run(row);
  }

  /** Replaces the cart rows of one store-day with `rows` (call inside a write transaction). */
  replaceCartDay(storeId: string, day: string, rows: readonly SalesDay[]): void {
    this.deleteCartDayStmt.run(storeId, day);
    this.upsert(rows);
  }

  /** Daily totals of one product over both sources, days without sales left out. */
  series(storeId: string, sku: string, fromDay: string, toDay: string): SalesTotal[] {
    return (this.seriesStmt.all(storeId, sku, fromDay, toDay) as Row[]).map(toTotal);
  }

  /** Daily totals of a set of products together (the control group of the uplift report). */
  seriesOf(storeId: string, skus: readonly string[], fromDay: string, toDay: string): SalesTotal[] {
    return (this.skusStmt.all(storeId, fromDay, toDay, JSON.stringify(skus)) as Row[]).map(toTotal);
  }

  countBySource(source: SalesSource, storeId?: string): number {
    const row = storeId
      ? this.db
          .prepare('SELECT COUNT(*) AS n FROM product_sales_daily WHERE source = ? AND store_id = ?')
          .get(source, storeId)
      : this.db.prepare('SELECT COUNT(*) AS n FROM product_sales_daily WHERE source = ?').get(source);
    return (row as { n: number }).n;
  }

  cartDay(storeId: string, day: string): SalesDay[] {
    return (
      this.db
        .prepare(
          `SELECT store_id, sku, day, source, units, weight_g, revenue_fen, orders FROM product_sales_daily
           WHERE store_id = ? AND day = ? AND source = 'cart' ORDER BY sku`,
        )
        .all(storeId, day) as {
        store_id: string;
        sku: string;
        day: string;
        source: SalesSource;
        units: number;
        weight_g: number;
        revenue_fen: number;
        orders: number;
      }[]
    ).map((r) => ({
      storeId: r.store_id,
      sku: r.sku,
      day: r.day,
      source: r.source,
      units: r.units,
      weightG: r.weight_g,
      revenueFen: r.revenue_fen,
      orders: r.orders,
    }));
  }
}

function toTotal(r: Row): SalesTotal {
  return { day: r.day, units: r.units, weightG: r.weight_g, revenueFen: r.revenue_fen };
}
