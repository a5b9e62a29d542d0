import { parse } from 'csv-parse/sync';
import { isCalendarDay } from '../../broadcast/uplift/uplift-calculation.ts';
import {
  SALES_HISTORY_CSV_COLUMNS,
  SALES_HISTORY_CSV_REQUIRED,
  SALES_HISTORY_MAX_ROWS,
  type SalesHistoryProblem,
  type SalesHistoryResult,
} from '../../protocol/api/sales.ts';
import { SKU_PATTERN } from '../../protocol/commerce/catalog.ts';
import { FleetError } from '../../protocol/errors.ts';
import { yuanToFen } from '../catalog/catalog-csv.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { SalesDay, SalesDayRepository } from './sales-day-repository.ts';

const SKU = new RegExp(SKU_PATTERN);
const MAX_PROBLEMS = 100;

export interface SalesHistoryImportDeps {
  writer: DatabaseWriter;
  repository: SalesDayRepository;
  storeExists: (storeId: string) => boolean;
  /** The fleet's today in a store (`YYYY-MM-DD`): history cannot be in the future. */
  todayIn: (storeId: string) => string;
}

type Cells = Record<string, string | number | undefined>;

/**
 * Point-of-sale history (daily sales per store and product), all or nothing: every row is checked and every problem
 * reported with its row and column (up to 100), and only a file without problems is written, in one transaction.
 * A row for a store-product-day already imported replaces it (an export run twice imports once).
 */
export class SalesHistoryImport {
  constructor(private readonly deps: SalesHistoryImportDeps) {}

  async importCsv(text: string): Promise<SalesHistoryResult> {
    let records: string[][];
    try {
      records = parse(text, {
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        to: SALES_HISTORY_MAX_ROWS + 2,
      });
    } catch (err) {
      throw invalid([{ row: (err as { lines?: number }).lines ?? null, field: null, message: (err as Error).message }]);
    }
    if (records.length - 1 > SALES_HISTORY_MAX_ROWS)
      throw new FleetError('PAYLOAD_TOO_LARGE', `an import takes at most ${SALES_HISTORY_MAX_ROWS} rows`);
    const [head, ...body] = records;
    if (!head) throw invalid([{ row: null, field: null, message: 'the file is empty' }]);
    const header = head.map((h) => h.trim().toLowerCase());
    const problems: SalesHistoryProblem[] = [];
    header.forEach((name, i) => {
      if (!(SALES_HISTORY_CSV_COLUMNS as readonly string[]).includes(name))
        problems.push({ row: 1, field: name, message: `unknown column '${name}'` });
      else if (header.indexOf(name) !== i)
        problems.push({ row: 1, field: name, message: `column '${name}' appears twice` });
    });
    for (const name of SALES_HISTORY_CSV_REQUIRED)
      if (!header.includes(name)) problems.push({ row: 1, field: name, message: `column '${name}' is missing` });
    const revenueColumns = ['revenue', 'revenue_fen'].filter((c) => header.includes(c));
    if (revenueColumns.length !== 1)
      problems.push({
        row: 1,
        field: 'revenue',
        message: "give a 'revenue' (yuan) or a 'revenue_fen' column, one of them",
      });
    if (problems.length > 0) throw invalid(problems);
    // A cell too many is a shifted row (a revenue written `9,90` unquoted): refused, never read as `9`.
    const extra = body.flatMap((record, i) =>
      record.length > header.length
        ? [{ row: i + 2, field: null, message: `${record.length} cells for ${header.length} columns` }]
        : [],
    );
    if (extra.length > 0) throw invalid(extra.slice(0, MAX_PROBLEMS));
    const rows = body.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i]?.trim()])) as Cells);
    return this.write(rows, 2);
  }

  async importJson(rows: readonly unknown[]): Promise<SalesHistoryResult> {
    const cells = rows.map((r) => {
      const o = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
      const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
      return {
        store_id: str(o.storeId),
        sku: str(o.sku),
        day: str(o.day),
        units: str(o.units),
        weight_g: str(o.weightG),
        revenue_fen: str(o.revenueFen),
        orders: str(o.orders),
      } satisfies Cells;
    });
    return this.write(cells, 1);
  }

  private async write(rows: readonly Cells[], firstRow: number): Promise<SalesHistoryResult> {
    const problems: SalesHistoryProblem[] = [];
    const parsed: SalesDay[] = [];
    const seen = new Set<string>();
    // Once per store, not per row: an import is a year of a store's products (a quarter of a million rows).
    const todays = new Map<string, string | null>();
    const todayIn = (storeId: string): string | null => {
      let today = todays.get(storeId);
      if (today === undefined) {
        today = this.deps.storeExists(storeId) ? this.deps.todayIn(storeId) : null;
        todays.set(storeId, today);
      }
      return today;
    };
    rows.forEach((cells, i) => {
      if (problems.length >= MAX_PROBLEMS) return;
      const row = firstRow + i;
      const problem = (field: string, message: string) => problems.push({ row, field, message });
      const storeId = String(cells.store_id ?? '');
      const sku = String(cells.sku ?? '');
      const day = String(cells.day ?? '');
      const today = todayIn(storeId);
      if (today === null) problem('store_id', `no store '${storeId}'`);
      if (!SKU.test(sku)) problem('sku', `'${sku}' is not a SKU`);
      if (!isCalendarDay(day)) problem('day', `'${day}' is not a YYYY-MM-DD date`);
      else if (today !== null && day > today) problem('day', `${day} is in the future`);
      const count = (field: string, required: boolean): number => {
        const text = cells[field];
        if (text === undefined || text === '') {
          if (required) problem(field, `'${field}' is missing`);
          return 0;
        }
        if (!/^\d{1,12}$/.test(String(text))) {
          problem(field, `'${text}' is not a whole number ≥ 0`);
          return 0;
        }
        return Number(text);
      };
      const units = count('units', true);
      const weightG = count('weight_g', false);
      const orders = count('orders', false);
      let revenueFen = 0;
      if (cells.revenue !== undefined) {
        const fen = yuanToFen(String(cells.revenue));
        if (fen === undefined) problem('revenue', `'${cells.revenue}' is not an amount in yuan (12.30)`);
        else revenueFen = fen;
      } else revenueFen = count('revenue_fen', true);
      const key = `${storeId}|${sku}|${day}`;
      if (seen.has(key)) problem('day', `${sku} in ${storeId} on ${day} appears twice`);
      seen.add(key);
      parsed.push({ storeId, sku, day, source: 'pos', units, weightG, revenueFen, orders });
    });
    if (problems.length > 0) throw invalid(problems);
    await this.deps.writer.write('sales.history.import', () => this.deps.repository.upsert(parsed));
    const days = parsed.map((r) => r.day).sort();
    return {
      imported: parsed.length,
      stores: [...new Set(parsed.map((r) => r.storeId))].sort(),
      firstDay: days[0] ?? null,
      lastDay: days.at(-1) ?? null,
    };
  }
}

function invalid(problems: SalesHistoryProblem[]): FleetError {
  return new FleetError(
    'SALES_HISTORY_INVALID',
    `the sales history has ${problems.length}${problems.length >= MAX_PROBLEMS ? '+' : ''} problem(s); nothing was imported`,
    problems,
  );
}
