import type { ImportFormat, ImportProblem } from '../../protocol/api/catalog.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { RowProblem } from './product-checks.ts';

/** One row of an import as read from its file, before the checks every import shares. */
export interface ImportRow {
  /** CSV: the line the row ends on; JSON: its 1-based position in its array. */
  row: number;
  value: unknown;
  /** Fields already reported while reading the row (a cell that did not parse), in the product's terms. */
  skip: ReadonlySet<string>;
  /** Problems found while reading the row, their fields already in the file's terms. */
  rowProblems: RowProblem[];
  /** A checked field (`priceFen`, `name.zh`) in the file's terms (`price`, `name_zh` for a CSV). */
  columnOf: (field: string | null) => string | null;
}

/** An import as read: its rows, and what is wrong with the file as a whole. */
export interface ImportBatch {
  format: ImportFormat;
  categories: ImportRow[];
  products: ImportRow[];
  problems: ImportProblem[];
}

const asIs = (field: string | null) => field;

/** A JSON import body, `{ categories?: Category[], products?: Product[] }`. */
export function jsonBatch(body: unknown, maxRows: number): ImportBatch {
  const batch: ImportBatch = { format: 'json', categories: [], products: [], problems: [] };
  const record =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
  if (!record) {
    batch.problems.push({
      table: 'products',
      row: null,
      field: null,
      code: 'CATALOG_FIELD_INVALID',
      message: 'a JSON import is an object { categories?: [...], products?: [...] }',
    });
    return batch;
  }
  for (const key of Object.keys(record)) {
    if (key !== 'categories' && key !== 'products') {
      batch.problems.push({
        table: 'products',
        row: null,
        field: key,
        code: 'CATALOG_FIELD_INVALID',
        message: `'${key}' is not part of an import (categories, products)`,
      });
    }
  }
  let rows = 0;
  for (const table of ['categories', 'products'] as const) {
    const list = record[table];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      batch.problems.push({
        table,
        row: null,
        field: table,
        code: 'CATALOG_FIELD_INVALID',
        message: 'must be an array',
      });
      continue;
    }
    rows += list.length;
    batch[table] = list.map((value, i) => ({ row: i + 1, value, skip: new Set(), rowProblems: [], columnOf: asIs }));
  }
  if (rows > maxRows) throw new FleetError('PAYLOAD_TOO_LARGE', `an import takes at most ${maxRows} rows`, { maxRows });
  return batch;
}
