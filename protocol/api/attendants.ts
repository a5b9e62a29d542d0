import { ATTENDANT_DECISIONS, ATTENDANT_REQUEST_STATES, AttendantRequestSchema } from '../commerce/attendant.ts';
import { staffCodeString } from '../commerce/orders.ts';
import { type FromSchema, integer, object } from './json-schema.ts';
import { idString, paging } from './parameters.ts';

/** `GET /api/attendants/requests`: the queue (open by default) of the caller's stores, oldest first when open. */
export const AttendantQueueQuery = object(
  { storeId: idString, state: { type: 'string', enum: [...ATTENDANT_REQUEST_STATES], default: 'open' }, ...paging },
  { optional: ['storeId', 'state', 'limit', 'offset'] },
);
export type AttendantQueueQuery = FromSchema<typeof AttendantQueueQuery, 'checked'>;

export const AttendantQueueSchema = object({
  items: { type: 'array', items: AttendantRequestSchema },
  total: integer({ minimum: 0 }),
});

export const AttendantRequestParams = object({ requestId: { type: 'string', pattern: '^att_[a-z2-7]{16}$' } });

/** `POST /api/attendants/requests/:requestId/resolve` */
export const ResolveAttendantBody = object(
  { decision: { type: 'string', enum: [...ATTENDANT_DECISIONS] }, note: { type: 'string', maxLength: 500 } },
  { optional: ['note'] },
);
export type ResolveAttendantBody = FromSchema<typeof ResolveAttendantBody>;

/** `POST /api/attendants/staff-code`: a new staff code for the caller, shown once (the old one stops working). */
export const StaffCodeSchema = object({ code: staffCodeString });
