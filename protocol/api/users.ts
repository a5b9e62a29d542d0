import { epochMs, type FromSchema, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { ID_PATTERN } from './parameters.ts';
import { ROLES } from './roles.ts';

/** Someone who can sign in (`GET /api/users`, `user` of sign-in and `GET /api/auth/me`). The password never leaves. */
export const UserSchema = object({
  id: { type: 'string' },
  username: { type: 'string' },
  displayName: { type: 'string' },
  role: oneOfValues(ROLES),
  /** Stores in scope; empty for hq-admin (the whole chain). */
  storeIds: { type: 'array', items: { type: 'string' } },
  /** Regions in scope: every store of the region, including stores added later. */
  regions: { type: 'array', items: { type: 'string' } },
  mustChangePassword: { type: 'boolean' },
  disabled: { type: 'boolean' },
  createdAt: epochMs,
  lastLoginAt: nullableEpochMs,
});
export type User = FromSchema<typeof UserSchema>;

const storeIds = { type: 'array', maxItems: 500, items: { type: 'string', pattern: ID_PATTERN } } as const;
const regions = { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 120 } as const;

/** `POST /api/users` */
export const NewUserBody = object(
  {
    username: { type: 'string', minLength: 2, maxLength: 64 },
    displayName,
    role: oneOfValues(ROLES),
    storeIds,
    regions,
  },
  { optional: ['storeIds', 'regions'] },
);
export type NewUserBody = FromSchema<typeof NewUserBody>;

/** `PATCH /api/users/:id`: at least one change. */
export const UserChangesBody = {
  ...object(
    { displayName, role: oneOfValues(ROLES), storeIds, regions, disabled: { type: 'boolean' } },
    { optional: ['displayName', 'role', 'storeIds', 'regions', 'disabled'] },
  ),
  minProperties: 1,
};
export type UserChangesBody = FromSchema<typeof UserChangesBody>;

/** A one-time password the user must replace at their first sign-in; shown once. */
const oneTimePassword = { type: 'string', description: 'shown once; must be changed at first sign-in' } as const;

/** `POST /api/users` answers 201 with this. */
export const CreatedUserSchema = object({ user: UserSchema, oneTimePassword });
export type CreatedUser = FromSchema<typeof CreatedUserSchema>;

/** `POST /api/users/:id/reset-password` */
export const PasswordResetSchema = object({ oneTimePassword });
export type PasswordReset = FromSchema<typeof PasswordResetSchema>;
