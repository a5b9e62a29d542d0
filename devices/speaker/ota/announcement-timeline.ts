import type { LiveInserts } from '../live-inserts.ts';
import type { BroadcastScheduler } from '../scheduler/broadcast-scheduler.ts';
import type { SpeakerRuntime } from '../speaker-runtime.ts';
import { AnnouncementGate, type AnnouncementGateOptions, type AnnouncementTimeline } from './announcement-gate.ts';

/**
 * The announcement gate's view of a speaker: its scheduler (voice bus, manifest items, the emergency), read through a
 * getter because the runtime makes a new one at each start, and its live inserts (pending inserts, the store's
 * emergency). A speaker whose player is not running has nothing on air and nothing due from its manifest.
 */
export function announcementTimeline(parts: {
  scheduler: () => BroadcastScheduler | undefined;
  inserts?: Pick<LiveInserts, 'emergencyWanted' | 'nextInsert'>;
}): AnnouncementTimeline {
  return {
    emergency: () => parts.scheduler()?.emergencyActive === true || parts.inserts?.emergencyWanted === true,
    onAir: () => parts.scheduler()?.voiceInUse ?? null,
    nextDue: (from) => {
      const item = parts.scheduler()?.nextItem(from);
      const insert = parts.inserts?.nextInsert();
      if (!item) return insert;
      if (!insert) return item;
      return insert.at < item.at ? insert : item;
    },
  };
}

/** The install gate of a running speaker runtime, on its clock. */
export function speakerAnnouncementGate(
  runtime: SpeakerRuntime,
  options: AnnouncementGateOptions = {},
): AnnouncementGate {
  return new AnnouncementGate(
    announcementTimeline({ scheduler: () => runtime.runningScheduler, inserts: runtime.inserts }),
    runtime.core.clock,
    options,
  );
}
