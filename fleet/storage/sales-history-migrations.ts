import type { Migration } from '../../platform/sqlite.ts';

/**
 * Daily sales per store and product (issue 9 item 9, the uplift report's input, migration 30). Two sources in one
 * table: `cart` rows are rolled up from the fleet's own cart orders (rebuilt per store-day whenever an order of that
 * day is paid or refunded, so they are always the orders' sum); `pos` rows are imported from the store's point of
 * sale (the history from before the carts, and lane sales the carts never see). `day` is the store's local date.
 * `sales_rollup_state` remembers the newest order change rolled up, so a restart catches up on what it missed.
 */
export const salesHistoryMigrations: Migration[] = [
  {
    version: 30,
    name: 'daily product sales (cart rollup and point-of-sale history)',
    sql: `
      CREATE TABLE product_sales_daily (
        store_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
        source TEXT NOT NULL CHECK (source IN ('cart', 'pos')),
        units INTEGER NOT NULL CHECK (units >= 0),
        weight_g INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),
        revenue_fen INTEGER NOT NULL CHECK (revenue_fen >= 0),
        orders INTEGER NOT NULL DEFAULT 0 CHECK (orders >= 0),
        PRIMARY KEY (store_id, sku, day, source)
      ) WITHOUT ROWID;
      CREATE INDEX product_sales_daily_day ON product_sales_daily (store_id, day);
      CREATE TABLE sales_rollup_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        order_updated_at INTEGER NOT NULL
      );
    `,
  },
];
