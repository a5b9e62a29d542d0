import { randomUUID } from 'node:crypto';
import { type Clock, MAX_TIMER_MS, type TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator, schemaValidators } from '../../platform/schema-validator.ts';
import type { Command, CommandStatus } from '../../protocol/api/commands.ts';
import {
  type CommandName,
  CommandParamsJsonSchemas,
  type CommandRequest,
  type CommandResponse,
  CommandResponseJsonSchema,
  isCommandName,
  MAX_QUEUE_SECONDS,
} from '../../protocol/commands.ts';
import { type ErrorCode, FleetError } from '../../protocol/errors.ts';
import { commandTopics, mqttTopicMatches, parseCommandTopic } from '../../protocol/topics.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Thing } from '../registry/registry-types.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { CommandRepository } from './command-repository.ts';

export interface SendCommandInput {
  thingName: string;
  /** `reboot`, `locate`, `diagnostics` or `logs`; anything else is `COMMAND_UNKNOWN`. */
  name: string;
  /** Checked against the command's schema (`COMMAND_PARAMS_INVALID`); missing params take their defaults. */
  params?: unknown;
  /** 0 (default): an offline device refuses at once with `DEVICE_OFFLINE`. Otherwise wait up to this long for it. */
  queueForSeconds?: number;
  requestedBy: string;
}

export interface CommandServiceOptions {
  timeoutMs: number;
}

/** Why an answer was dropped: a protocol error code, or one of two reasons only the fleet can see. */
export type DropCode = ErrorCode | 'COMMAND_NOT_PENDING' | 'COMMAND_THING_MISMATCH';

export interface CommandStats {
  sent: number;
  answered: number;
  /** Answers dropped without changing anything, by reason code. */
  answersDropped: Partial<Record<DropCode, number>>;
}

/**
 * Remote commands: sends a command to a device over MQTT with a correlation id and a deadline, stores it and its
 * answer, and announces every status change on the bus (`command.updated`).
 *
 * - A device is reachable for a command once its live connection has a subscription whose filter matches the
 *   command's topic (`cmd/cartfleet/{thing}/+`, `.../#`, the command's own topic; granted by SUBSCRIBE or restored
 *   with a persistent session, both announced as `broker.subscribed`): publishing at CONNECT would precede the
 *   device's SUBSCRIBE and be lost.
 * - Offline: refused with `DEVICE_OFFLINE`, or `queued` until the device subscribes (then `sent`) or until
 *   `queueForSeconds` pass (`expired`).
 * - Sent: `succeeded`/`failed` from the device's answer, or `timed-out` after `commands.timeoutMs`. The deadline also
 *   goes to the device as `expiresAt`, so it never carries out a command the fleet has given up on.
 * - An answer counts only if it parses, matches the schema, names a command that is `sent`, and arrives on the topic
 *   of that command's own thing and name; anything else is dropped with a logged reason.
 * - Pending commands live in SQLite: after a restart queued ones keep waiting, sent ones wait out their deadline.
 * - Status changes are compare-and-set writes through the fleet's `DatabaseWriter`: an answer that arrives while
 *   another process holds the database lock is kept in order and stored when the lock is gone, not lost. A new
 *   command is written at once (`send()`), and refused with `STORAGE_BUSY` while the database is locked.
 */
export class CommandService {
  private offs: (() => void)[] = [];
  private readonly timers = new Map<string, TimerHandle>();
  private readonly responseValidator = new SchemaValidator<CommandResponse>(CommandResponseJsonSchema);
  private readonly paramsValidators = schemaValidators<CommandName>(CommandParamsJsonSchemas);
  private readonly counters: CommandStats = { sent: 0, answered: 0, answersDropped: {} };

  constructor(
    private readonly repository: CommandRepository,
    private readonly writer: DatabaseWriter,
    private readonly things: { getThing(thingName: string): Thing | undefined },
    private readonly broker: DeviceBroker,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: CommandServiceOptions,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.offs = [
      this.bus.on('broker.subscribed', (e) => this.onSubscribed(e)),
      this.broker.onMessage(commandTopics.responseFilter(), (topic, payload) => this.onAnswer(topic, payload)),
    ];
    // What was pending when the fleet stopped: settle what is overdue, wait out the rest.
    const now = this.clock.now();
    for (const status of ['queued', 'sent'] as const) {
      for (const command of this.repository.listByStatus(status)) {
        if (command.expiresAt <= now) this.settleOverdue(command.id);
        else this.armDeadline(command);
      }
    }
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Sends a command now if the device is reachable (`sent`), queues it if `queueForSeconds` > 0 (`queued`), or
   * throws `DEVICE_OFFLINE`. Also throws `THING_NOT_FOUND`, `COMMAND_UNKNOWN`, `COMMAND_PARAMS_INVALID`, `BAD_REQUEST`.
   */
  async send(input: SendCommandInput): Promise<Command> {
    const { name, thingName } = input;
    if (!isCommandName(name)) throw new FleetError('COMMAND_UNKNOWN', `unknown command '${name}'`);
    const thing = this.things.getThing(thingName);
    if (!thing) throw new FleetError('THING_NOT_FOUND', `no thing named '${thingName}'`);
    const params = this.checkParams(name, input.params);
    const queueForSeconds = input.queueForSeconds ?? 0;
    if (!Number.isInteger(queueForSeconds) || queueForSeconds < 0 || queueForSeconds > MAX_QUEUE_SECONDS)
      throw new FleetError('BAD_REQUEST', `queueForSeconds must be an integer from 0 to ${MAX_QUEUE_SECONDS}`);
    if (typeof input.requestedBy !== 'string' || input.requestedBy.length === 0)
      throw new FleetError('BAD_REQUEST', 'requestedBy is required');

    const now = this.clock.now();
    const command: Command = {
      id: randomUUID(),
      thingName,
      storeId: thing.storeId,
      name,
      params,
      status: 'queued',
      requestedBy: input.requestedBy,
      requestedAt: now,
      sentAt: null,
      completedAt: null,
      expiresAt: now + queueForSeconds * 1000,
      result: null,
      error: null,
    };
    if (this.broker.isSubscribed(thingName, commandTopics.request(thingName, name))) {
      const sent = this.asSent(command, now);
      this.repository.insert(sent);
      this.announce(sent);
      await this.publish(sent);
      return sent;
    }
    // Connected but not subscribed yet (it is starting): a moment's wait, not "offline".
    const connecting = this.broker.isConnected(thingName);
    if (queueForSeconds === 0 && !connecting)
      throw new FleetError(
        'DEVICE_OFFLINE',
        `'${thingName}' is offline; send with queueForSeconds > 0 to deliver it when the device is back`,
      );
    if (connecting) command.expiresAt = Math.max(command.expiresAt, now + this.options.timeoutMs);
    this.repository.insert(command);
    this.armDeadline(command);
    this.announce(command);
    return command;
  }

  /** A thing's commands, newest first (`limit` 1-500, default 50). */
  list(thingName: string, limit = 50): Command[] {
    return this.repository.listByThing(thingName, Math.max(1, Math.min(500, Math.trunc(limit) || 50)));
  }

  /** The command with this id, or `undefined` (the HTTP layer answers `COMMAND_NOT_FOUND`). */
  get(id: string): Command | undefined {
    return this.repository.get(id);
  }

  /** The command with this id; throws `COMMAND_NOT_FOUND`. */
  require(id: string): Command {
    const command = this.repository.get(id);
    if (!command) throw new FleetError('COMMAND_NOT_FOUND', `no command with id '${id}'`);
    return command;
  }

  stats(): CommandStats {
    return { ...this.counters, answersDropped: { ...this.counters.answersDropped } };
  }

  private checkParams(name: CommandName, params: unknown): Record<string, unknown> {
    const value = params === undefined || params === null ? {} : structuredClone(params);
    const check = this.paramsValidators.get(name)?.check(value);
    if (!check?.ok)
      throw new FleetError('COMMAND_PARAMS_INVALID', `params of '${name}': ${check?.reason ?? 'no schema'}`);
    return check.value;
  }

  private onSubscribed(e: FleetEvents['broker.subscribed']): void {
    const now = this.clock.now();
    for (const queued of this.repository.listByStatus('queued', e.clientId)) {
      // Any filter that matches the command's topic delivers it (`.../+`, `.../#`, or the topic itself).
      const topic = commandTopics.request(queued.thingName, queued.name);
      if (!e.filters.some((filter) => mqttTopicMatches(filter, topic))) continue;
      if (queued.expiresAt <= now) {
        this.settleOverdue(queued.id);
        continue;
      }
      const sent = this.asSent(queued, now);
      this.transition(sent, 'queued', (changed) => {
        if (changed) void this.publish(sent);
      });
    }
  }

  private asSent(command: Command, now: number): Command {
    return { ...command, status: 'sent', sentAt: now, expiresAt: now + this.options.timeoutMs };
  }

  private async publish(command: Command): Promise<void> {
    this.armDeadline(command);
    const request: CommandRequest = {
      commandId: command.id,
      name: command.name,
      params: command.params as CommandRequest['params'],
      issuedAt: command.requestedAt,
      expiresAt: command.expiresAt,
    };
    this.counters.sent++;
    try {
      await this.broker.publish(commandTopics.request(command.thingName, command.name), JSON.stringify(request), 1);
    } catch (err) {
      // The deadline settles it: the device never got it, so it times out.
      this.log.warn({ err: (err as Error).message, commandId: command.id }, 'command not published');
    }
  }

  private onAnswer(topic: string, payload: Buffer): void {
    const verdict = this.judgeAnswer(topic, payload);
    if ('code' in verdict) {
      this.dropped(topic, verdict.code, verdict.reason);
      return;
    }
    const { command, answer } = verdict;
    const done: Command = {
      ...command,
      status: answer.status,
      completedAt: this.clock.now(),
      result: answer.status === 'succeeded' ? (answer.result ?? {}) : null,
      error: answer.status === 'failed' ? (answer.error ?? null) : null,
    };
    this.transition(done, 'sent', (changed) => {
      if (changed) this.counters.answered++;
      // A second answer judged while the first was still being stored.
      else this.dropped(topic, 'COMMAND_NOT_PENDING', `the command is no longer sent`);
    });
  }

  private dropped(topic: string, code: DropCode, reason: string): void {
    this.counters.answersDropped[code] = (this.counters.answersDropped[code] ?? 0) + 1;
    this.log.warn({ topic, code, reason }, 'command answer dropped');
  }

  /** The command an answer settles, or why the answer is dropped. */
  private judgeAnswer(
    topic: string,
    payload: Buffer,
  ): { command: Command; answer: CommandResponse } | { code: DropCode; reason: string } {
    const parsed = parseCommandTopic(topic);
    if (!parsed?.response) return { code: 'TOPIC_UNKNOWN', reason: 'not a command answer topic' };
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return { code: 'PAYLOAD_INVALID_JSON', reason: 'not JSON' };
    }
    const check = this.responseValidator.check(body);
    if (!check.ok) return { code: 'PAYLOAD_SCHEMA', reason: check.reason };
    const answer = check.value;
    const command = this.repository.get(answer.commandId);
    if (!command) return { code: 'COMMAND_NOT_FOUND', reason: `no command ${answer.commandId}` };
    // The policy keeps a device on its own topics, so the topic proves who answers: only the command's own thing,
    // on the command's own name, may settle it.
    if (command.thingName !== parsed.thingName || command.name !== parsed.command)
      return { code: 'COMMAND_THING_MISMATCH', reason: `the command is for ${command.thingName}/${command.name}` };
    if (command.status !== 'sent') return { code: 'COMMAND_NOT_PENDING', reason: `the command is ${command.status}` };
    return { command, answer };
  }

  /** Waits for a queued command's expiry or a sent command's answer deadline. */
  private armDeadline(command: Command): void {
    this.clock.clearTimeout(this.timers.get(command.id));
    const delay = Math.max(0, command.expiresAt - this.clock.now());
    // A deadline longer than one timer can wait is re-armed when the timer fires.
    const timer = this.clock.setTimeout(
      () => {
        this.timers.delete(command.id);
        if (delay > MAX_TIMER_MS) this.armDeadline(command);
        else this.settleOverdue(command.id);
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    this.timers.set(command.id, timer);
  }

  /** A queued command past its expiry becomes `expired`; a sent one past its deadline `timed-out`. */
  private settleOverdue(id: string): void {
    const command = this.repository.get(id);
    if (!command || (command.status !== 'queued' && command.status !== 'sent')) return;
    const expired = command.status === 'queued';
    this.transition(
      {
        ...command,
        status: expired ? 'expired' : 'timed-out',
        completedAt: this.clock.now(),
        error: expired
          ? { code: 'COMMAND_EXPIRED', message: 'the device did not come back before the command expired' }
          : { code: 'COMMAND_TIMED_OUT', message: 'the device did not answer in time' },
      },
      command.status,
    );
  }

  /**
   * Stores a status change if the command is still `from`, then announces it and calls `then` with whether it
   * changed. While the database is free the write lands before this returns (and `then` runs a microtask later).
   */
  private transition(command: Command, from: CommandStatus, then?: (changed: boolean) => void): void {
    this.writer
      .write('command status', () => this.repository.transition(command, from))
      .then((changed) => {
        if (changed) {
          if (command.status !== 'sent') {
            this.clock.clearTimeout(this.timers.get(command.id));
            this.timers.delete(command.id);
          }
          this.announce(command);
        }
        then?.(changed);
      })
      .catch((err: unknown) => this.log.error({ err, commandId: command.id }, 'command status change failed'));
  }

  private announce(command: Command): void {
    this.bus.emit('command.updated', { command });
  }
}
