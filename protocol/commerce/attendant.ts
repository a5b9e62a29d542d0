import { epochMs, type FromSchema, nullable, nullableEpochMs, object, oneOfValues } from '../api/json-schema.ts';
import { idString } from '../api/parameters.ts';
import { orderIdString, staffCodeString } from './orders.ts';

/** Why a cart calls an attendant. `offline-payment`: an order paid at the desk (plan decision 11) to settle. */
export const ATTENDANT_REASONS = ['age-check', 'weight-mismatch', 'unknown-item', 'offline-payment', 'help'] as const;
export type AttendantReason = (typeof ATTENDANT_REASONS)[number];

export const ATTENDANT_REQUEST_STATES = ['open', 'approved', 'rejected', 'cancelled'] as const;
export type AttendantRequestState = (typeof ATTENDANT_REQUEST_STATES)[number];

export const ATTENDANT_DECISIONS = ['approve', 'reject'] as const;
export type AttendantDecision = (typeof ATTENDANT_DECISIONS)[number];

/** How a request was resolved: on the console by a signed-in attendant, or by a staff code typed on the cart. */
export const ATTENDANT_RESOLVED_VIA = ['console', 'staff-code', 'cart'] as const;

export const attendantRequestIdString = { type: 'string', pattern: '^att_[a-z2-7]{16}$' } as const;

/**
 * A call the cart approved by itself while it had no network: an attendant typed a staff code that the store's
 * snapshot verified offline (`staff` in protocol/commerce/snapshot.ts). `userId`: whose verifier matched; `at`: the
 * cart's clock then.
 */
export const OfflineApprovalClaimSchema = object({
  userId: { type: 'string', minLength: 1, maxLength: 64 },
  at: epochMs,
});

/**
 * How the fleet recorded an offline approval when it arrived: checked again like an online code. `refusal`: null when
 * the code verified as `userId`'s; otherwise the error code (`STAFF_CODE_INVALID`: wrong now, rotated since, the
 * person disabled or moved, or another person's; also when the fleet's throttle held it) — the request is then left
 * open in the store's queue and the trip's order gets an event, for a person to look at.
 */
export const OfflineApprovalSchema = object({
  ...OfflineApprovalClaimSchema.properties,
  refusal: nullable({ type: 'string' }),
});
export type OfflineApproval = FromSchema<typeof OfflineApprovalSchema>;

/** One call for an attendant (`GET /api/attendants/requests`, the `attendant-request` live event). */
export const AttendantRequestSchema = object({
  id: attendantRequestIdString,
  storeId: idString,
  thingName: { type: 'string' },
  sessionId: nullable({ type: 'string' }),
  zoneId: nullable({ type: 'string' }),
  reason: oneOfValues(ATTENDANT_REASONS),
  details: { type: 'string', maxLength: 500 },
  orderId: nullable({ type: 'string' }),
  state: oneOfValues(ATTENDANT_REQUEST_STATES),
  createdAt: epochMs,
  resolvedAt: nullableEpochMs,
  /** The attendant's user id (null while open, or when the cart cancelled). */
  resolvedBy: nullable({ type: 'string' }),
  resolvedVia: nullable(oneOfValues(ATTENDANT_RESOLVED_VIA)),
  note: nullable({ type: 'string' }),
  /** Set when the cart approved the call itself while offline (see OfflineApprovalSchema). */
  offlineApproval: nullable(OfflineApprovalSchema),
});
export type AttendantRequest = FromSchema<typeof AttendantRequestSchema>;

/**
 * The cart's `attendant-request` (besides `clientToken`). `staffCode`: an attendant standing at the cart typed
 * their code on its screen, so the request is approved at once (the age check of a beer), audited with their
 * user id; a wrong code is `STAFF_CODE_INVALID` and creates nothing. `approvedOffline`: the cart already approved it
 * offline (then the call comes through the outbox, with the code, when the network returns): the fleet records it
 * either way and never tells the cart (it acted long ago; a late `attendant-resolved` would unlock another trip).
 */
export const AttendantCallSchema = object(
  {
    reason: oneOfValues(ATTENDANT_REASONS),
    details: { type: 'string', maxLength: 500 },
    sessionId: nullable({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    orderId: orderIdString,
    staffCode: staffCodeString,
    approvedOffline: OfflineApprovalClaimSchema,
  },
  { optional: ['details', 'orderId', 'staffCode', 'approvedOffline'] },
);
export type AttendantCall = FromSchema<typeof AttendantCallSchema>;

/** The `notify/attendant-resolved` push (and the answer to a call approved at once by a staff code). */
export const AttendantResolvedSchema = object({
  requestId: attendantRequestIdString,
  reason: oneOfValues(ATTENDANT_REASONS),
  state: oneOfValues(ATTENDANT_REQUEST_STATES),
  resolvedBy: nullable({ type: 'string' }),
  resolvedVia: nullable(oneOfValues(ATTENDANT_RESOLVED_VIA)),
  at: epochMs,
});
export type AttendantResolved = FromSchema<typeof AttendantResolvedSchema>;
