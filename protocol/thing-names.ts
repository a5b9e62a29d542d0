import { CLAIM_CLIENT_ID_PREFIX } from './provisioning.ts';

/**
 * The thing-name rule, once for every place a thing is named: the registry, the operations API, fleetctl,
 * provisioning templates, device configs and topic parsing.
 */

/** Thing names as AWS allows them: 1-128 characters of `[a-zA-Z0-9:_-]`. */
export const THING_NAME_PATTERN = /^[a-zA-Z0-9:_-]{1,128}$/;

/** Only the characters of a thing name, any length: for the literal parts of a name assembled from parameters. */
export const THING_NAME_CHARACTERS = /^[a-zA-Z0-9:_-]*$/;

/**
 * Why no thing may be named `provision-...`: a device connects with its thing name as client id, and claim
 * connections use `provision-{serial}` (the only client ids a claim policy lets connect). A thing named into that
 * prefix would share client ids with claim devices: each would take over the other's connection (MQTT allows one
 * connection per client id) and their lifecycle events would mix.
 */
export const RESERVED_THING_NAME_PREFIX = CLAIM_CLIENT_ID_PREFIX;

export const THING_NAME_RULE = `thing names are 1-128 characters of [a-zA-Z0-9:_-] and do not start with "${RESERVED_THING_NAME_PREFIX}"`;

/**
 * A hardware model: 1-64 characters of `[A-Za-z0-9._-]`. It is a thing attribute that policies can substitute
 * (`${iot:Connection.Thing.Attributes[hardwareModel]}`), so it may hold no MQTT wildcard or level separator: a `#`
 * substituted into a `topicfilter` resource would grant a wildcard subscription.
 */
export const HARDWARE_MODEL_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const HARDWARE_MODEL_RULE = 'hardware models are 1-64 characters of [A-Za-z0-9._-]';

/** Well-formed as AWS allows it (the prefix aside): what a topic may carry. */
export function isThingName(value: string): boolean {
  return THING_NAME_PATTERN.test(value);
}

export function isReservedThingName(value: string): boolean {
  return value.startsWith(RESERVED_THING_NAME_PREFIX);
}

/** A name a thing may be given in this fleet: well-formed and not reserved. */
export function isAllowedThingName(value: string): boolean {
  return isThingName(value) && !isReservedThingName(value);
}
