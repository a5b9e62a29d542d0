import { SHADOW_NAME_PATTERN, THING_NAME_PATTERN } from '../topics.ts';
import { type FromSchema, integer, object } from './json-schema.ts';

/** Ids of stores, zones, chains and alert rules: lower-case letters, digits and `-`, at most 64 characters. */
export const ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
export const idString = { type: 'string', pattern: ID_PATTERN } as const;

export const thingNameString = { type: 'string', pattern: THING_NAME_PATTERN.source } as const;
export const shadowNameString = { type: 'string', pattern: SHADOW_NAME_PATTERN.source } as const;

/** `/:thingName` */
export const ThingParams = object({ thingName: thingNameString });
/** `/:id` of users, tokens and commands. */
export const IdParams = object({ id: { type: 'string', minLength: 1, maxLength: 64 } });
/** `/:storeId` */
export const StoreParams = object({ storeId: { type: 'string', minLength: 1, maxLength: 64 } });

/** `?limit&offset` of the paged lists. */
export const paging = {
  limit: integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: integer({ minimum: 0, default: 0 }),
} as const;

/** One page of a list, and how many match in all. */
export function page<const S extends object>(items: S) {
  return object({ items: { type: 'array', items }, total: integer({ minimum: 0 }) });
}

/** What every `page()` schema derives to, for code that handles any paged list (the console's pager). */
export interface Page<T> {
  items: T[];
  total: number;
}

export type ThingParams = FromSchema<typeof ThingParams>;
