import type { SpeakerRole } from '../../../protocol/api/broadcast-schedule.ts';

/**
 * Which speakers are promo speakers: the registry's `hardwareModel` decides, `PX-` models (the battery promo
 * speaker, PX-20) being promo speakers and every other model a broadcast box (BX-100). The registry is the fleet's
 * record, set when the thing is registered or provisioned (a policy attribute too), so it is known before the
 * speaker first connects and a device cannot change it; the runtime's `model` setting and the shadow's
 * `reported.model` are what the device says of itself, only a copy of it.
 */
export function speakerRoleOf(hardwareModel: string): SpeakerRole {
  return hardwareModel.startsWith('PX-') ? 'promo' : 'broadcast';
}
