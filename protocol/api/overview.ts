import { DeviceSummarySchema } from './devices.ts';
import { type FromSchema, integer, object } from './json-schema.ts';

const count = integer({ minimum: 0 });
const presenceCountProperties = { online: count, offline: count, neverConnected: count } as const;
const presenceCounts = object(presenceCountProperties);
export type PresenceCounts = FromSchema<typeof presenceCounts>;

/** `GET /api/overview`: the fleet at a glance, in the caller's scope. */
export const OverviewSchema = object({
  devices: object({
    total: count,
    ...presenceCountProperties,
    byKind: object({ cart: presenceCounts, speaker: presenceCounts }),
    byStore: {
      type: 'array',
      items: object({ storeId: { type: 'string' }, name: { type: 'string' }, ...presenceCountProperties }),
    },
  }),
  /** Exact counts, however many are open. */
  alerts: object({ open: count, acknowledged: count, critical: count }),
  /** Devices needing attention (active alerts, offline, waiting for approval, low battery), most urgent first, ≤ 20. */
  attention: { type: 'array', maxItems: 20, items: DeviceSummarySchema },
});
export type Overview = FromSchema<typeof OverviewSchema>;
