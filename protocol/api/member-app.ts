import { memberNumberString } from '../commerce/loyalty.ts';
import { fen, points } from '../commerce/money.ts';
import { LocalizedTextSchema } from '../commerce/text.ts';
import { epochMs, type FromSchema, integer, nullable, object } from './json-schema.ts';
import { idString } from './parameters.ts';

/**
 * The member app (`/member`, `/api/member-app/...`): what a member's own phone reads and sends. A member signs in
 * with their member number and a 6-digit PIN they chose themselves through a single-use enrolment link that staff
 * made for them (`POST /api/members/:id/app-link`); the session is the `cf_member` cookie, which only the
 * member-app routes read and which no staff route accepts.
 */

/** Six digits, chosen by the member (the fleet refuses one digit repeated and straight runs: MEMBER_PIN_WEAK). */
export const MEMBER_PIN_PATTERN = '^\\d{6}$';
const pin = { type: 'string', pattern: MEMBER_PIN_PATTERN, description: 'the member’s 6-digit PIN' } as const;

/** `POST /api/member-app/login` */
export const MemberAppLoginBody = object({ memberNumber: memberNumberString, pin });
export type MemberAppLoginBody = FromSchema<typeof MemberAppLoginBody>;

/** The secret of an enrolment link: the part after `#enrol=` (256 random bits, base64url). */
export const enrolmentToken = { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' } as const;

/** `POST /api/member-app/enrol`: redeems an enrolment link, sets the PIN and signs in. */
export const MemberAppEnrolBody = object({ token: enrolmentToken, pin });
export type MemberAppEnrolBody = FromSchema<typeof MemberAppEnrolBody>;

/** A coupon as the member reads it: the promotion's name rather than its id. */
export const MemberAppCouponSchema = object({
  id: { type: 'string' },
  promotionName: nullable(LocalizedTextSchema),
  minSpendFen: fen,
  validFrom: epochMs,
  validTo: epochMs,
});

/**
 * `GET /api/member-app/me`: the signed-in member's own card. The points are their pool's (the family's when they
 * are in one); of the family only its size and whether they own it, never the other members' data.
 */
export const MemberAppProfileSchema = object({
  memberNumber: memberNumberString,
  displayName: { type: 'string' },
  tier: object({ id: idString, name: nullable(LocalizedTextSchema) }),
  /** The pool's spendable points (never below 0). */
  balancePoints: points,
  family: nullable(object({ members: integer({ minimum: 1 }), owner: { type: 'boolean' } })),
  /** Usable now or later: issued, not used, revoked or expired. */
  coupons: { type: 'array', items: MemberAppCouponSchema },
  csrf: { type: 'string', description: 'send it as the x-cf-csrf header on POST with the cf_member cookie' },
});
export type MemberAppProfile = FromSchema<typeof MemberAppProfileSchema>;

/** One 30 s step's member code (`CFM1.{memberNumber}.{totp6}`) and its QR. */
export const MemberCodeStepSchema = object({
  code: { type: 'string', description: 'CFM1.{memberNumber}.{totp6}' },
  /** When this code's step ends, by the fleet's clock. */
  expiresAt: epochMs,
  qrSvg: { type: 'string', description: 'the code as a QR code, an SVG document (show it as an image)' },
});

/**
 * `GET /api/member-app/code`: the code of the fleet's current step and of the next one. The app shows `current`
 * until its `expiresAt` and then `next` at once, with no request at the boundary, and fetches again then; times
 * are the fleet's (`serverTime` is its now: the app corrects for its own clock). Handing out the next code early
 * widens nothing: the fleet accepts a code one step either side of its own (RFC 6238 §5.2), so the next step's
 * code is already good now.
 */
export const MemberAppCodeSchema = object({
  serverTime: epochMs,
  current: MemberCodeStepSchema,
  next: MemberCodeStepSchema,
});
export type MemberAppCode = FromSchema<typeof MemberAppCodeSchema>;

/**
 * `POST /api/members/:id/app-link` (staff, members:write): a single-use enrolment link for the member's phone. It
 * replaces the member's earlier unused links; redeeming it sets a new PIN and ends the member's app sessions.
 */
export const MemberAppLinkSchema = object({
  url: { type: 'string', description: '{publicUrl}/member#enrol={token}: open it on the member’s phone' },
  expiresAt: epochMs,
  qrSvg: { type: 'string', description: 'the link as a QR code (SVG document)' },
});
export type MemberAppLink = FromSchema<typeof MemberAppLinkSchema>;
