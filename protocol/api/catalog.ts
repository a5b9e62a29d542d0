import {
  CategorySchema,
  gtinString,
  ProductSchema,
  pluString,
  SOLD_BY,
  StorePriceSchema,
  skuString,
  VariableMeasureLayoutSchema,
} from '../commerce/catalog.ts';
import { fen } from '../commerce/money.ts';
import { type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * The catalog API: products, the category tree, store price overrides, variable-measure label layouts, and the
 * all-or-nothing import (CSV or JSON) with its report. The shapes themselves are the commerce contract's
 * (`protocol/commerce/catalog.ts`); this file holds the requests and answers around them.
 */

/** `/api/catalog/products/:sku` */
export const SkuParams = object({ sku: skuString });
/** `/api/catalog/categories/:id` */
export const CategoryParams = object({ id: idString });
/** `/api/stores/:storeId/prices/:sku` */
export const StoreSkuParams = object({ storeId: { type: 'string', minLength: 1, maxLength: 64 }, sku: skuString });

/** `GET /api/catalog/products`: by SKU order. */
export const ProductListQuery = object(
  {
    /** Words found in the SKU, either name or the brand (case-insensitive). */
    q: { type: 'string', minLength: 1, maxLength: 100 },
    /** A GTIN as scanned (8, 12 or 13 digits; a UPC-A finds the product its EAN-13 was given to). */
    gtin: gtinString,
    plu: pluString,
    /** Products of this category and of every category under it. */
    categoryId: idString,
    soldBy: oneOfValues(SOLD_BY),
    available: { type: 'boolean' },
    ...paging,
  },
  { optional: ['q', 'gtin', 'plu', 'categoryId', 'soldBy', 'available', 'limit', 'offset'] },
);
export type ProductListQuery = FromSchema<typeof ProductListQuery, 'checked'>;
export const ProductPageSchema = page(ProductSchema);
export type ProductPage = FromSchema<typeof ProductPageSchema>;

export const CategoryListSchema = { type: 'array', items: CategorySchema } as const;

/** `PUT /api/stores/:storeId/prices/:sku`: `null` keeps the chain's value. */
export const StorePriceBody = object({ priceFen: nullable(fen), available: nullable({ type: 'boolean' }) });
export type StorePriceBody = FromSchema<typeof StorePriceBody>;

/** `GET /api/stores/:storeId/prices` */
export const StorePriceListQuery = object({ sku: skuString, ...paging }, { optional: ['sku', 'limit', 'offset'] });
export type StorePriceListQuery = FromSchema<typeof StorePriceListQuery, 'checked'>;
export const StorePricePageSchema = page(StorePriceSchema);
export type StorePricePage = FromSchema<typeof StorePricePageSchema>;

export const MAX_VARIABLE_MEASURE_LAYOUTS = 10;
/** `GET`/`PUT /api/catalog/variable-measure-layouts`: the chain's layouts as a whole. */
export const VariableMeasureLayoutsSchema = {
  type: 'array',
  items: VariableMeasureLayoutSchema,
  maxItems: MAX_VARIABLE_MEASURE_LAYOUTS,
} as const;

// ---- Import ----

export const IMPORT_FORMATS = ['csv', 'json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const IMPORT_TABLES = ['products', 'categories'] as const;
export type ImportTable = (typeof IMPORT_TABLES)[number];

/**
 * The columns of a products CSV (header row required, any order; docs/operations.md, "Catalog import"). Required:
 * sku, name_zh, name_en, category, sold_by, and exactly one of price (yuan, e.g. `12.30`) or price_fen. `gtins` are
 * separated by `|`.
 */
export const PRODUCT_CSV_COLUMNS = [
  'sku',
  'gtins',
  'plu',
  'name_zh',
  'name_en',
  'brand',
  'category',
  'sold_by',
  'price',
  'price_fen',
  'nominal_weight_g',
  'tolerance_g',
  'tare_g',
  'min_age',
  'needs_attendant',
  'available',
] as const;
export const PRODUCT_CSV_REQUIRED = ['sku', 'name_zh', 'name_en', 'category', 'sold_by'] as const;
/** The columns of a categories CSV: all required (`parent_id` may be empty: a department). */
export const CATEGORY_CSV_COLUMNS = ['id', 'parent_id', 'name_zh', 'name_en'] as const;

/** `POST /api/catalog/import?dryRun&table` (`table` says what a CSV body holds; a JSON body names its tables). */
export const CatalogImportQuery = object(
  {
    /** Validate and report, write nothing. */
    dryRun: { type: 'boolean', default: false },
    table: oneOfValues(IMPORT_TABLES, { default: 'products' }),
  },
  { optional: ['dryRun', 'table'] },
);
export type CatalogImportQuery = FromSchema<typeof CatalogImportQuery, 'checked'>;

/**
 * A JSON import (`application/json`): categories and products, each written over the one with the same id or SKU;
 * what the file does not name is left as it is. Rows are checked one by one (every problem reported), so this schema
 * documents the body rather than gatekeeping it.
 */
export const CatalogImportJsonBody = object(
  {
    categories: { type: 'array', items: CategorySchema },
    products: { type: 'array', items: ProductSchema },
  },
  { optional: ['categories', 'products'] },
);
export type CatalogImportJsonBody = FromSchema<typeof CatalogImportJsonBody>;

/**
 * What `POST /api/catalog/import` takes: a JSON object ({@link CatalogImportJsonBody}) or CSV text. Only the kind is
 * checked on the way in: a bad row must reach the import's checks, which report every one.
 */
export const CatalogImportBody = {
  anyOf: [
    {
      type: 'object',
      description: 'application/json: { categories?: Category[], products?: Product[] }, rows checked one by one',
    },
    { type: 'string', description: 'text/csv: a products or categories CSV with a header row' },
  ],
} as const;

/** One bad row (or the file itself, `row: null`) and why. */
export const ImportProblemSchema = object({
  table: oneOfValues(IMPORT_TABLES),
  /**
   * CSV: the line of the file the row ends on (the header is line 1, so it matches a spreadsheet's row number);
   * JSON: the 1-based position in its array; `null` for the file as a whole (a missing column, too many rows).
   */
  row: nullable(integer({ minimum: 1 })),
  /** The column (CSV) or property (JSON) at fault, `null` for the row as a whole. */
  field: nullable({ type: 'string' }),
  /** One of `protocol/errors.ts`: GTIN_CHECK_DIGIT, CATALOG_GTIN_DUPLICATE, CATEGORY_NOT_FOUND, ... */
  code: { type: 'string' },
  message: { type: 'string' },
});
export type ImportProblem = FromSchema<typeof ImportProblemSchema>;

const tableCounts = object({
  rows: integer({ minimum: 0 }),
  created: integer({ minimum: 0 }),
  updated: integer({ minimum: 0 }),
});

/**
 * What an import did or would do. Answered with 200 when it was applied (or, for a dry run, would be); a refused
 * import answers `400 CATALOG_IMPORT_INVALID` with this report as `details` (every problem listed, nothing written).
 */
export const ImportReportSchema = object({
  format: oneOfValues(IMPORT_FORMATS),
  dryRun: { type: 'boolean' },
  applied: { type: 'boolean' },
  categories: tableCounts,
  products: tableCounts,
  /** Every problem found, in file order (categories first). */
  problems: { type: 'array', items: ImportProblemSchema },
});
export type ImportReport = FromSchema<typeof ImportReportSchema>;
