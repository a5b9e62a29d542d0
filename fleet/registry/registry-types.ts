import { z } from 'zod';
import { DEVICE_KINDS, type DeviceKind } from '../../protocol/api/devices.ts';
import { ID_PATTERN } from '../../protocol/api/parameters.ts';
import { ZONE_KINDS } from '../../protocol/api/stores.ts';
import {
  HARDWARE_MODEL_PATTERN,
  HARDWARE_MODEL_RULE,
  isAllowedThingName,
  type ProvisioningState,
  THING_NAME_RULE,
} from '../../protocol/topics.ts';

export { DEVICE_KINDS, type DeviceKind };

const id = z.string().regex(new RegExp(ID_PATTERN), 'ids are lower-case letters, digits and "-"');
const point = z.tuple([z.number(), z.number()]);

export const OpeningHoursSchema = z.record(
  z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']),
  z.array(z.tuple([z.string().regex(/^\d\d:\d\d$/), z.string().regex(/^\d\d:\d\d$/)])),
);

export const ChainSchema = z.strictObject({ id, name: z.string().min(1).max(120) });
export const StoreSchema = z.strictObject({
  id,
  chainId: id,
  name: z.string().min(1).max(120),
  region: z.string().max(64).nullable().default(null),
  timeZone: z.string().refine(isTimeZone, 'not an IANA time zone'),
  openingHours: OpeningHoursSchema,
  address: z.strictObject({
    street: z.string().max(200),
    city: z.string().max(100),
    postcode: z.string().max(20),
    country: z.string().length(2),
  }),
});
/** A zone of the floor plan: a polygon in metres in the store's own coordinate frame. */
export const ZoneSchema = z.strictObject({
  id,
  storeId: id,
  name: z.string().min(1).max(120),
  kind: z.enum(ZONE_KINDS),
  polygon: z.array(point).min(3),
});
export const ThingSchema = z.strictObject({
  thingName: z.string().refine(isAllowedThingName, THING_NAME_RULE),
  kind: z.enum(DEVICE_KINDS),
  hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE),
  storeId: id.nullable().default(null),
  zoneId: id.nullable().default(null),
  tags: z.array(z.string().min(1).max(64)).max(50).default([]),
  softwareVersion: z.string().max(64).nullable().default(null),
});

export type Chain = z.infer<typeof ChainSchema>;
export type Store = z.infer<typeof StoreSchema>;
export type Zone = z.infer<typeof ZoneSchema>;
export type Thing = z.infer<typeof ThingSchema> & {
  createdAt: number;
  updatedAt: number;
  /** `pending-approval`: provisioned by claim with a template that wants a technician's approval first. */
  provisioning: ProvisioningState;
  /** The provisioning template that created the thing; `null` when registered directly. */
  provisioningTemplate: string | null;
};
export type NewThing = z.input<typeof ThingSchema>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
