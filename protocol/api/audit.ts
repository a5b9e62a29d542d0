import { epochMs, type FromSchema, integer, object } from './json-schema.ts';
import { page, paging } from './parameters.ts';

/**
 * One audit log entry: who changed what, when, from where. Actions: `shadow.desired`, `command.send`, `user.create`,
 * `user.update`, `user.reset-password`, `device.register`, `device.update`, `device.revoke`, `device.approve`,
 * `alert.acknowledge`, `alert.resolve`, `alert-rules.update`, `token.create`, `token.delete`, `auth.login`,
 * `auth.login-failed`, `auth.password`, `catalog.import`, `catalog.product.*`, `catalog.category.*`,
 * `catalog.layouts.update`, `catalog.store-price.*`, `promotion.*`, `content.upload`, `content.update`,
 * `content.delete`.
 */
export const AuditEntrySchema = object({
  id: integer({ minimum: 1 }),
  at: epochMs,
  /** `id` is `null` for a failed sign-in (the username as typed). */
  actor: object({ id: { type: ['string', 'null'] }, username: { type: 'string' } }),
  action: { type: 'string' },
  targetType: { type: 'string' },
  targetId: { type: ['string', 'null'] },
  storeId: { type: ['string', 'null'] },
  ip: { type: ['string', 'null'] },
  userAgent: { type: ['string', 'null'] },
  /** What changed (per action; e.g. `before`/`after`). */
  details: { type: 'object', additionalProperties: true },
});
export type AuditEntry = FromSchema<typeof AuditEntrySchema>;

/** `GET /api/audit`: newest first; store managers see entries about their stores and their own actions. */
export const AuditQuery = object(
  {
    actor: { type: 'string', maxLength: 64 },
    action: { type: 'string', maxLength: 64 },
    targetId: { type: 'string', maxLength: 128 },
    storeId: { type: 'string', maxLength: 64 },
    from: integer({ minimum: 0 }),
    to: integer({ minimum: 0 }),
    ...paging,
  },
  { optional: ['actor', 'action', 'targetId', 'storeId', 'from', 'to', 'limit', 'offset'] },
);
export type AuditQuery = FromSchema<typeof AuditQuery, 'checked'>;

export const AuditPageSchema = page(AuditEntrySchema);
export type AuditPage = FromSchema<typeof AuditPageSchema>;
