import { PROMOTION_KINDS, PromotionSchema } from '../commerce/promotions.ts';
import { epochMs, type FromSchema, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * The promotions API. A promotion's shape is the commerce contract's (`protocol/commerce/promotions.ts`); this file
 * holds the requests and the record around it (who owns it, who changed it when).
 */

/** `/api/promotions/:id` */
export const PromotionParams = object({ id: idString });

/**
 * Who may change a promotion: `chain` ones (written by a chain-wide role) only chain-wide roles; `stores` ones
 * (written by a store manager, scoped to stores only) also the managers of all of their stores.
 */
export const PROMOTION_OWNERS = ['chain', 'stores'] as const;
export type PromotionOwner = (typeof PROMOTION_OWNERS)[number];

/** `GET /api/promotions`: by id; a store manager sees the promotions that run in their stores. */
export const PromotionListQuery = object(
  {
    /** Promotions that run in this store (its own, its region's and the chain's). */
    storeId: { type: 'string', minLength: 1, maxLength: 64 },
    /**
     * Promotions whose window is open at this instant (dates, weekdays and hours in the store's time zone; without
     * `storeId`, in the chain's first store's zone).
     */
    activeAt: epochMs,
    kind: oneOfValues(PROMOTION_KINDS),
    ...paging,
  },
  { optional: ['storeId', 'activeAt', 'kind', 'limit', 'offset'] },
);
export type PromotionListQuery = FromSchema<typeof PromotionListQuery, 'checked'>;

/** A stored promotion with its bookkeeping. */
export const PromotionRecordSchema = object({
  promotion: PromotionSchema,
  owner: oneOfValues(PROMOTION_OWNERS),
  createdAt: epochMs,
  createdBy: { type: 'string' },
  updatedAt: epochMs,
  updatedBy: { type: 'string' },
});
export type PromotionRecord = FromSchema<typeof PromotionRecordSchema>;

export const PromotionPageSchema = page(PromotionRecordSchema);
export type PromotionPage = FromSchema<typeof PromotionPageSchema>;

/**
 * `PUT /api/promotions/:id`: the promotion (its `id` must be the path's). Checked as a whole: every problem is
 * answered at once as `400 PROMOTION_INVALID` with `details: [{ field, message }]`.
 */
export const PromotionBody = PromotionSchema;
