import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator, schemaValidators } from '../../platform/schema-validator.ts';
import {
  COMMAND_ID_PATTERN,
  type CommandName,
  type CommandParams,
  CommandParamsJsonSchemas,
  type CommandRequest,
  CommandRequestJsonSchema,
  type CommandResponse,
  isCommandName,
  MAX_COMMAND_RESPONSE_BYTES,
} from '../../protocol/commands.ts';
import { type ErrorCode, isFleetError } from '../../protocol/errors.ts';
import { commandTopics, parseCommandTopic } from '../../protocol/topics.ts';
import { isSubscriptionRefused } from './device-connection.ts';

/** What the channel talks through: the device connection, or a fake in unit tests. */
export interface CommandTransport {
  readonly online: boolean;
  /** `sessionPresent` false: the broker lost the session (and our subscription). */
  on(event: 'online', listener: (sessionPresent: boolean) => void): unknown;
  off(event: 'online', listener: (sessionPresent: boolean) => void): unknown;
  subscribe(filter: string, handler: (topic: string, payload: Buffer) => void): Promise<void>;
  /** Routes messages on `filter` to `handler` before (re)subscribing: a persistent session may deliver first. */
  route?(filter: string, handler: (topic: string, payload: Buffer) => void): void;
  /** QoS 1: resolves on PUBACK. */
  publish(topic: string, payload: string): Promise<void>;
}

export interface CommandContext {
  commandId: string;
  expiresAt: number;
  log: Logger;
}

export interface CommandOutcome {
  result: Record<string, unknown>;
  /** Runs once the answer is out (or could not be sent): a reboot answers first, then restarts. */
  afterAnswer?: () => void | Promise<void>;
}

export type CommandHandler<N extends CommandName> = (
  params: CommandParams[N],
  context: CommandContext,
) => CommandOutcome | Promise<CommandOutcome>;

export interface CommandChannelOptions {
  /** Where an answer goes when publishing it failed (the outbox, which sends it after the reconnect). */
  fallback?: (topic: string, payload: string) => void;
  /** How many recent command ids are remembered to drop redeliveries. */
  rememberIds?: number;
}

const COMMAND_ID = new RegExp(COMMAND_ID_PATTERN);

/**
 * The device's end of remote commands: subscribes to `cmd/cartfleet/{thing}/+` (on the first connect and whenever
 * the broker lost the session), checks every request, runs the handler the device kind registered, and answers
 * once per commandId at QoS 1 on `.../res`.
 *
 * Refusals are answers too (`failed` with a code): an expired request (`COMMAND_EXPIRED`, never carried out), a
 * name without a handler (`COMMAND_UNKNOWN`), bad params (`COMMAND_PARAMS_INVALID`), an unreadable request that
 * still names its commandId (`PAYLOAD_SCHEMA`). A handler that throws answers `failed` with its FleetError code
 * (else `INTERNAL`). A redelivered commandId (QoS 1 after a reconnect) is dropped: a locate beeps once.
 */
export class CommandChannel {
  private readonly handlers = new Map<CommandName, CommandHandler<CommandName>>();
  private readonly recentIds = new Set<string>();
  private readonly requestValidator = new SchemaValidator<CommandRequest>(CommandRequestJsonSchema);
  private readonly paramsValidators = schemaValidators<CommandName>(CommandParamsJsonSchemas);
  private subscribed = false;
  private running = false;
  private readonly onMessage = (topic: string, payload: Buffer) => {
    void this.onRequest(topic, payload);
  };
  private readonly onOnline = (sessionPresent: boolean) => {
    if (this.subscribed && sessionPresent) return;
    this.subscribed = true;
    this.transport.subscribe(commandTopics.deviceFilter(this.thingName), this.onMessage).catch((err: Error) => {
      this.subscribed = false;
      // A refusal (thing pending approval) is retried by the runtime, which logs the waiting state once.
      if (isSubscriptionRefused(err)) this.log.debug({ err: err.message }, 'command subscription refused');
      else this.log.warn({ err: err.message }, 'command subscription failed; retrying on reconnect');
    });
  };

  constructor(
    private readonly thingName: string,
    private readonly transport: CommandTransport,
    private readonly log: Logger,
    /** Decides whether a request has expired (`expiresAt`, the fleet's deadline). */
    private readonly clock: Clock,
    private readonly options: CommandChannelOptions = {},
  ) {}

  /** Registers what the device does for `name` (one handler per name; a later one replaces it). */
  handle<N extends CommandName>(name: N, handler: CommandHandler<N>): void {
    this.handlers.set(name, handler as unknown as CommandHandler<CommandName>);
  }

  start(): void {
    this.running = true;
    this.transport.route?.(commandTopics.deviceFilter(this.thingName), this.onMessage);
    this.transport.off('online', this.onOnline);
    this.transport.on('online', this.onOnline);
    if (this.transport.online) this.onOnline(false);
  }

  /** Stops taking requests. A handler already running finishes and answers. */
  stop(): void {
    this.running = false;
    this.subscribed = false;
    this.transport.off('online', this.onOnline);
  }

  /** Handles one request; resolves once it is answered (or dropped). */
  async onRequest(topic: string, payload: Buffer): Promise<void> {
    if (!this.running) return;
    const parsed = parseCommandTopic(topic);
    if (!parsed || parsed.response || parsed.thingName !== this.thingName) {
      this.log.warn({ topic }, 'command request dropped: not our request topic');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.log.warn({ topic }, 'command request dropped: not JSON');
      return;
    }
    const check = this.requestValidator.check(body);
    if (!check.ok) {
      const commandId = (body as { commandId?: unknown } | null)?.commandId;
      if (typeof commandId !== 'string' || !COMMAND_ID.test(commandId)) {
        this.log.warn({ topic, reason: check.reason }, 'command request dropped: no commandId to answer');
        return;
      }
      if (!this.firstSight(commandId)) return;
      await this.answer(parsed.command, fail(commandId, 'PAYLOAD_SCHEMA', `request: ${check.reason}`));
      return;
    }
    const request = check.value;
    if (!this.firstSight(request.commandId)) return;
    const log = this.log.child({ commandId: request.commandId, command: request.name });
    const refusal = this.refusal(request, parsed.command);
    if (refusal) {
      log.info({ code: refusal.error?.code }, 'command refused');
      await this.answer(parsed.command, refusal);
      return;
    }
    const name = request.name as CommandName;
    const handler = this.handlers.get(name);
    let outcome: CommandOutcome | undefined;
    let response: CommandResponse;
    try {
      outcome = await handler?.(request.params as CommandParams[CommandName], {
        commandId: request.commandId,
        expiresAt: request.expiresAt,
        log,
      });
      response = { commandId: request.commandId, status: 'succeeded', result: outcome?.result ?? {} };
      log.info('command succeeded');
    } catch (err) {
      const code: ErrorCode = isFleetError(err) ? err.code : 'INTERNAL';
      log.warn({ err, code }, 'command failed');
      response = fail(request.commandId, code, (err as Error).message ?? String(err));
    }
    await this.answer(parsed.command, response);
    const after = outcome?.afterAnswer;
    if (after) {
      // Detached: a reboot stops this very channel.
      Promise.resolve()
        .then(after)
        .catch((err) => this.log.error({ err }, 'after-answer action failed'));
    }
  }

  /** The refusal for a request that must not run, or undefined. Fills in params' defaults. */
  private refusal(request: CommandRequest, topicCommand: string): CommandResponse | undefined {
    const { commandId, name } = request;
    if (name !== topicCommand) return fail(commandId, 'PAYLOAD_SCHEMA', `name '${name}' does not match the topic`);
    if (!isCommandName(name) || !this.handlers.has(name))
      return fail(commandId, 'COMMAND_UNKNOWN', `this device does not know the command '${name}'`);
    if (request.expiresAt <= this.clock.now())
      return fail(commandId, 'COMMAND_EXPIRED', `the command expired at ${new Date(request.expiresAt).toISOString()}`);
    const params = this.paramsValidators.get(name)?.check(request.params);
    if (!params?.ok) return fail(commandId, 'COMMAND_PARAMS_INVALID', `params: ${params?.reason ?? 'no schema'}`);
    return undefined;
  }

  /** True the first time a commandId is seen (of the last `rememberIds`). */
  private firstSight(commandId: string): boolean {
    if (this.recentIds.has(commandId)) {
      this.log.debug({ commandId }, 'command request dropped: already seen');
      return false;
    }
    this.recentIds.add(commandId);
    const limit = this.options.rememberIds ?? 256;
    for (const id of this.recentIds) {
      if (this.recentIds.size <= limit) break;
      this.recentIds.delete(id);
    }
    return true;
  }

  private async answer(command: string, response: CommandResponse): Promise<void> {
    let payload = JSON.stringify(response);
    if (Buffer.byteLength(payload) > MAX_COMMAND_RESPONSE_BYTES)
      payload = JSON.stringify(
        fail(response.commandId, 'PAYLOAD_TOO_LARGE', `the result exceeds ${MAX_COMMAND_RESPONSE_BYTES} bytes`),
      );
    const topic = commandTopics.response(this.thingName, command);
    try {
      await this.transport.publish(topic, payload);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, commandId: response.commandId }, 'command answer not sent');
      try {
        this.options.fallback?.(topic, payload);
      } catch (fallbackErr) {
        this.log.error({ err: fallbackErr, commandId: response.commandId }, 'command answer lost');
      }
    }
  }
}

function fail(commandId: string, code: ErrorCode, message: string): CommandResponse {
  return { commandId, status: 'failed', error: { code, message: message.slice(0, 1024) } };
}
