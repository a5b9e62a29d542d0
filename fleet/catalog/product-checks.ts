import { gtin13 } from '../../commerce/gtin.ts';
import { type Category, CategorySchema, type Product, ProductSchema } from '../../protocol/commerce/catalog.ts';
import { type ErrorCode, isFleetError } from '../../protocol/errors.ts';
import { schemaChecker } from './schema-problems.ts';

/** One thing wrong with a row: the field (in the product's terms: `priceFen`, `name.zh`, `gtins.1`), a code, why. */
export interface RowProblem {
  field: string | null;
  code: ErrorCode;
  message: string;
}

const productShape = schemaChecker(ProductSchema);
const categoryShape = schemaChecker(CategorySchema);

/** The code a schema failure of a field reports, so that a bad price reads the same from CSV, JSON or a PUT. */
function codeOfField(field: string | null): ErrorCode {
  const top = field?.split('.')[0];
  if (top === 'priceFen') return 'CATALOG_PRICE_INVALID';
  if (top === 'plu') return 'CATALOG_PLU_INVALID';
  if (top === 'gtins') return 'GTIN_INVALID';
  return 'CATALOG_FIELD_INVALID';
}

/**
 * What one product must be on its own, whatever else is in the catalog: the contract's schema, then the rules
 * between its fields. Answers the product with its GTINs as GTIN-13 (the form they are stored and looked up in)
 * when nothing is wrong. `skip` names fields already reported (a CSV cell that did not parse), not reported again.
 */
export function checkProduct(
  value: unknown,
  skip: ReadonlySet<string> = new Set(),
): { product: Product | undefined; problems: RowProblem[] } {
  const problems: RowProblem[] = productShape(value)
    .filter((p) => !skip.has(p.field?.split('.')[0] ?? ''))
    .map((p) => ({ ...p, code: codeOfField(p.field) }));
  if (problems.length > 0 || skip.size > 0) return { product: undefined, problems };
  const product = value as Product;
  const gtins: string[] = [];
  product.gtins.forEach((gtin, i) => {
    try {
      const normal = gtin13(gtin);
      if (gtins.includes(normal)) {
        problems.push({ field: `gtins.${i}`, code: 'CATALOG_GTIN_DUPLICATE', message: `GTIN ${gtin} is listed twice` });
      }
      gtins.push(normal);
    } catch (err) {
      if (!isFleetError(err)) throw err;
      problems.push({ field: `gtins.${i}`, code: err.code, message: err.message });
    }
  });
  if (product.priceFen === 0) {
    problems.push({ field: 'priceFen', code: 'CATALOG_PRICE_INVALID', message: 'a product needs a price above 0' });
  }
  const invalid = (field: keyof Product, message: string) =>
    problems.push({ field, code: 'CATALOG_FIELD_INVALID', message });
  if (product.soldBy === 'weight') {
    // A weighed product is priced per kg by what the scale reads: there is no one weight to expect.
    if (product.nominalWeightG !== null) invalid('nominalWeightG', 'a product sold by weight has no nominal weight');
    if (product.weightToleranceG !== null) invalid('weightToleranceG', 'a product sold by weight has no tolerance');
  } else {
    if (product.tareG !== null) invalid('tareG', 'only a product sold by weight has a tare');
    if (product.nominalWeightG === 0) invalid('nominalWeightG', 'a nominal weight is above 0 g (or empty)');
    if (product.weightToleranceG !== null && product.nominalWeightG === null) {
      invalid('weightToleranceG', 'a tolerance needs a nominal weight');
    }
  }
  return problems.length > 0 ? { product: undefined, problems } : { product: { ...product, gtins }, problems };
}

/** A category on its own: the schema, and not its own parent. */
export function checkCategory(value: unknown): { category: Category | undefined; problems: RowProblem[] } {
  const problems: RowProblem[] = categoryShape(value).map((p) => ({ ...p, code: 'CATALOG_FIELD_INVALID' as const }));
  if (problems.length > 0) return { category: undefined, problems };
  const category = value as Category;
  if (category.parentId === category.id) {
    return {
      category: undefined,
      problems: [{ field: 'parentId', code: 'CATEGORY_INVALID', message: 'a category cannot be its own parent' }],
    };
  }
  return { category, problems };
}
