import { epochMs, type FromSchema, integer, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { PERMISSIONS } from './roles.ts';
import { UserSchema } from './users.ts';

/** `POST /api/auth/login` */
export const LoginBody = object({
  username: { type: 'string', minLength: 1, maxLength: 64 },
  password: { type: 'string', minLength: 1, maxLength: 256 },
});
export type LoginBody = FromSchema<typeof LoginBody>;

/** The value to send as `x-cf-csrf` on every state-changing request made with the session cookie. */
const csrf = { type: 'string', description: 'send it as the x-cf-csrf header with the session cookie' } as const;

/** The answer to a sign-in; the session itself is the `cf_session` cookie. */
export const SignedInSchema = object({ user: UserSchema, csrf });
export type SignedIn = FromSchema<typeof SignedInSchema>;

/** `GET /api/auth/me`: who the caller is, what they may do and where. */
export const MeSchema = object({
  user: UserSchema,
  /** `null` for a caller signed in with an API token (no CSRF needed). */
  csrf: { type: ['string', 'null'] },
  permissions: { type: 'array', items: oneOfValues(PERMISSIONS) },
  /** The stores in scope, regions resolved; `null` = the whole chain. */
  storeIds: { type: ['array', 'null'], items: { type: 'string' } },
});
export type Me = FromSchema<typeof MeSchema>;

/** `POST /api/auth/password` */
export const PasswordChangeBody = object({
  currentPassword: { type: 'string', minLength: 1, maxLength: 256 },
  newPassword: { type: 'string', minLength: 1, maxLength: 256 },
});
export type PasswordChangeBody = FromSchema<typeof PasswordChangeBody>;

const tokenProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  createdAt: epochMs,
  expiresAt: nullableEpochMs,
  lastUsedAt: nullableEpochMs,
} as const;

/** An API token as listed (`GET /api/auth/tokens`): never the secret. */
export const ApiTokenSchema = object(tokenProperties);
export type ApiToken = FromSchema<typeof ApiTokenSchema>;

/** `POST /api/auth/tokens` */
export const NewTokenBody = object(
  { name: { type: 'string', minLength: 1, maxLength: 80 }, expiresInDays: integer({ minimum: 1, maximum: 3650 }) },
  { optional: ['expiresInDays'] },
);
export type NewTokenBody = FromSchema<typeof NewTokenBody>;

/** The new token with its secret (`cft_...`), shown this once. */
export const CreatedTokenSchema = object({
  ...tokenProperties,
  token: { type: 'string', description: 'the secret (cft_...), shown once' },
});
export type CreatedToken = FromSchema<typeof CreatedTokenSchema>;
