import type { AttendantRequest } from '../commerce/attendant.ts';
import type { Order } from '../commerce/orders.ts';
import type { CartScreenEvent } from '../commerce/screen-mirror.ts';
import { DATA_STREAMS } from '../topics.ts';
import type { Alert } from './alerts.ts';
import type { Command } from './commands.ts';
import type { DeviceSummary } from './devices.ts';
import { jsonObject, metrics } from './devices.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import type { Rollout, RolloutDevice } from './rollouts.ts';
import type { VisionLiveEvent } from './vision.ts';

const storeId = { type: ['string', 'null'] } as const;

export const PresenceEventSchema = object({
  thingName: { type: 'string' },
  storeId,
  state: oneOfValues(['online', 'offline'] as const),
  at: epochMs,
  /** AWS IoT's disconnect reason when it went offline. */
  reason: { type: ['string', 'null'] },
});

export const TelemetryEventSchema = object({
  thingName: { type: 'string' },
  storeId,
  stream: oneOfValues(DATA_STREAMS),
  ts: epochMs,
  metrics,
});

export const ShadowEventSchema = object({
  thingName: { type: 'string' },
  storeId,
  /** `null` for the classic shadow. */
  shadowName: { type: ['string', 'null'] },
  version: integer({ minimum: 0 }),
  state: object({ desired: nullable(jsonObject), reported: nullable(jsonObject), delta: nullable(jsonObject) }),
});

/**
 * socket.io events, server → client (path `/socket.io`), each sent only to sockets whose scope covers the device's
 * store. `session-ended` (no payload) comes before the server closes a socket whose credentials ended.
 */
export interface LiveEvents {
  presence: FromSchema<typeof PresenceEventSchema>;
  telemetry: FromSchema<typeof TelemetryEventSchema>;
  shadow: FromSchema<typeof ShadowEventSchema>;
  alert: Alert;
  command: Command;
  /** Registered, approved, moved, changed or revoked. */
  device: DeviceSummary;
  /** An order was submitted or moved (paid, cancelled, expired, refunded, exit-verified), to its store. */
  order: Order;
  /** A cart called an attendant, or the call was resolved or withdrawn, to its store (the attendant queue). */
  'attendant-request': AttendantRequest;
  /**
   * A cart's screen state while it mirrors it, only to the sockets that asked to watch that cart (`screen-watch`,
   * protocol/commerce/screen-mirror.ts) and still may (`carts:screen` and the cart's store in scope).
   */
  'cart-screen': CartScreenEvent;
  /**
   * A rollout was created or changed state, phase or counts (OTA, issue 10), to sockets with `rollouts:read` whose
   * scope covers one of its stores; at most once a second per rollout while devices report.
   */
  rollout: Rollout;
  /** One device of a rollout changed (status, step, progress, reason), under the same rule, for the live view. */
  'rollout-device': { rolloutId: string; device: RolloutDevice };
  /** A store's recognition records or gallery changed (issue 11), to sockets with `vision:read` for that store. */
  vision: VisionLiveEvent;
}
export type LiveEventName = keyof LiveEvents;
