import { type FromSchema, object, oneOfValues } from './json-schema.ts';

export const ZONE_KINDS = ['entrance', 'aisle', 'department', 'checkout', 'dock', 'other'] as const;
export type ZoneKind = (typeof ZONE_KINDS)[number];

const point = {
  type: 'array',
  items: [{ type: 'number' }, { type: 'number' }],
  minItems: 2,
  maxItems: 2,
  additionalItems: false,
  description: '[x, y] in metres, in the store’s own frame',
} as const;

/** A zone of the floor plan: a polygon in metres in the store's own coordinate frame. */
export const ZoneSchema = object({
  id: { type: 'string' },
  name: { type: 'string' },
  kind: oneOfValues(ZONE_KINDS),
  polygon: { type: 'array', items: point },
});
export type Zone = FromSchema<typeof ZoneSchema>;

const hoursRange = {
  type: 'array',
  items: [{ type: 'string' }, { type: 'string' }],
  minItems: 2,
  maxItems: 2,
  additionalItems: false,
  description: '["09:00", "21:30"], in the store’s time zone',
} as const;

/** A store with its floor zones (`GET /api/stores`, `GET /api/stores/:storeId`). */
export const StoreSchema = object({
  id: { type: 'string' },
  chainId: { type: 'string' },
  name: { type: 'string' },
  region: { type: ['string', 'null'] },
  /** IANA time zone, e.g. `Asia/Shanghai`. */
  timeZone: { type: 'string' },
  /** Opening hours by day (`mon`...`sun`); a day without an entry is closed. */
  openingHours: { type: 'object', additionalProperties: { type: 'array', items: hoursRange } },
  address: object({
    street: { type: 'string' },
    city: { type: 'string' },
    postcode: { type: 'string' },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
  }),
  zones: { type: 'array', items: ZoneSchema },
});
export type Store = FromSchema<typeof StoreSchema>;
