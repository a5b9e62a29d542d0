import { epochMs, type FromSchema, integer, nullable, object } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { CategorySchema, ProductSchema, VariableMeasureLayoutSchema } from './catalog.ts';
import { EarnRuleSchema, RedemptionPolicySchema, TierSchema } from './loyalty.ts';
import { PromotionSchema } from './promotions.ts';

/**
 * scrypt's cost N (RFC 7914 §2: a power of two). Bounded, with `r`, so that one try never needs more than 32 MiB
 * (128·N·r bytes) nor much more than a tenth of a second on a cart, whatever a snapshot says.
 */
export const STAFF_VERIFIER_COSTS = [1024, 2048, 4096, 8192, 16384, 32768] as const;

/**
 * The scrypt parameters of one offline staff verifier, chosen by the fleet when the code was made and kept with it, so
 * that a later change of the fleet's choice leaves the codes already made working.
 */
export const StaffVerifierParamsSchema = object({
  N: { type: 'integer', enum: [...STAFF_VERIFIER_COSTS] },
  r: integer({ minimum: 1, maximum: 8 }),
  p: integer({ minimum: 1, maximum: 4 }),
  keyLength: integer({ minimum: 16, maximum: 64 }),
});
export type StaffVerifierParams = FromSchema<typeof StaffVerifierParamsSchema>;

const base64url = (maxLength: number) => ({ type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength }) as const;

/**
 * A person who may approve at a cart of this store (attendants:manage, the store in their scope, not disabled) and
 * whose staff code was made since offline verifiers exist (migration 25): `verifier` = scrypt(code, salt, params)
 * (`platform/staff-code-verifier.ts`), salt and verifier in base64url. It lets a cart without network accept only
 * real staff codes; docs/architecture.md, "Offline staff codes", says what it costs an attacker who copies it.
 */
export const OfflineStaffSchema = object({
  userId: { type: 'string', minLength: 1, maxLength: 64 },
  username: { type: 'string', minLength: 1, maxLength: 64 },
  salt: base64url(64),
  verifier: base64url(128),
  params: StaffVerifierParamsSchema,
});
export type OfflineStaff = FromSchema<typeof OfflineStaffSchema>;

/**
 * Everything a cart needs to price offline in one store: the store's catalog (store prices and availability already
 * applied), the promotions and earn rules in scope that have not ended, tiers, the redemption policy and the chain's
 * variable-measure layouts; and the offline verifiers of the staff codes that may approve there (`staff`, sorted by
 * user id; absent from a snapshot made before them: then no code verifies offline). Built by the fleet per store;
 * `version` grows with every change; the fleet keeps each version's validity interval so that it can honour a price
 * the cart showed.
 */
export const PricingSnapshotSchema = object(
  {
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
    staff: { type: 'array', items: OfflineStaffSchema, maxItems: 1000 },
  },
  { optional: ['staff'] },
);
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
