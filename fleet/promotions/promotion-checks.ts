import { PROMOTION_KINDS, type Promotion, PromotionSchema } from '../../protocol/commerce/promotions.ts';
import { type FieldProblem, schemaChecker } from '../catalog/schema-problems.ts';

/** What the checks read of the rest of the fleet: the catalog and the stores a promotion names. */
export interface PromotionReferences {
  productExists(sku: string): boolean;
  categoryExists(id: string): boolean;
  storeExists(id: string): boolean;
  regionExists(region: string): boolean;
}

// One checker per kind, chosen by `kind`: checked against the whole `oneOf`, a promotion with one wrong field would
// be answered with the failures of all six kinds.
const byKind = new Map(
  PromotionSchema.oneOf.map((schema) => [schema.properties.kind.const as string, schemaChecker(schema)]),
);

/**
 * Every problem of a promotion, as `{ field, message }`: the contract's schema for its kind, then the rules between
 * its fields (a window that ends before it starts, a date that does not exist, an hour range that ends before it
 * starts, a member price or multi-buy without a target, a discount of nothing, tiers on a promotion open to all),
 * then what it names must exist (SKUs, categories, stores, regions).
 */
export function promotionProblems(value: unknown, refs: PromotionReferences): FieldProblem[] {
  const kind = (value as { kind?: unknown } | null)?.kind;
  const check = typeof kind === 'string' ? byKind.get(kind) : undefined;
  if (!check) return [{ field: 'kind', message: `must be one of ${PROMOTION_KINDS.join(', ')}` }];
  const shape = check(value);
  if (shape.length > 0) return shape;
  const p = value as Promotion;
  const problems: FieldProblem[] = [];
  const at = (field: string, message: string) => problems.push({ field, message });

  for (const key of ['from', 'to'] as const) {
    if (!isCalendarDate(p.window[key])) at(`window.${key}`, `${p.window[key]} is not a date`);
  }
  if (p.window.from > p.window.to) at('window.to', `ends (${p.window.to}) before it starts (${p.window.from})`);
  if (p.window.weekdays && new Set(p.window.weekdays).size !== p.window.weekdays.length) {
    at('window.weekdays', 'lists a weekday twice');
  }
  p.window.hours?.forEach(([from, to], i) => {
    if (from >= to) at(`window.hours.${i}`, `${from}-${to} ends before it starts`);
  });
  const targeted = (p.target.skus?.length ?? 0) + (p.target.categoryIds?.length ?? 0) > 0;
  if ((p.kind === 'member_price' || p.kind === 'multi_buy') && !targeted) {
    at('target', `a ${p.kind} promotion names the SKUs or categories it prices`);
  }
  if (p.memberTiers.length > 0 && !p.memberOnly) at('memberTiers', 'tiers apply only to a memberOnly promotion');
  if ((p.kind === 'amount_off' || p.kind === 'spend_threshold') && p.amountOffFen === 0) {
    at('amountOffFen', 'takes off more than 0');
  }
  if (p.kind === 'multi_buy' && p.priceFen === 0) at('priceFen', 'a multi-buy price is above 0');
  if (p.kind === 'member_price' && p.priceFen === 0) at('priceFen', 'a member price is above 0');
  if (p.kind === 'spend_threshold' && p.amountOffFen > p.minSpendFen) {
    at('amountOffFen', `takes off more (${p.amountOffFen}) than the spend it needs (${p.minSpendFen})`);
  }

  p.target.skus?.forEach((sku, i) => {
    if (!refs.productExists(sku)) at(`target.skus.${i}`, `no product '${sku}'`);
  });
  p.target.categoryIds?.forEach((id, i) => {
    if (!refs.categoryExists(id)) at(`target.categoryIds.${i}`, `no category '${id}'`);
  });
  p.scope.storeIds.forEach((id, i) => {
    if (!refs.storeExists(id)) at(`scope.storeIds.${i}`, `no store '${id}'`);
  });
  p.scope.regions.forEach((region, i) => {
    if (!refs.regionExists(region)) at(`scope.regions.${i}`, `no store is in region '${region}'`);
  });
  return problems;
}

function isCalendarDate(text: string): boolean {
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
