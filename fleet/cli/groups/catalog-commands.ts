import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  IMPORT_FORMATS,
  IMPORT_TABLES,
  type ImportFormat,
  type ImportReport,
  type ProductPage,
} from '../../../protocol/api/catalog.ts';
import type { Category, Product } from '../../../protocol/commerce/catalog.ts';
import {
  type CliContext,
  type CommandGroup,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';

export const catalogCommands: CommandGroup = {
  name: 'catalog',
  summary: 'products, categories and the catalog import',
  help: `fleetctl catalog — the chain's catalog

  fleetctl catalog import FILE [--format csv|json] [--table products|categories] [--dry-run]
  fleetctl catalog products [--search TEXT] [--gtin CODE] [--plu PLU] [--category ID] [--limit N]
  fleetctl catalog product SKU
  fleetctl catalog categories

import is all or nothing: one bad row refuses the whole file, every bad row is listed (line, column, code, why)
and the exit code is 1. --dry-run checks and reports without writing. The format comes from the file's
extension (.csv, .json) unless --format says; a CSV holds products unless --table categories. Columns and
limits: docs/operations.md, "Catalog import".

Examples:
  fleetctl catalog import products.csv --dry-run
  fleetctl catalog import catalog.json
  fleetctl catalog import categories.csv --table categories
  fleetctl catalog products --search 牛奶
  fleetctl catalog products --gtin 6901234567892
  fleetctl catalog product MILK-1L --json`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      format: { type: 'string' },
      table: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      search: { type: 'string' },
      gtin: { type: 'string' },
      plu: { type: 'string' },
      category: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'import':
        return importFile(ctx, required(target, 'the FILE to import', 'catalog'), values);
      case 'products': {
        const page = await ctx.api().get<ProductPage>('/api/catalog/products', {
          q: values.search,
          gtin: values.gtin,
          plu: values.plu,
          categoryId: values.category,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        printProducts(ctx, page.items);
        if (page.items.length < page.total)
          ctx.out.note(`${page.items.length} of ${page.total} products; --limit N for more`);
        return EXIT.ok;
      }
      case 'product': {
        const sku = required(target, 'the SKU', 'catalog');
        const p = await ctx.api().get<Product>(`/api/catalog/products/${encodeURIComponent(sku)}`);
        if (ctx.out.json) {
          ctx.out.printJson(p);
          return EXIT.ok;
        }
        ctx.out.fields([
          ['sku', p.sku],
          ['name', `${p.name.zh} / ${p.name.en}`],
          ['brand', p.brand ?? null],
          ['category', p.categoryId],
          ['sold by', p.soldBy],
          ['price', `${yuan(p.priceFen)}${p.soldBy === 'weight' ? ' per kg' : ''}`],
          ['GTINs', p.gtins.join(', ')],
          ['PLU', p.plu],
          ['nominal weight', p.nominalWeightG === null ? null : `${p.nominalWeightG} g ± ${p.weightToleranceG ?? 0} g`],
          ['tare', p.tareG === null ? null : `${p.tareG} g`],
          ['minimum age', p.minAge],
          ['needs attendant', p.needsAttendant ? 'yes' : 'no'],
          ['available', p.available ? 'yes' : 'no'],
        ]);
        return EXIT.ok;
      }
      case 'categories': {
        const categories = await ctx.api().get<Category[]>('/api/catalog/categories');
        if (ctx.out.json) {
          ctx.out.printJson(categories);
          return EXIT.ok;
        }
        ctx.out.table(
          categories,
          [
            { header: 'ID', value: (c) => c.id },
            { header: 'PARENT', value: (c) => c.parentId },
            { header: 'NAME', value: (c) => `${c.name.zh} / ${c.name.en}`, max: 50 },
          ],
          '(no categories)',
        );
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: catalog ${action}`, 'see `fleetctl catalog --help`');
    }
  },
};

async function importFile(
  ctx: CliContext,
  file: string,
  values: { format?: string | undefined; table?: string | undefined; 'dry-run'?: boolean | undefined },
): Promise<number> {
  const format = (values.format ?? extname(file).slice(1).toLowerCase()) as ImportFormat;
  if (!IMPORT_FORMATS.includes(format)) {
    throw usageError(`--format must be one of ${IMPORT_FORMATS.join(', ')} (the file's extension does not say)`);
  }
  const table = values.table ?? 'products';
  if (!(IMPORT_TABLES as readonly string[]).includes(table)) {
    throw usageError(`--table must be one of ${IMPORT_TABLES.join(', ')}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const query = { dryRun: values['dry-run'] ? true : undefined, table: format === 'csv' ? table : undefined };
  let report: ImportReport;
  try {
    if (format === 'csv') {
      report = await ctx.api().postText<ImportReport>('/api/catalog/import', text, 'text/csv', query);
    } else {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw usageError(`${file} is not JSON: ${(err as Error).message}`);
      }
      report = await ctx.api().request<ImportReport>('POST', '/api/catalog/import', { body, query });
    }
  } catch (err) {
    if (err instanceof CliError && err.code === 'CATALOG_IMPORT_INVALID' && isReport(err.options.answer)) {
      printReport(ctx, err.options.answer);
      throw new CliError(EXIT.failed, err.code, err.message, {
        hint: 'fix the rows listed and import the file again (nothing was written)',
      });
    }
    throw err;
  }
  printReport(ctx, report);
  return EXIT.ok;
}

function isReport(value: unknown): value is ImportReport {
  return typeof value === 'object' && value !== null && Array.isArray((value as ImportReport).problems);
}

/** The report: counts, then every problem as a table (line, column, code, why); `--json` prints it as answered. */
function printReport(ctx: CliContext, report: ImportReport): void {
  if (ctx.out.json) {
    ctx.out.printJson(report);
    return;
  }
  const counts = (t: ImportReport['products']) => `${t.rows} rows (${t.created} new, ${t.updated} updated)`;
  const verdict =
    report.problems.length > 0
      ? ctx.out.paint(`refused: ${report.problems.length} problem(s), nothing written`, 'red')
      : report.applied
        ? ctx.out.paint('imported', 'green')
        : ctx.out.paint('dry run: would be imported, nothing written', 'cyan');
  ctx.out.fields([
    ['result', verdict],
    ['format', report.format],
    ['categories', counts(report.categories)],
    ['products', counts(report.products)],
  ]);
  if (report.problems.length === 0) return;
  ctx.out.heading('Problems');
  ctx.out.table(report.problems, [
    { header: 'TABLE', value: (p) => p.table },
    { header: report.format === 'csv' ? 'LINE' : 'ROW', value: (p) => p.row, align: 'right' },
    { header: report.format === 'csv' ? 'COLUMN' : 'FIELD', value: (p) => p.field },
    { header: 'CODE', value: (p) => p.code, colour: () => 'red' },
    { header: 'PROBLEM', value: (p) => p.message, max: 80 },
  ]);
}

function printProducts(ctx: CliContext, products: Product[]): void {
  ctx.out.table(
    products,
    [
      { header: 'SKU', value: (p) => p.sku },
      { header: 'NAME', value: (p) => `${p.name.zh} / ${p.name.en}`, max: 40 },
      { header: 'CATEGORY', value: (p) => p.categoryId },
      { header: 'PRICE', value: (p) => `${yuan(p.priceFen)}${p.soldBy === 'weight' ? '/kg' : ''}`, align: 'right' },
      { header: 'GTIN', value: (p) => p.gtins[0] ?? null },
      { header: 'PLU', value: (p) => p.plu },
      { header: 'AGE', value: (p) => p.minAge, align: 'right' },
      { header: 'AVAILABLE', value: (p) => (p.available ? 'yes' : 'no') },
    ],
    '(no products)',
  );
}

/** Fen as yuan for people (`¥12.30`), by the digits. */
export function yuan(fen: number): string {
  const text = String(Math.abs(fen)).padStart(3, '0');
  return `${fen < 0 ? '-' : ''}¥${text.slice(0, -2)}.${text.slice(-2)}`;
}
