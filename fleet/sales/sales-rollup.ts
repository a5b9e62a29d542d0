import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { OrderLine, OrderState } from '../../protocol/commerce/orders.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { storeDay } from '../loyalty/store-day.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { SalesDay, SalesDayRepository } from './sales-day-repository.ts';

/** The states in which an order is a sale (a refund keeps the order a sale; its refunded lines count no more). */
export const SALE_STATES: ReadonlySet<OrderState> = new Set([
  'paid',
  'exit_verified',
  'partially_refunded',
  'refunded',
]);

export interface SalesRollupDeps {
  db: Database;
  writer: DatabaseWriter;
  repository: SalesDayRepository;
  bus: EventBus<FleetEvents>;
  timeZoneOf: (storeId: string) => string | undefined;
  clock: Clock;
  log: Logger;
  /** Orders change in bursts (payment, exit check): one rebuild per store-day per burst. */
  debounceMs: number;
}

interface DirtyDay {
  storeId: string;
  day: string;
  start: number;
  end: number;
}

/**
 * Keeps the `cart` rows of `product_sales_daily` equal to the sum of the cart orders: whenever an order becomes a sale,
 * or a sale is refunded, the store-day it was made on is rebuilt from its orders (not incremented, so a replayed
 * event or a missed one cannot leave the rollup off by an order). At start it catches up on orders changed since the
 * last rollup (a crash between an order's change and its rollup loses nothing).
 */
export class SalesRollup {
  private readonly dirty = new Map<string, DirtyDay>();
  private timer: TimerHandle | undefined;
  private off: (() => void) | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: SalesRollupDeps) {}

  start(): void {
    this.off = this.deps.bus.on('order.changed', ({ order, previous }) => {
      if (!SALE_STATES.has(order.state) && !(previous && SALE_STATES.has(previous))) return;
      this.markDirty(order.storeId, order.createdAt);
    });
    this.catchUp();
  }

  async stop(): Promise<void> {
    this.off?.();
    this.off = undefined;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Rebuilds every dirty store-day now (tests and stop() wait on it). */
  flush(): Promise<void> {
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const days = [...this.dirty.values()];
    this.dirty.clear();
    if (days.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.deps.writer
        .write('sales.rollup', () => {
          for (const d of days) this.rebuild(d);
        })
        .catch((err: unknown) => {
          this.deps.log.error({ err, days: days.length }, 'sales rollup failed; the days are retried');
          for (const d of days) this.dirty.set(`${d.storeId}|${d.day}`, d);
          this.schedule();
        }),
    );
    return this.flushing;
  }

  private markDirty(storeId: string, at: number): void {
    const timeZone = this.deps.timeZoneOf(storeId);
    if (!timeZone) return;
    const { day, start, end } = storeDay(at, timeZone);
    this.dirty.set(`${storeId}|${day}`, { storeId, day, start, end });
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.deps.debounceMs);
  }

  private catchUp(): void {
    const mark =
      (
        this.deps.db.prepare('SELECT order_updated_at AS at FROM sales_rollup_state WHERE id = 1').get() as
          | { at: number }
          | undefined
      )?.at ?? 0;
    const rows = this.deps.db
      .prepare(
        `SELECT DISTINCT store_id, created_at FROM orders WHERE updated_at > ? AND state IN (${[...SALE_STATES]
          .map(() => '?')
          .join(', ')})`,
      )
      .all(mark, ...SALE_STATES) as { store_id: string; created_at: number }[];
    for (const r of rows) this.markDirty(r.store_id, r.created_at);
  }

  private rebuild(d: DirtyDay): void {
    const orders = this.deps.db
      .prepare(
        `SELECT lines, updated_at FROM orders WHERE store_id = ? AND created_at >= ? AND created_at < ?
         AND state IN (${[...SALE_STATES].map(() => '?').join(', ')})`,
      )
      .all(d.storeId, d.start, d.end, ...SALE_STATES) as { lines: string; updated_at: number }[];
    const bySku = new Map<string, SalesDay>();
    let newest = 0;
    for (const order of orders) {
      newest = Math.max(newest, order.updated_at);
      const counted = new Set<string>();
      for (const line of JSON.parse(order.lines) as OrderLine[]) {
        const revenueFen = line.chargedNetFen - line.refundedFen;
        // A line refunded in full is no sale; a partial refund keeps the units and lowers the revenue.
        if (revenueFen <= 0 && line.chargedNetFen > 0) continue;
        let row = bySku.get(line.sku);
        if (!row) {
          row = {
            storeId: d.storeId,
            sku: line.sku,
            day: d.day,
            source: 'cart',
            units: 0,
            weightG: 0,
            revenueFen: 0,
            orders: 0,
          };
          bySku.set(line.sku, row);
        }
        row.units += line.soldBy === 'weight' ? 1 : line.quantity;
        row.weightG += line.weightG ?? 0;
        row.revenueFen += Math.max(0, revenueFen);
        if (!counted.has(line.sku)) {
          counted.add(line.sku);
          row.orders += 1;
        }
      }
    }
    this.deps.repository.replaceCartDay(d.storeId, d.day, [...bySku.values()]);
    if (newest > 0)
      this.deps.db
        .prepare(
          `INSERT INTO sales_rollup_state (id, order_updated_at) VALUES (1, ?)
           ON CONFLICT (id) DO UPDATE SET order_updated_at = MAX(order_updated_at, excluded.order_updated_at)`,
        )
        .run(newest);
  }
}
