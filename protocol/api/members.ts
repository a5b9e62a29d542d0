import { type MemberContext, memberNumberString } from '../commerce/loyalty.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { CouponRecordSchema } from './loyalty.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * Members of the loyalty program, their family accounts and their points ledger (`/api/members`, `/api/families`).
 * Members are chain-wide: a member earns in one store and redeems in another.
 */

const displayName = { type: 'string', minLength: 1, maxLength: 64 } as const;
const phone = {
  type: 'string',
  pattern: '^\\+?[0-9 -]{5,20}$',
  description: 'personal data: answered masked',
} as const;

/** A member as lists and detail pages show them. The phone number leaves the fleet masked (`138****5678`). */
export const MemberSchema = object({
  id: idString,
  memberNumber: memberNumberString,
  displayName,
  phoneMasked: nullable({ type: 'string' }),
  tierId: idString,
  familyId: nullable(idString),
  disabled: { type: 'boolean' },
  createdAt: epochMs,
});
export type Member = FromSchema<typeof MemberSchema>;

/** Signed: a refund may take back points already spent, leaving a pool below zero until it earns again. */
export const signedPoints = integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, description: 'points, signed' });

export const FamilyMemberSchema = object({
  id: idString,
  memberNumber: memberNumberString,
  displayName,
  owner: { type: 'boolean' },
});

/** A family account: an owner and up to {@link MAX_FAMILY_MEMBERS} members sharing one points pool. */
export const FamilySchema = object({
  id: idString,
  ownerId: idString,
  members: { type: 'array', items: FamilyMemberSchema },
  createdAt: epochMs,
});
export type Family = FromSchema<typeof FamilySchema>;

/** Members besides the owner. */
export const MAX_FAMILY_MEMBERS = 5;

/** `GET /api/members/:id`: the member, their pool's balance, their family and their coupons. */
export const MemberDetailSchema = object({
  member: MemberSchema,
  poolId: idString,
  balancePoints: signedPoints,
  family: nullable(FamilySchema),
  coupons: { type: 'array', items: CouponRecordSchema },
});
export type MemberDetail = FromSchema<typeof MemberDetailSchema>;

/** `GET /api/members?q=`: `q` matches a member number (prefix), a name (part) or a whole phone number. */
export const MemberListQuery = object(
  { q: { type: 'string', minLength: 1, maxLength: 64 }, tierId: idString, ...paging },
  { optional: ['q', 'tierId', 'limit', 'offset'] },
);
export type MemberListQuery = FromSchema<typeof MemberListQuery, 'checked'>;
export const MemberPageSchema = page(MemberSchema);
export type MemberPage = FromSchema<typeof MemberPageSchema>;

/** `POST /api/members`: the member number is assigned when not given; the tier defaults to `standard`. */
export const NewMemberBody = object(
  { id: idString, memberNumber: memberNumberString, displayName, phone, tierId: idString },
  { optional: ['id', 'memberNumber', 'phone', 'tierId'] },
);
export type NewMemberBody = FromSchema<typeof NewMemberBody>;

/** `PATCH /api/members/:id`: at least one change; `phone: null` removes the number. */
export const MemberChangesBody = {
  ...object(
    { displayName, phone: nullable(phone), tierId: idString, disabled: { type: 'boolean' } },
    { optional: ['displayName', 'phone', 'tierId', 'disabled'] },
  ),
  minProperties: 1,
};
export type MemberChangesBody = FromSchema<typeof MemberChangesBody>;

export const MemberParams = object({ id: idString });

/** `GET /api/members/:id/code`: what the member app shows now (for the demo's member app and tests). */
export const MemberCodeSchema = object({
  memberId: idString,
  code: { type: 'string', description: 'CFM1.{memberNumber}.{totp6}' },
  expiresAt: { ...epochMs, description: 'when this code’s 30 s step ends (it is accepted one step longer)' },
});
export type MemberCode = FromSchema<typeof MemberCodeSchema>;

/**
 * What a ledger entry records. A redemption is a hold (negative) that is then captured (0: the hold stands) or
 * released (the points come back); a refund reverses earned points (`earn-reversal`) and gives back captured ones
 * (`redeem-refund`); `transfer` moves a member's own balance into the family pool they join.
 */
export const LEDGER_ENTRY_KINDS = [
  'earn',
  'earn-reversal',
  'redeem-hold',
  'redeem-release',
  'redeem-capture',
  'redeem-refund',
  'adjust',
  'transfer',
] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

export const LedgerEntrySchema = object({
  id: integer({ minimum: 1 }),
  poolId: idString,
  /** Who made it: in a family pool, the member whose order or adjustment it was. */
  memberId: idString,
  memberNumber: memberNumberString,
  memberName: displayName,
  storeId: nullable({ type: 'string' }),
  kind: oneOfValues(LEDGER_ENTRY_KINDS),
  points: signedPoints,
  orderId: nullable({ type: 'string' }),
  holdId: nullable({ type: 'string' }),
  refundId: nullable({ type: 'string' }),
  createdAt: epochMs,
  /** The user who made an adjustment. */
  actorId: nullable({ type: 'string' }),
  note: nullable({ type: 'string' }),
});
export type LedgerEntry = FromSchema<typeof LedgerEntrySchema>;

export const LedgerQuery = object(paging, { optional: ['limit', 'offset'] });
export type LedgerQuery = FromSchema<typeof LedgerQuery, 'checked'>;

/** `GET /api/members/:id/ledger`: the entries of the member's pool, newest first, and its balance (their sum). */
export const LedgerPageSchema = object({
  poolId: idString,
  balancePoints: signedPoints,
  items: { type: 'array', items: LedgerEntrySchema },
  total: integer({ minimum: 0 }),
});
export type LedgerPage = FromSchema<typeof LedgerPageSchema>;

/** `POST /api/members/:id/points/adjust` (points:adjust): a correction, with the reason, audited. */
export const PointsAdjustBody = object({
  points: { ...signedPoints, not: { const: 0 } },
  note: { type: 'string', minLength: 1, maxLength: 500 },
});
export type PointsAdjustBody = FromSchema<typeof PointsAdjustBody>;

/** `POST /api/families` */
export const NewFamilyBody = object({ ownerId: idString });
/** `POST /api/families/:id/members` */
export const FamilyMemberBody = object({ memberId: idString });
export const FamilyParams = object({ id: idString });
export const FamilyMemberParams = object({ id: idString, memberId: idString });

export type { MemberContext };
