import {
  CatalogImportBody,
  CatalogImportQuery,
  CategoryListSchema,
  CategoryParams,
  ImportReportSchema,
  ProductListQuery,
  ProductPageSchema,
  SkuParams,
  VariableMeasureLayoutsSchema,
} from '../../../protocol/api/catalog.ts';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import { CategorySchema, ProductSchema } from '../../../protocol/commerce/catalog.ts';
import type { ImportSource } from '../../catalog/catalog-service.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * The chain's catalog: products, categories, variable-measure layouts and the import. Written by chain-wide roles
 * (`catalog:write`); read by everyone with `catalog:read`. Bodies are checked by the catalog service (every problem
 * at once, with the codes an import reports), so the schemas here document them and `attachValidation` hands them on.
 */
export function catalogRoutes(app: ApiApp, deps: HttpDeps): void {
  const { catalog } = deps;
  // A CSV import arrives as text; its size is bounded by the import route's bodyLimit like a JSON one.
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get(
    '/api/catalog/products',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['catalog'],
        summary: 'Products by SKU: search by words, GTIN (as scanned), PLU, category (and those under it)',
        querystring: ProductListQuery,
        response: { 200: ProductPageSchema },
      },
    },
    async (req) => catalog.listProducts(req.query),
  );

  app.get(
    '/api/catalog/products/:sku',
    {
      config: { permission: 'catalog:read' },
      schema: { tags: ['catalog'], summary: 'One product', params: SkuParams, response: { 200: ProductSchema } },
    },
    async (req) => catalog.getProduct(req.params.sku),
  );

  app.put(
    '/api/catalog/products/:sku',
    {
      config: { permission: 'catalog:write' },
      attachValidation: true,
      schema: {
        tags: ['catalog'],
        summary: 'Create or replace a product (GTINs answered as GTIN-13)',
        params: SkuParams,
        body: ProductSchema,
        response: { 200: ProductSchema },
      },
    },
    async (req) => {
      rethrowUnlessBody(req.validationError);
      const before = catalog.products.get(req.params.sku) ?? null;
      const { product, created } = await catalog.putProduct(req.params.sku, req.body);
      audit(req, deps, {
        action: created ? 'catalog.product.create' : 'catalog.product.update',
        targetType: 'product',
        targetId: product.sku,
        storeId: null,
        details: { before, after: product },
      });
      return product;
    },
  );

  app.delete(
    '/api/catalog/products/:sku',
    {
      config: { permission: 'catalog:write' },
      schema: {
        tags: ['catalog'],
        summary: 'Delete a product (its GTINs and store prices go with it)',
        params: SkuParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const before = catalog.products.get(req.params.sku) ?? null;
      await catalog.deleteProduct(req.params.sku);
      audit(req, deps, {
        action: 'catalog.product.delete',
        targetType: 'product',
        targetId: req.params.sku,
        storeId: null,
        details: { before },
      });
      return noContent(reply);
    },
  );

  app.get(
    '/api/catalog/categories',
    {
      config: { permission: 'catalog:read' },
      schema: { tags: ['catalog'], summary: 'The category tree, by id', response: { 200: CategoryListSchema } },
    },
    async () => catalog.listCategories(),
  );

  app.put(
    '/api/catalog/categories/:id',
    {
      config: { permission: 'catalog:write' },
      attachValidation: true,
      schema: {
        tags: ['catalog'],
        summary: 'Create or replace a category (its parent must exist; no cycles)',
        params: CategoryParams,
        body: CategorySchema,
        response: { 200: CategorySchema },
      },
    },
    async (req) => {
      rethrowUnlessBody(req.validationError);
      const before = catalog.categories.get(req.params.id) ?? null;
      const { category, created } = await catalog.putCategory(req.params.id, req.body);
      audit(req, deps, {
        action: created ? 'catalog.category.create' : 'catalog.category.update',
        targetType: 'category',
        targetId: category.id,
        storeId: null,
        details: { before, after: category },
      });
      return category;
    },
  );

  app.delete(
    '/api/catalog/categories/:id',
    {
      config: { permission: 'catalog:write' },
      schema: {
        tags: ['catalog'],
        summary: 'Delete an empty category (409 CATEGORY_IN_USE while products or categories are under it)',
        params: CategoryParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const before = catalog.categories.get(req.params.id) ?? null;
      await catalog.deleteCategory(req.params.id);
      audit(req, deps, {
        action: 'catalog.category.delete',
        targetType: 'category',
        targetId: req.params.id,
        storeId: null,
        details: { before },
      });
      return noContent(reply);
    },
  );

  app.get(
    '/api/catalog/variable-measure-layouts',
    {
      config: { permission: 'catalog:read' },
      schema: {
        tags: ['catalog'],
        summary: "The chain's variable-measure label layouts (GS1 prefixes 20-29)",
        response: { 200: VariableMeasureLayoutsSchema },
      },
    },
    async () => catalog.listLayouts(),
  );

  app.put(
    '/api/catalog/variable-measure-layouts',
    {
      config: { permission: 'catalog:write' },
      attachValidation: true,
      schema: {
        tags: ['catalog'],
        summary: 'Replace the layouts as a whole (400 VARIABLE_MEASURE_LAYOUT_INVALID lists every problem)',
        body: VariableMeasureLayoutsSchema,
        response: { 200: VariableMeasureLayoutsSchema },
      },
    },
    async (req) => {
      rethrowUnlessBody(req.validationError);
      const before = catalog.listLayouts();
      const after = await catalog.replaceLayouts(req.body, principal(req).username);
      audit(req, deps, {
        action: 'catalog.layouts.update',
        targetType: 'variable-measure-layouts',
        targetId: null,
        storeId: null,
        details: { before, after },
      });
      return after;
    },
  );

  app.post(
    '/api/catalog/import',
    {
      config: { permission: 'catalog:write' },
      bodyLimit: catalog.options.importMaxBytes,
      schema: {
        tags: ['catalog'],
        summary:
          'Import categories and products, all or nothing: JSON, or CSV (text/csv, `table` says which). ' +
          '400 CATALOG_IMPORT_INVALID answers the report (every bad row) as details; nothing is written',
        consumes: ['application/json', 'text/csv'],
        querystring: CatalogImportQuery,
        body: CatalogImportBody,
        response: { 200: ImportReportSchema },
      },
    },
    async (req) => {
      const source: ImportSource =
        typeof req.body === 'string'
          ? { format: 'csv', text: req.body, table: req.query.table }
          : { format: 'json', body: req.body };
      const report = await catalog.import(source, req.query.dryRun);
      if (!report.dryRun) {
        audit(req, deps, {
          action: 'catalog.import',
          targetType: 'catalog',
          targetId: null,
          storeId: null,
          details: { format: report.format, categories: report.categories, products: report.products },
        });
      }
      return report;
    },
  );
}

/**
 * With `attachValidation` a failure is handed to the handler; only the body's is the service's to report (in its own
 * codes). Fastify checks params before the body and stops at the first failure, so a bad path parameter is still
 * `400 BAD_REQUEST` (the routes using this have no query string).
 */
export function rethrowUnlessBody(error: (Error & { validationContext?: string }) | undefined): void {
  if (error && error.validationContext !== 'body') throw error;
}
