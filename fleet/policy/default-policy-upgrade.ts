import { isDeepStrictEqual } from 'node:util';
import { defaultDevicePolicy, devicePolicyWithTopics, type PolicyDocument } from './policy-document.ts';

const T = '${iot:Connection.Thing.ThingName}';

/**
 * The default device policy as earlier releases stored it, oldest first. A database created by one of them keeps
 * that document: the fleet upgrades it to the current default when it is exactly one of these (nobody edited it),
 * and leaves an edited one alone. Frozen literals, not derived from today's `deviceTopicResources`.
 */
export const PREVIOUS_DEFAULT_DEVICE_POLICIES: readonly PolicyDocument[] = [
  // Before issue 8: shadows, jobs, data and commands.
  devicePolicyWithTopics({
    publish: [
      `$aws/things/${T}/shadow/*`,
      `$aws/things/${T}/jobs/*`,
      `dt/cartfleet/${T}/*`,
      `cmd/cartfleet/${T}/*/res`,
    ],
    subscribe: [`$aws/things/${T}/shadow/*`, `$aws/things/${T}/jobs/*`, `cmd/cartfleet/${T}/*`],
    receive: [`$aws/things/${T}/shadow/*`, `$aws/things/${T}/jobs/*`, `cmd/cartfleet/${T}/*`],
  }),
  // Issue 8's commerce contract: + the cart's commerce topics.
  devicePolicyWithTopics({
    publish: [
      `$aws/things/${T}/shadow/*`,
      `$aws/things/${T}/jobs/*`,
      `dt/cartfleet/${T}/*`,
      `cmd/cartfleet/${T}/*/res`,
      `cx/cartfleet/${T}/*`,
    ],
    subscribe: [`$aws/things/${T}/shadow/*`, `$aws/things/${T}/jobs/*`, `cmd/cartfleet/${T}/*`, `cx/cartfleet/${T}/*`],
    receive: [`$aws/things/${T}/shadow/*`, `$aws/things/${T}/jobs/*`, `cmd/cartfleet/${T}/*`, `cx/cartfleet/${T}/*`],
  }),
];

export type DefaultPolicyCheck = 'current' | 'outdated' | 'edited';

/** Whether a stored default policy is today's, an unchanged earlier default (to upgrade), or an operator's edit. */
export function checkDefaultDevicePolicy(stored: PolicyDocument): DefaultPolicyCheck {
  if (isDeepStrictEqual(stored, defaultDevicePolicy())) return 'current';
  return PREVIOUS_DEFAULT_DEVICE_POLICIES.some((previous) => isDeepStrictEqual(stored, previous))
    ? 'outdated'
    : 'edited';
}
