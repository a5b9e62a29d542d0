import { epochMs, type FromSchema, integer, nullable, object } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { CategorySchema, ProductSchema, VariableMeasureLayoutSchema } from './catalog.ts';
import { EarnRuleSchema, RedemptionPolicySchema, TierSchema } from './loyalty.ts';
import { PromotionSchema } from './promotions.ts';

/**
 * Everything a cart needs to price offline in one store: the store's catalog (store prices and availability already
 * applied), the promotions and earn rules in scope that have not ended, tiers, the redemption policy and the chain's
 * variable-measure layouts. Built by the fleet per store; `version` grows with every change; the fleet keeps each
 * version's validity interval so that it can honour a price the cart showed.
 */
export const PricingSnapshotSchema = object({
  version: integer({ minimum: 1 }),
  storeId: idString,
  builtAt: epochMs,
  store: object({
    id: idString,
    region: nullable({ type: 'string' }),
    timeZone: { type: 'string' },
  }),
  categories: { type: 'array', items: CategorySchema },
  products: { type: 'array', items: ProductSchema },
  promotions: { type: 'array', items: PromotionSchema },
  earnRules: { type: 'array', items: EarnRuleSchema },
  tiers: { type: 'array', items: TierSchema },
  redemption: RedemptionPolicySchema,
  variableMeasureLayouts: { type: 'array', items: VariableMeasureLayoutSchema },
});
export type PricingSnapshot = FromSchema<typeof PricingSnapshotSchema>;

/** How a snapshot is announced to a cart (named shadow `commerce`, `desired.pricingSnapshot`). */
export const SnapshotAnnouncementSchema = object({
  version: integer({ minimum: 1 }),
  streamId: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,128}$' },
  fileId: integer({ minimum: 0, maximum: 255 }),
  size: integer({ minimum: 1 }),
  sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
});
export type SnapshotAnnouncement = FromSchema<typeof SnapshotAnnouncementSchema>;
