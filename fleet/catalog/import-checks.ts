import type { ImportProblem, ImportTable } from '../../protocol/api/catalog.ts';
import type { Category, Product } from '../../protocol/commerce/catalog.ts';
import type { ImportBatch, ImportRow } from './import-batch.ts';
import { checkCategory, checkProduct, type RowProblem } from './product-checks.ts';

/** What the checks read of the catalog as it is now (inside the transaction that will write, if any). */
export interface CatalogState {
  /** Every category's parent, by id. */
  categoryParents(): ReadonlyMap<string, string | null>;
  gtinOwner(gtin13: string): string | undefined;
  pluOwner(plu: string): string | undefined;
}

/** An import checked: every problem, and the rows ready to write when there are none. */
export interface CheckedImport {
  problems: ImportProblem[];
  categories: Category[];
  products: Product[];
}

/**
 * The checks every import shares, whatever its format, and a single product's or category's write too (a batch of
 * one): each row on its own (product-checks.ts), then the rows together and against the catalog: a SKU or category
 * twice in the file, a GTIN or PLU on two rows or owned by a product the file does not give it up from, an unknown
 * category or parent, a cycle in the tree. Every problem is listed; nothing stops at the first.
 */
export function checkImport(batch: ImportBatch, state: CatalogState): CheckedImport {
  const problems: ImportProblem[] = [...batch.problems];
  const report = (table: ImportTable, row: ImportRow, list: RowProblem[], mapped = true) => {
    for (const p of list) {
      problems.push({
        table,
        row: row.row,
        field: mapped ? row.columnOf(p.field) : p.field,
        code: p.code,
        message: p.message,
      });
    }
  };

  const categories: Category[] = [];
  const categoryRows = new Map<string, ImportRow>();
  for (const row of batch.categories) {
    report('categories', row, row.rowProblems, false);
    const { category, problems: own } = checkCategory(row.value);
    report('categories', row, own);
    if (!category) continue;
    const first = categoryRows.get(category.id);
    if (first) {
      report('categories', row, [
        { field: 'id', code: 'CATEGORY_INVALID', message: `category '${category.id}' is also on row ${first.row}` },
      ]);
      continue;
    }
    categoryRows.set(category.id, row);
    categories.push(category);
  }
  const parents = new Map(state.categoryParents());
  for (const c of categories) parents.set(c.id, c.parentId);
  // Ids named by the file's rows, valid or not: a product of a category whose row is wrong is not reported twice.
  const fileCategoryIds = new Set(batch.categories.map((r) => (r.value as { id?: unknown } | null)?.id));
  for (const c of categories) {
    const row = categoryRows.get(c.id) as ImportRow;
    if (c.parentId !== null && !parents.has(c.parentId)) {
      report('categories', row, [
        { field: 'parentId', code: 'CATEGORY_NOT_FOUND', message: `no category '${c.parentId}'` },
      ]);
    } else if (inCycle(c.id, parents)) {
      report('categories', row, [
        { field: 'parentId', code: 'CATEGORY_INVALID', message: `'${c.parentId}' is under '${c.id}': a cycle` },
      ]);
    }
  }

  const products: Product[] = [];
  const productRows = new Map<string, ImportRow>();
  const checked: { row: ImportRow; product: Product }[] = [];
  for (const row of batch.products) {
    report('products', row, row.rowProblems, false);
    const { product, problems: own } = checkProduct(row.value, row.skip);
    const sku = product?.sku ?? (row.value as { sku?: unknown } | null)?.sku;
    const first = typeof sku === 'string' ? productRows.get(sku) : undefined;
    if (first) {
      own.push({ field: 'sku', code: 'CATALOG_SKU_DUPLICATE', message: `SKU '${sku}' is also on row ${first.row}` });
    } else if (typeof sku === 'string' && sku !== '') {
      productRows.set(sku, row);
    }
    if (product && !parents.has(product.categoryId) && !fileCategoryIds.has(product.categoryId)) {
      own.push({ field: 'categoryId', code: 'CATEGORY_NOT_FOUND', message: `no category '${product.categoryId}'` });
    }
    report('products', row, own);
    if (product && own.length === 0) checked.push({ row, product });
  }

  // GTINs and PLUs the file's products give up may go to others of the file; the file's own lists decide.
  const released = new Set(checked.map((c) => c.product.sku));
  const gtinRows = new Map<string, { row: ImportRow; sku: string }>();
  const pluRows = new Map<string, { row: ImportRow; sku: string }>();
  for (const { row, product } of checked) {
    const own: RowProblem[] = [];
    product.gtins.forEach((gtin, i) => {
      const other = gtinRows.get(gtin);
      const owner = state.gtinOwner(gtin);
      if (other) {
        own.push({
          field: `gtins.${i}`,
          code: 'CATALOG_GTIN_DUPLICATE',
          message: `GTIN ${gtin} is also on row ${other.row.row} (${other.sku})`,
        });
      } else if (owner !== undefined && owner !== product.sku && !released.has(owner)) {
        own.push({
          field: `gtins.${i}`,
          code: 'CATALOG_GTIN_DUPLICATE',
          message: `GTIN ${gtin} belongs to product ${owner}`,
        });
      } else {
        gtinRows.set(gtin, { row, sku: product.sku });
      }
    });
    if (product.plu !== null) {
      const other = pluRows.get(product.plu);
      const owner = state.pluOwner(product.plu);
      if (other) {
        own.push({
          field: 'plu',
          code: 'CATALOG_PLU_DUPLICATE',
          message: `PLU ${product.plu} is also on row ${other.row.row} (${other.sku})`,
        });
      } else if (owner !== undefined && owner !== product.sku && !released.has(owner)) {
        own.push({
          field: 'plu',
          code: 'CATALOG_PLU_DUPLICATE',
          message: `PLU ${product.plu} belongs to product ${owner}`,
        });
      } else {
        pluRows.set(product.plu, { row, sku: product.sku });
      }
    }
    report('products', row, own);
    if (own.length === 0) products.push(product);
  }
  problems.sort(byFileOrder);
  return { problems, categories, products };
}

function inCycle(id: string, parents: ReadonlyMap<string, string | null>): boolean {
  let at = parents.get(id) ?? null;
  for (let steps = 0; at !== null && steps <= parents.size; steps++) {
    if (at === id) return true;
    at = parents.get(at) ?? null;
  }
  return at !== null;
}

/** Categories before products, the file as a whole first, then by row; a row's own problems keep their order. */
function byFileOrder(a: ImportProblem, b: ImportProblem): number {
  if (a.table !== b.table) return a.table === 'categories' ? -1 : 1;
  return (a.row ?? 0) - (b.row ?? 0);
}
