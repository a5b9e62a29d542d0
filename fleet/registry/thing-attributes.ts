import type { Thing } from './registry-types.ts';

/**
 * A thing's attributes as policies see them: `${iot:Connection.Thing.Attributes[storeId]}`. AWS IoT keeps free-form
 * name-value attributes per thing; this registry has none of its own, so its attributes are the registry fields that
 * say where a device is and what it is. A field that is `null` is an attribute the thing does not have.
 */
export const THING_ATTRIBUTE_NAMES = ['storeId', 'zoneId', 'hardwareModel'] as const;
export type ThingAttributeName = (typeof THING_ATTRIBUTE_NAMES)[number];

/** A map, not an object: a policy naming `Attributes[constructor]` must find nothing. */
export function thingAttributes(thing: Pick<Thing, ThingAttributeName>): ReadonlyMap<string, string> {
  const attributes = new Map<string, string>();
  for (const name of THING_ATTRIBUTE_NAMES) {
    const value = thing[name];
    if (value !== null) attributes.set(name, value);
  }
  return attributes;
}
