import { type FromSchema, object } from '../api/json-schema.ts';
import { AttendantCallSchema, attendantRequestIdString } from './attendant.ts';
import type { CommerceOperation } from './commerce-topics.ts';
import { OrderSubmissionSchema, orderIdString } from './orders.ts';

/**
 * The payloads of the cart's commerce requests (`cx/cartfleet/{thing}/{operation}`), each with the `clientToken`
 * the fleet echoes in its answer (AWS's shadow requests do the same). A payload that is not JSON is rejected with
 * PAYLOAD_INVALID_JSON, one that breaks its schema with PAYLOAD_SCHEMA.
 */
export const clientTokenString = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const MemberLoginRequestSchema = object({
  clientToken: clientTokenString,
  /** The member code shown by the member app: `CFM1.{memberNumber}.{totp6}`. */
  code: { type: 'string', minLength: 1, maxLength: 64 },
});

export const OrderSubmitRequestSchema = object({ clientToken: clientTokenString, order: OrderSubmissionSchema });

export const OrderCancelRequestSchema = object({ clientToken: clientTokenString, orderId: orderIdString });

export const AttendantRequestRequestSchema = object({
  clientToken: clientTokenString,
  request: AttendantCallSchema,
});

export const AttendantCancelRequestSchema = object({
  clientToken: clientTokenString,
  requestId: attendantRequestIdString,
});

/** Each operation's request schema: the one place the gateway and the cart find them. */
export const COMMERCE_REQUEST_SCHEMAS = {
  'member-login': MemberLoginRequestSchema,
  'order-submit': OrderSubmitRequestSchema,
  'order-cancel': OrderCancelRequestSchema,
  'attendant-request': AttendantRequestRequestSchema,
  'attendant-cancel': AttendantCancelRequestSchema,
} as const satisfies Record<CommerceOperation, object>;

export type CommerceRequests = {
  [K in CommerceOperation]: FromSchema<(typeof COMMERCE_REQUEST_SCHEMAS)[K]>;
};

/** The answer on `.../{operation}/rejected`. `clientToken` is null when the payload was not JSON. */
export const CommerceRejectionSchema = object({
  clientToken: { type: ['string', 'null'] },
  code: { type: 'string' },
  message: { type: 'string' },
});
export type CommerceRejection = FromSchema<typeof CommerceRejectionSchema>;
