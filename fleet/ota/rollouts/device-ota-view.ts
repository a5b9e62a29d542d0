import { SchemaValidator } from '../../../platform/schema-validator.ts';
import type { DeviceOta } from '../../../protocol/api/rollouts.ts';
import { type OtaReported, OtaReportedSchema } from '../../../protocol/ota/device-ota.ts';
import type { DeviceHistoryRecord, RolloutDeviceRecord } from './rollout-repository.ts';

/** A device's named shadow `ota`, read as the contract's `OtaReported`, or null when it reports none or an unsound one. */
export class ReportedOta {
  private readonly validator = new SchemaValidator<OtaReported>(OtaReportedSchema);

  read(reported: unknown): OtaReported | null {
    if (reported === null || reported === undefined) return null;
    const checked = this.validator.check(withNulls(reported));
    return checked.ok ? checked.value : null;
  }
}

/** A device's OTA view: its slots, the penalty box, and its rollouts (the engine's copy where it holds one). */
export function deviceOtaView(
  thingName: string,
  parts: {
    reported: OtaReported | null;
    penaltyBox: boolean;
    history: DeviceHistoryRecord[];
    live: (rolloutId: string) => RolloutDeviceRecord | undefined;
  },
): DeviceOta {
  return {
    thingName,
    reported: parts.reported,
    penaltyBox: parts.penaltyBox,
    history: parts.history.map((h) => {
      const d = parts.live(h.rolloutId) ?? h;
      return {
        rolloutId: h.rolloutId,
        releaseId: h.releaseId,
        component: h.component,
        version: h.version,
        status: d.status,
        reason: d.reason,
        message: d.message,
        attempts: d.attempts,
        updatedAt: d.updatedAt,
      };
    }),
  };
}

/**
 * The named shadow `ota` as stored: a shadow keeps no nulls (AWS deletes a key reported as null), so the nullable
 * fields of `OtaReportedSchema` (an empty slot, no trial, no job, no rollback) come back missing and are read as null.
 */
function withNulls(reported: unknown): unknown {
  if (typeof reported !== 'object' || reported === null) return reported;
  const copy = structuredClone(reported) as Record<string, unknown>;
  copy.job ??= null;
  copy.lastRollback ??= null;
  const components = copy.components;
  if (typeof components === 'object' && components !== null) {
    for (const slots of Object.values(components as Record<string, unknown>)) {
      if (typeof slots !== 'object' || slots === null) continue;
      const s = slots as Record<string, unknown>;
      s.a ??= null;
      s.b ??= null;
      s.trial ??= null;
    }
  }
  return copy;
}
