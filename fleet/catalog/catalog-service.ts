import { gtin13 } from '../../commerce/gtin.ts';
import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type {
  ImportReport,
  ImportTable,
  ProductListQuery,
  ProductPage,
  StorePriceBody,
  StorePricePage,
} from '../../protocol/api/catalog.ts';
import type { Category, Product, StorePrice, VariableMeasureLayout } from '../../protocol/commerce/catalog.ts';
import type { LocalizedText } from '../../protocol/commerce/text.ts';
import { FleetError, isFleetError } from '../../protocol/errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import { csvBatch } from './catalog-csv.ts';
import { CategoryRepository } from './category-repository.ts';
import { type ImportBatch, jsonBatch } from './import-batch.ts';
import { type CatalogState, type CheckedImport, checkImport } from './import-checks.ts';
import { layoutProblems } from './layout-checks.ts';
import { LayoutRepository } from './layout-repository.ts';
import { ProductRepository } from './product-repository.ts';
import { StorePriceRepository } from './store-price-repository.ts';

export interface CatalogOptions {
  /** The largest import body (CSV or JSON); a larger one answers PAYLOAD_TOO_LARGE before it is read. */
  importMaxBytes: number;
  /** Most rows (categories + products) in one import; more answer PAYLOAD_TOO_LARGE. */
  importMaxRows: number;
  /** A write still waiting for another process's lock after this answers STORAGE_BUSY. */
  writeDeadlineMs: number;
}

export type ImportSource = { format: 'csv'; text: string; table: ImportTable } | { format: 'json'; body: unknown };

/**
 * The chain's catalog: products, the category tree, store price overrides and variable-measure label layouts.
 * Every write is checked here (the contract's schemas, then the rules between fields and against the catalog:
 * import-checks.ts), made through the fleet's `DatabaseWriter` in one transaction, and announced once committed with
 * `catalog.changed` (what a pricing snapshot is built from changed). An import is all-or-nothing.
 */
export class CatalogService {
  readonly categories: CategoryRepository;
  readonly products: ProductRepository;
  readonly prices: StorePriceRepository;
  readonly layouts: LayoutRepository;

  constructor(
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly stores: StoreRepository,
    private readonly bus: EventBus<FleetEvents>,
    readonly options: CatalogOptions,
    private readonly clock: Clock,
  ) {
    this.categories = new CategoryRepository(db);
    this.products = new ProductRepository(db);
    this.prices = new StorePriceRepository(db);
    this.layouts = new LayoutRepository(db);
  }

  listProducts(query: ProductListQuery): ProductPage {
    let gtin: string | undefined;
    if (query.gtin !== undefined) {
      try {
        gtin = gtin13(query.gtin);
      } catch (err) {
        if (!isFleetError(err)) throw err;
        return { items: [], total: 0 };
      }
    }
    return this.products.list(
      {
        ...(query.q ? { words: query.q.split(/\s+/).filter(Boolean) } : {}),
        ...(gtin !== undefined ? { gtin } : {}),
        ...(query.plu !== undefined ? { plu: query.plu } : {}),
        ...(query.categoryId !== undefined ? { categoryIds: this.categories.subtree(query.categoryId) } : {}),
        ...(query.soldBy !== undefined ? { soldBy: query.soldBy } : {}),
        ...(query.available !== undefined ? { available: query.available } : {}),
      },
      query.limit,
      query.offset,
    );
  }

  /** A product's name (undefined for an unknown SKU): what an order line shows, without reading the whole product. */
  productName(sku: string): LocalizedText | undefined {
    return this.products.name(sku);
  }

  getProduct(sku: string): Product {
    const product = this.products.get(sku);
    if (!product) throw new FleetError('PRODUCT_NOT_FOUND', `no product '${sku}'`);
    return product;
  }

  /** A store's catalog as its carts see it: the store's price and availability where it overrides the chain's. */
  productsForStore(storeId: string): Product[] {
    const overrides = this.prices.allForStore(storeId);
    return this.products.all().map((p) => {
      const o = overrides.get(p.sku);
      if (!o) return p;
      return { ...p, priceFen: o.priceFen ?? p.priceFen, available: o.available ?? p.available };
    });
  }

  /** Writes one product over the one with its SKU; the checks and codes are an import's (a batch of one). */
  async putProduct(sku: string, value: unknown): Promise<{ product: Product; created: boolean }> {
    if ((value as { sku?: unknown } | null)?.sku !== sku) {
      throw new FleetError('BAD_REQUEST', `the body's sku must be the path's ('${sku}')`);
    }
    const batch: ImportBatch = { format: 'json', categories: [], products: [], problems: [] };
    batch.products.push({ row: 1, value, skip: new Set(), rowProblems: [], columnOf: (f) => f });
    const created = await this.writer.write(
      'catalog product',
      () => {
        const checked = refuseProblems(checkImport(batch, this.state()));
        const product = checked.products[0] as Product;
        this.products.releaseCodes([product.sku]);
        return this.products.upsert(product, this.clock.now());
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.changed(null, 'products');
    return { product: this.getProduct(sku), created };
  }

  async deleteProduct(sku: string): Promise<void> {
    const deleted = await this.writer.write('catalog product delete', () => this.products.delete(sku), {
      deadlineMs: this.options.writeDeadlineMs,
    });
    if (!deleted) throw new FleetError('PRODUCT_NOT_FOUND', `no product '${sku}'`);
    this.changed(null, 'products');
  }

  listCategories(): Category[] {
    return this.categories.list();
  }

  async putCategory(id: string, value: unknown): Promise<{ category: Category; created: boolean }> {
    if ((value as { id?: unknown } | null)?.id !== id) {
      throw new FleetError('BAD_REQUEST', `the body's id must be the path's ('${id}')`);
    }
    const batch: ImportBatch = { format: 'json', categories: [], products: [], problems: [] };
    batch.categories.push({ row: 1, value, skip: new Set(), rowProblems: [], columnOf: (f) => f });
    const created = await this.writer.write(
      'catalog category',
      () => {
        const checked = refuseProblems(checkImport(batch, this.state()));
        return this.categories.upsert(checked.categories[0] as Category, this.clock.now());
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.changed(null, 'categories');
    return { category: this.categories.get(id) as Category, created };
  }

  /** Refused while products or categories are under it (CATEGORY_IN_USE): nothing is left without a category. */
  async deleteCategory(id: string): Promise<void> {
    await this.writer.write(
      'catalog category delete',
      () => {
        if (!this.categories.exists(id)) throw new FleetError('CATEGORY_NOT_FOUND', `no category '${id}'`);
        const products = this.products.countInCategory(id);
        const children = this.categories.childCount(id);
        if (products > 0 || children > 0) {
          throw new FleetError(
            'CATEGORY_IN_USE',
            `category '${id}' still has ${products} products and ${children} categories under it`,
            { products, categories: children },
          );
        }
        this.categories.delete(id);
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.changed(null, 'categories');
  }

  listStorePrices(storeId: string, sku: string | undefined, limit: number, offset: number): StorePricePage {
    this.requireStore(storeId);
    return this.prices.list(storeId, sku, limit, offset);
  }

  async putStorePrice(storeId: string, sku: string, body: StorePriceBody, by: string): Promise<StorePrice> {
    this.requireStore(storeId);
    if (body.priceFen === 0) throw new FleetError('CATALOG_PRICE_INVALID', 'a store price is above 0 (or null)');
    const price: StorePrice = { storeId, sku, priceFen: body.priceFen, available: body.available };
    await this.writer.write(
      'catalog store price',
      () => {
        if (!this.products.exists(sku)) throw new FleetError('PRODUCT_NOT_FOUND', `no product '${sku}'`);
        this.prices.put(price, by, this.clock.now());
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.changed([storeId], 'store-prices');
    return price;
  }

  async deleteStorePrice(storeId: string, sku: string): Promise<void> {
    this.requireStore(storeId);
    const deleted = await this.writer.write('catalog store price delete', () => this.prices.delete(storeId, sku), {
      deadlineMs: this.options.writeDeadlineMs,
    });
    if (!deleted) throw new FleetError('NOT_FOUND', `store '${storeId}' does not override '${sku}'`);
    this.changed([storeId], 'store-prices');
  }

  listLayouts(): VariableMeasureLayout[] {
    return this.layouts.list();
  }

  /** Replaces the chain's layouts as a whole (VARIABLE_MEASURE_LAYOUT_INVALID lists every problem). */
  async replaceLayouts(value: unknown, by: string): Promise<VariableMeasureLayout[]> {
    const problems = layoutProblems(value);
    if (problems.length > 0) {
      throw new FleetError(
        'VARIABLE_MEASURE_LAYOUT_INVALID',
        problems.map((p) => `${p.field ?? 'layouts'}: ${p.message}`).join('; '),
        problems,
      );
    }
    const layouts = value as VariableMeasureLayout[];
    await this.writer.write('catalog layouts', () => this.layouts.replace(layouts, by, this.clock.now()), {
      deadlineMs: this.options.writeDeadlineMs,
    });
    this.changed(null, 'layouts');
    return this.layouts.list();
  }

  /**
   * Imports categories and products, all or nothing: the rows are checked inside the transaction that writes them
   * (so the catalog cannot change in between), and one problem anywhere refuses the whole import with
   * CATALOG_IMPORT_INVALID, its report (every problem) as `details`. A dry run checks the same and writes nothing.
   */
  async import(source: ImportSource, dryRun: boolean): Promise<ImportReport> {
    const batch =
      source.format === 'csv'
        ? csvBatch(source.text, source.table, this.options.importMaxRows)
        : jsonBatch(source.body, this.options.importMaxRows);
    const run = (): ImportReport => {
      const checked = checkImport(batch, this.state());
      const report = this.report(batch, checked, dryRun);
      if (report.problems.length > 0) {
        throw new FleetError(
          'CATALOG_IMPORT_INVALID',
          `${report.problems.length} problem(s) in the import; nothing was written`,
          report,
        );
      }
      if (!dryRun) this.apply(checked);
      return { ...report, applied: !dryRun };
    };
    if (dryRun) return run();
    const report = await this.writer.write('catalog import', run, { deadlineMs: this.options.writeDeadlineMs });
    if (report.categories.rows > 0) this.changed(null, 'categories');
    if (report.products.rows > 0) this.changed(null, 'products');
    return report;
  }

  private apply(checked: CheckedImport): void {
    const now = this.clock.now();
    for (const category of sortParentsFirst(checked.categories)) this.categories.upsert(category, now);
    this.products.releaseCodes(checked.products.map((p) => p.sku));
    for (const product of checked.products) this.products.upsert(product, now);
  }

  private report(batch: ImportBatch, checked: CheckedImport, dryRun: boolean): ImportReport {
    const createdCategories = checked.categories.filter((c) => !this.categories.exists(c.id)).length;
    const createdProducts = checked.products.filter((p) => !this.products.exists(p.sku)).length;
    return {
      format: batch.format,
      dryRun,
      applied: false,
      categories: {
        rows: batch.categories.length,
        created: createdCategories,
        updated: checked.categories.length - createdCategories,
      },
      products: {
        rows: batch.products.length,
        created: createdProducts,
        updated: checked.products.length - createdProducts,
      },
      problems: checked.problems,
    };
  }

  private state(): CatalogState {
    return {
      categoryParents: () => new Map(this.categories.list().map((c) => [c.id, c.parentId])),
      gtinOwner: (gtin) => this.products.gtinOwner(gtin),
      pluOwner: (plu) => this.products.pluOwner(plu),
    };
  }

  private requireStore(storeId: string): void {
    if (!this.stores.getStore(storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
  }

  private changed(storeIds: string[] | null, what: FleetEvents['catalog.changed']['what']): void {
    this.bus.emit('catalog.changed', { storeIds, what });
  }
}

/** A single write answers the code of its first problem, every problem in `details`. */
function refuseProblems(checked: CheckedImport): CheckedImport {
  const first = checked.problems[0];
  if (!first) return checked;
  const message = checked.problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ');
  throw new FleetError(first.code as ConstructorParameters<typeof FleetError>[0], message, checked.problems);
}

/** Parents are written before their children (the tree's foreign key is checked row by row). */
function sortParentsFirst(categories: readonly Category[]): Category[] {
  const pending = new Map(categories.map((c) => [c.id, c]));
  const out: Category[] = [];
  const visit = (c: Category) => {
    if (!pending.delete(c.id)) return;
    const parent = c.parentId === null ? undefined : pending.get(c.parentId);
    if (parent) visit(parent);
    out.push(c);
  };
  for (const c of categories) visit(c);
  return out;
}
