/**
 * Remote commands: the fleet publishes a request on `cmd/cartfleet/{thing}/{command}` (topics in `topics.ts`) and the
 * device answers on `.../res`. The request's `commandId` is the correlation id; the device answers each id once.
 * Both sides compile the JSON Schemas below once (ajv) and check every payload where it enters.
 */

export const COMMAND_NAMES = ['reboot', 'locate', 'diagnostics', 'logs', 'screen-mirror'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(value: string): value is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(value);
}

/** pino's level names, lowest first: `logs { level }` keeps lines at this level and above. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];
/** pino's numeric levels for {@link LOG_LEVELS}. */
export const LOG_LEVEL_VALUES: Record<LogLevelName, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export interface CommandParams {
  reboot: Record<string, never>;
  /** Beep and flash for `seconds`. */
  locate: { seconds: number };
  diagnostics: Record<string, never>;
  /** The last `lines` log lines, optionally only at `level` and above. */
  logs: { lines: number; level?: LogLevelName };
  /** Carts: publish the screen's state on `cx/cartfleet/{thing}/screen` for `seconds` (the console's read-only view). */
  'screen-mirror': { seconds: number };
}

export const MAX_LOCATE_SECONDS = 60;
export const MAX_LOG_LINES = 500;
/** Longest a cart mirrors its screen per command; the console asks again while someone watches. */
export const MAX_SCREEN_MIRROR_SECONDS = 600;
/**
 * Largest answer a device sends: half of the broker's 128 KiB PUBLISH limit, so a `logs` answer never costs the
 * device its connection (an oversized PUBLISH closes it with CLIENT_ERROR).
 */
export const MAX_COMMAND_RESPONSE_BYTES = 64 * 1024;
/** Longest a command may wait for an offline device. */
export const MAX_QUEUE_SECONDS = 86_400;

const emptyParams = { type: 'object', additionalProperties: false, properties: {} } as const;

/** Params of each command, as JSON Schema. A missing param takes its default (ajv `useDefaults`). */
export const CommandParamsJsonSchemas = {
  reboot: emptyParams,
  locate: {
    type: 'object',
    additionalProperties: false,
    properties: { seconds: { type: 'integer', minimum: 1, maximum: MAX_LOCATE_SECONDS, default: 10 } },
  },
  diagnostics: emptyParams,
  logs: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lines: { type: 'integer', minimum: 1, maximum: MAX_LOG_LINES, default: 100 },
      level: { type: 'string', enum: LOG_LEVELS },
    },
  },
  'screen-mirror': {
    type: 'object',
    additionalProperties: false,
    properties: { seconds: { type: 'integer', minimum: 1, maximum: MAX_SCREEN_MIRROR_SECONDS, default: 120 } },
  },
} as const satisfies Record<CommandName, object>;

/** What the fleet publishes on `cmd/cartfleet/{thing}/{name}`. */
export interface CommandRequest<N extends CommandName = CommandName> {
  /** Correlation id (a UUID): the device answers with it, and answers it once. */
  commandId: string;
  name: N;
  params: CommandParams[N];
  /** Epoch ms when an operator asked for it. */
  issuedAt: number;
  /** Epoch ms after which the device must not carry it out (it answers `COMMAND_EXPIRED` instead). */
  expiresAt: number;
}

export const COMMAND_ID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const commandIdSchema = { type: 'string', pattern: COMMAND_ID_PATTERN } as const;

/**
 * The request envelope. `params` is checked separately against {@link CommandParamsJsonSchemas}, because the device
 * answers an unknown name (`COMMAND_UNKNOWN`) and bad params differently from a payload it cannot read at all.
 */
export const CommandRequestJsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['commandId', 'name', 'params', 'issuedAt', 'expiresAt'],
  properties: {
    commandId: commandIdSchema,
    name: { type: 'string', minLength: 1, maxLength: 64 },
    params: { type: 'object' },
    issuedAt: { type: 'integer', minimum: 1 },
    expiresAt: { type: 'integer', minimum: 1 },
  },
} as const;

export type CommandOutcomeStatus = 'succeeded' | 'failed';

export interface CommandErrorBody {
  code: string;
  message: string;
}

/** What the device publishes on `cmd/cartfleet/{thing}/{name}/res`. */
export interface CommandResponse {
  commandId: string;
  status: CommandOutcomeStatus;
  /** Present when `succeeded`. */
  result?: Record<string, unknown>;
  /** Present when `failed`. */
  error?: CommandErrorBody;
}

/** A success carries a `result` and no `error`; a failure carries an `error` and no `result`. */
export const CommandResponseJsonSchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['commandId', 'status', 'result'],
      properties: { commandId: commandIdSchema, status: { const: 'succeeded' }, result: { type: 'object' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['commandId', 'status', 'error'],
      properties: {
        commandId: commandIdSchema,
        status: { const: 'failed' },
        error: {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'message'],
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Z][A-Z0-9_]*$' },
            message: { type: 'string', maxLength: 1024 },
          },
        },
      },
    },
  ],
} as const;

/** Results the device runtimes send, by command (documented in docs/protocol.md). */
export interface DiagnosticCheck {
  name: string;
  ok: boolean;
  detail: string;
}
export interface CommandResults {
  reboot: { rebooting: true };
  locate: { seconds: number };
  diagnostics: { checks: DiagnosticCheck[] };
  logs: { lines: string[]; truncated: boolean };
  /** `until`: the cart's epoch ms when it stops mirroring (a later command extends it). */
  'screen-mirror': { seconds: number; until: number };
}
