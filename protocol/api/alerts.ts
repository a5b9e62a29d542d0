import { ALERT_CAUSES, ALERT_SEVERITIES } from './alert-rules.ts';
import { DEVICE_KINDS } from './devices.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';
import { page, paging } from './parameters.ts';

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
/** `active` = open or acknowledged. */
export const ALERT_STATE_FILTERS = [...ALERT_STATES, 'active'] as const;
export type AlertStateFilter = (typeof ALERT_STATE_FILTERS)[number];

/** Who acknowledged or resolved an alert (a signed-in person or their API token). */
const actor = nullable(object({ userId: { type: 'string' }, username: { type: 'string' } }));

/** An alert (`GET /api/alerts`, the `alert` live event). */
export const AlertSchema = object({
  id: integer({ minimum: 1 }),
  thingName: { type: 'string' },
  storeId: { type: ['string', 'null'] },
  deviceKind: nullable(oneOfValues(DEVICE_KINDS)),
  cause: oneOfValues(ALERT_CAUSES),
  severity: oneOfValues(ALERT_SEVERITIES),
  state: oneOfValues(ALERT_STATES),
  message: { type: 'string' },
  /** What was measured when it opened (battery %, °C, the fault code, seconds offline). */
  value: { type: ['number', 'string', 'null'] },
  openedAt: epochMs,
  acknowledgedAt: nullableEpochMs,
  acknowledgedBy: actor,
  resolvedAt: nullableEpochMs,
  /** `null` when the fleet resolved it because the cause cleared. */
  resolvedBy: actor,
  note: { type: ['string', 'null'] },
});
export type Alert = FromSchema<typeof AlertSchema>;
export type AlertActor = NonNullable<Alert['acknowledgedBy']>;

/** `GET /api/alerts`: newest first. */
export const AlertListQuery = object(
  {
    state: oneOfValues(ALERT_STATE_FILTERS),
    storeId: { type: 'string', maxLength: 64 },
    thingName: { type: 'string', maxLength: 128 },
    severity: oneOfValues(ALERT_SEVERITIES),
    ...paging,
  },
  { optional: ['state', 'storeId', 'thingName', 'severity', 'limit', 'offset'] },
);
export type AlertListQuery = FromSchema<typeof AlertListQuery, 'checked'>;

export const AlertPageSchema = page(AlertSchema);
export type AlertPage = FromSchema<typeof AlertPageSchema>;

/** `/api/alerts/:id/...` */
export const AlertParams = object({ id: integer({ minimum: 1 }) });

/** `POST /api/alerts/:id/acknowledge` and `.../resolve` */
export const AlertNoteBody = object({ note: { type: 'string', maxLength: 500 } }, { optional: ['note'] });
export type AlertNoteBody = FromSchema<typeof AlertNoteBody>;
