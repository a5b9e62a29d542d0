import { parse } from 'csv-parse/sync';
import {
  CATEGORY_CSV_COLUMNS,
  type ImportTable,
  PRODUCT_CSV_COLUMNS,
  PRODUCT_CSV_REQUIRED,
} from '../../protocol/api/catalog.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { ImportBatch, ImportRow } from './import-batch.ts';
import type { RowProblem } from './product-checks.ts';

/**
 * A CSV file of products or categories (columns: `protocol/api/catalog.ts`, docs/operations.md "Catalog import")
 * turned into rows for the import's checks. A cell that cannot become its field's type (a price written `12,30`, a
 * weight `abc`) is reported here with its column; everything else is left to the checks every import shares.
 */
export function csvBatch(text: string, table: ImportTable, maxRows: number): ImportBatch {
  const batch: ImportBatch = { format: 'csv', categories: [], products: [], problems: [] };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // `to` stops reading one record past the cap: a file far over it is refused without parsing all of it.
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      to: maxRows + 2,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const { lines, message } = err as { lines?: number; message: string };
    batch.problems.push({ table, row: lines ?? null, field: null, code: 'CATALOG_CSV_INVALID', message });
    return batch;
  }
  if (records.length - 1 > maxRows) {
    throw new FleetError('PAYLOAD_TOO_LARGE', `an import takes at most ${maxRows} rows`, { maxRows });
  }
  const [head, ...body] = records;
  if (!head) {
    batch.problems.push({ table, row: null, field: null, code: 'CATALOG_CSV_INVALID', message: 'the file is empty' });
    return batch;
  }
  const header = head.record.map((name) => name.trim().toLowerCase());
  const fileProblem = (code: RowProblem['code'], field: string | null, message: string) =>
    batch.problems.push({ table, row: head.info.lines, field, code, message });
  const known: readonly string[] = table === 'products' ? PRODUCT_CSV_COLUMNS : CATEGORY_CSV_COLUMNS;
  const required: readonly string[] = table === 'products' ? PRODUCT_CSV_REQUIRED : CATEGORY_CSV_COLUMNS;
  header.forEach((name, i) => {
    if (!known.includes(name)) fileProblem('CATALOG_COLUMN_UNKNOWN', name, `unknown column '${name}'`);
    else if (header.indexOf(name) !== i) fileProblem('CATALOG_CSV_INVALID', name, `column '${name}' appears twice`);
  });
  for (const name of required) {
    if (!header.includes(name)) fileProblem('CATALOG_COLUMN_MISSING', name, `column '${name}' is missing`);
  }
  if (table === 'products') {
    const prices = ['price', 'price_fen'].filter((c) => header.includes(c));
    if (prices.length === 0) fileProblem('CATALOG_COLUMN_MISSING', 'price', "give a 'price' or a 'price_fen' column");
    if (prices.length === 2) fileProblem('CATALOG_CSV_INVALID', 'price', "give 'price' or 'price_fen', not both");
  }
  if (batch.problems.length > 0) return batch;

  for (const { record, info } of body) {
    const problems: RowProblem[] = [];
    if (record.length !== header.length) {
      problems.push({
        field: null,
        code: 'CATALOG_CSV_INVALID',
        message: `the row has ${record.length} fields, the header ${header.length}`,
      });
    }
    const cells = new Map(header.map((name, i) => [name, (record[i] ?? '').trim()]));
    const row = table === 'products' ? productRow(cells, problems) : categoryRow(cells);
    const target = table === 'products' ? batch.products : batch.categories;
    target.push({
      ...row,
      row: info.lines,
      rowProblems: problems,
      columnOf: table === 'products' ? productColumn(header) : categoryColumn,
    });
  }
  return batch;
}

type Cells = Map<string, string>;

function categoryRow(cells: Cells): Omit<ImportRow, 'row' | 'rowProblems' | 'columnOf'> {
  return {
    value: {
      id: cells.get('id'),
      parentId: cells.get('parent_id') || null,
      name: { zh: cells.get('name_zh'), en: cells.get('name_en') },
    },
    skip: new Set(),
  };
}

const categoryColumn = (field: string | null): string | null => {
  if (field === null) return null;
  const top = field.split('.')[0];
  return { id: 'id', parentId: 'parent_id', name: field === 'name.en' ? 'name_en' : 'name_zh' }[top ?? ''] ?? field;
};

function productRow(cells: Cells, problems: RowProblem[]): Omit<ImportRow, 'row' | 'rowProblems' | 'columnOf'> {
  const skip = new Set<string>();
  const bad = (field: string, column: string, code: RowProblem['code'], message: string) => {
    problems.push({ field: column, code, message });
    skip.add(field);
    return undefined;
  };
  const text = (column: string) => cells.get(column) ?? '';
  const orNull = (column: string) => text(column) || null;
  const whole = (field: string, column: string): number | null | undefined => {
    const cell = text(column);
    if (cell === '') return null;
    if (/^\d{1,9}$/.test(cell)) return Number(cell);
    return bad(field, column, 'CATALOG_FIELD_INVALID', `'${cell}' is not a whole number`);
  };
  const flag = (field: string, column: string, absent: boolean): boolean | undefined => {
    const cell = text(column).toLowerCase();
    if (cell === '') return absent;
    if (['true', 'yes', '1'].includes(cell)) return true;
    if (['false', 'no', '0'].includes(cell)) return false;
    return bad(field, column, 'CATALOG_FIELD_INVALID', `'${cell}' is not true/false, yes/no or 1/0`);
  };
  let priceFen: number | undefined;
  if (cells.has('price')) {
    const cell = text('price');
    priceFen = yuanToFen(cell);
    if (priceFen === undefined) {
      bad('priceFen', 'price', 'CATALOG_PRICE_INVALID', `'${cell}' is not a price in yuan (like 12.30)`);
    }
  } else {
    const cell = text('price_fen');
    if (/^\d{1,12}$/.test(cell)) priceFen = Number(cell);
    else bad('priceFen', 'price_fen', 'CATALOG_PRICE_INVALID', `'${cell}' is not a whole number of fen`);
  }
  return {
    value: {
      sku: text('sku'),
      gtins: text('gtins')
        .split('|')
        .map((g) => g.trim())
        .filter(Boolean),
      plu: orNull('plu'),
      name: { zh: text('name_zh'), en: text('name_en') },
      brand: orNull('brand'),
      categoryId: text('category'),
      soldBy: text('sold_by'),
      priceFen,
      nominalWeightG: whole('nominalWeightG', 'nominal_weight_g'),
      weightToleranceG: whole('weightToleranceG', 'tolerance_g'),
      tareG: whole('tareG', 'tare_g'),
      minAge: whole('minAge', 'min_age'),
      needsAttendant: flag('needsAttendant', 'needs_attendant', false),
      available: flag('available', 'available', true),
    },
    skip,
  };
}

const PRODUCT_FIELD_COLUMNS: Record<string, string> = {
  sku: 'sku',
  gtins: 'gtins',
  plu: 'plu',
  brand: 'brand',
  categoryId: 'category',
  soldBy: 'sold_by',
  nominalWeightG: 'nominal_weight_g',
  weightToleranceG: 'tolerance_g',
  tareG: 'tare_g',
  minAge: 'min_age',
  needsAttendant: 'needs_attendant',
  available: 'available',
};

/** The column a product field came from: the report speaks in the file's terms. */
function productColumn(header: readonly string[]): (field: string | null) => string | null {
  return (field) => {
    if (field === null) return null;
    if (field === 'name.zh' || field === 'name.en') return field.replace('.', '_');
    const top = field.split('.')[0] ?? field;
    if (top === 'priceFen') return header.includes('price') ? 'price' : 'price_fen';
    return PRODUCT_FIELD_COLUMNS[top] ?? field;
  };
}

/**
 * Yuan as written on a price tag (`12`, `12.3`, `12.30`) to fen, by the digits: "12.30" is 1230 exactly, never
 * 12.3 * 100 (1229.9999999999998 in binary floating point). More than two decimals, a sign, a comma, an exponent or
 * a currency symbol is not a price.
 */
export function yuanToFen(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
