import { COMMAND_NAMES, MAX_QUEUE_SECONDS } from '../commands.ts';
import { jsonObject } from './devices.ts';
import { epochMs, type FromSchema, integer, nullable, nullableEpochMs, object, oneOfValues } from './json-schema.ts';

/**
 * What became of a remote command. `queued` waits for an offline device, `sent` waits for its answer; the other four
 * are final: a command never leaves them.
 */
export const COMMAND_STATUSES = ['queued', 'sent', 'succeeded', 'failed', 'timed-out', 'expired'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const FINAL_COMMAND_STATUSES = [
  'succeeded',
  'failed',
  'timed-out',
  'expired',
] as const satisfies readonly CommandStatus[];
export type FinalCommandStatus = (typeof FINAL_COMMAND_STATUSES)[number];

export function isFinalCommandStatus(status: CommandStatus): status is FinalCommandStatus {
  return (FINAL_COMMAND_STATUSES as readonly CommandStatus[]).includes(status);
}

/** One remote command and what became of it (`POST`/`GET` of the command routes, the `command` live event). */
export const CommandSchema = object({
  /** The correlation id on the wire (`commandId`), a UUID. */
  id: { type: 'string' },
  thingName: { type: 'string' },
  storeId: { type: ['string', 'null'] },
  name: oneOfValues(COMMAND_NAMES),
  params: jsonObject,
  status: oneOfValues(COMMAND_STATUSES),
  /** Who asked: a user name, or a service. */
  requestedBy: { type: 'string' },
  requestedAt: epochMs,
  sentAt: nullableEpochMs,
  completedAt: nullableEpochMs,
  /** Queued: when it expires if the device has not come back. Sent: the answer deadline. */
  expiresAt: epochMs,
  /** The device's result when `succeeded` (per command: protocol/commands.ts `CommandResults`). */
  result: nullable(jsonObject),
  error: nullable(object({ code: { type: 'string' }, message: { type: 'string' } })),
});
export type Command = FromSchema<typeof CommandSchema>;

/** `POST /api/devices/:thingName/commands` */
export const SendCommandBody = object(
  {
    name: oneOfValues(COMMAND_NAMES),
    /** Per command: `locate { seconds 1..60 }`, `logs { lines 1..500, level? }` (protocol/commands.ts). */
    params: { type: 'object', maxProperties: 16, additionalProperties: true },
    /** 0: an offline device refuses at once (409 DEVICE_OFFLINE); otherwise wait this long for it. */
    queueForSeconds: integer({ minimum: 0, maximum: MAX_QUEUE_SECONDS, default: 0 }),
  },
  { optional: ['params', 'queueForSeconds'] },
);
export type SendCommandBody = FromSchema<typeof SendCommandBody>;

/** `GET /api/devices/:thingName/commands` */
export const CommandListQuery = object(
  { limit: integer({ minimum: 1, maximum: 200, default: 20 }) },
  { optional: ['limit'] },
);
export type CommandListQuery = FromSchema<typeof CommandListQuery, 'checked'>;
