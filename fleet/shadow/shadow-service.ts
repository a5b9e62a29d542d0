import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { isFleetError } from '../../protocol/errors.ts';
import {
  type MalformedShadowRequest,
  parseMalformedShadowRequest,
  parseShadowTopic,
  type ShadowOperation,
  type ShadowResponse,
  shadowTopics,
} from '../../protocol/topics.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import {
  applyUpdate,
  deleteAcceptedPayload,
  getAcceptedPayload,
  invalidNameError,
  notFoundError,
  parseTokenRequest,
  parseUpdateRequest,
  type ShadowRejection,
  type StoredShadow,
  type UpdateRequest,
} from './shadow-document.ts';
import type { ShadowRepository } from './shadow-repository.ts';

export type ShadowResult<T> = { ok: true; payload: T } | { ok: false; error: ShadowRejection };

/**
 * AWS IoT Device Shadow service over MQTT, classic and named shadows: requests on `.../get|update|delete`, answers on
 * `accepted`/`rejected`, plus `update/delta` and `update/documents`. The document rules live in shadow-document.ts;
 * this class parses topics, persists, publishes, and offers the same operations to the fleet's own API. As in AWS,
 * a shadow does not require a registered thing: the caller's policy alone decides what it may touch.
 *
 * Gets read the database (in WAL mode a read goes on while another process holds the write lock). Updates and
 * deletes go through the fleet's `DatabaseWriter`: each reads, decides and saves in one transaction, after the
 * writes queued before it, so two updates of one shadow never decide on the same version. While the database is
 * locked they wait, and answer when the write lands, or `STORAGE_BUSY` (MQTT: 500) after `writeDeadlineMs`
 * without having changed anything.
 */
export class ShadowService {
  private unsubscribers: (() => void)[] = [];

  constructor(
    private readonly repository: ShadowRepository,
    private readonly writer: DatabaseWriter,
    private readonly broker: DeviceBroker,
    private readonly bus: EventBus<FleetEvents>,
    private readonly options: { maxStateBytes: number; writeDeadlineMs: number },
    private readonly log: Logger,
    /** AWS stamps documents, metadata and errors in epoch seconds: read from the same clock as the repository's. */
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  start(): void {
    this.unsubscribers = shadowTopics
      .requestFilters()
      .map((filter) => this.broker.onMessage(filter, (topic, payload) => this.onRequest(topic, payload)));
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }

  /** The stored document, or `undefined` if there is none. */
  find(thingName: string, shadowName?: string): StoredShadow | undefined {
    return this.repository.find(thingName, shadowName).shadow;
  }

  /** Shadow names of a thing (`undefined` = classic). */
  namesOf(thingName: string): (string | undefined)[] {
    return this.repository.namesOf(thingName);
  }

  get(thingName: string, shadowName: string | undefined, clientToken?: string): ShadowResult<object> {
    const shadow = this.find(thingName, shadowName);
    if (!shadow) return { ok: false, error: notFoundError(thingName, shadowName, clientToken) };
    return { ok: true, payload: getAcceptedPayload(shadow, clientToken, this.nowSeconds()) };
  }

  /**
   * Applies an update exactly as an MQTT request would, and publishes accepted / delta / documents once it is
   * stored. Rejects with `STORAGE_BUSY` when the database stayed locked for `writeDeadlineMs` (nothing changed).
   */
  async update(
    thingName: string,
    shadowName: string | undefined,
    request: UpdateRequest,
  ): Promise<ShadowResult<object>> {
    const result = await this.writer.write(
      'shadow update',
      () => {
        const lookup = this.repository.find(thingName, shadowName);
        const applied = applyUpdate(
          lookup.shadow,
          lookup.deletedVersion,
          request,
          this.nowSeconds(),
          this.options.maxStateBytes,
        );
        if (applied.ok) this.repository.save(thingName, shadowName, applied.outcome.next);
        return applied;
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    if (!result.ok) return result;
    const { outcome } = result;
    const messages: [string, object][] = [
      [shadowTopics.response(thingName, 'update', 'accepted', shadowName), outcome.accepted],
    ];
    if (outcome.delta) messages.push([shadowTopics.response(thingName, 'update', 'delta', shadowName), outcome.delta]);
    messages.push([shadowTopics.response(thingName, 'update', 'documents', shadowName), outcome.documents]);
    this.publishInOrder(messages);
    this.bus.emit('shadow.updated', {
      thingName,
      shadowName,
      version: outcome.next.version,
      documents: outcome.documents,
    });
    return { ok: true, payload: outcome.accepted };
  }

  /** Deletes the shadow (its version is kept for 48 h); `STORAGE_BUSY` as for `update()`. */
  async delete(thingName: string, shadowName: string | undefined, clientToken?: string): Promise<ShadowResult<object>> {
    const shadow = await this.writer.write(
      'shadow delete',
      () => {
        const found = this.find(thingName, shadowName);
        if (found) this.repository.markDeleted(thingName, shadowName);
        return found;
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    if (!shadow) return { ok: false, error: notFoundError(thingName, shadowName, clientToken) };
    const payload = deleteAcceptedPayload(shadow, clientToken, this.nowSeconds());
    this.publishInOrder([[shadowTopics.response(thingName, 'delete', 'accepted', shadowName), payload]]);
    this.bus.emit('shadow.deleted', { thingName, shadowName, version: shadow.version });
    return { ok: true, payload };
  }

  private onRequest(topic: string, payload: Buffer): void {
    const parsed = parseShadowTopic(topic);
    if (!parsed) {
      const malformed = parseMalformedShadowRequest(topic);
      if (malformed) this.refuseMalformed(topic, malformed, payload);
      return;
    }
    if (parsed.response !== undefined) return;
    this.answer(topic, parsed.thingName, parsed.shadowName, parsed.operation, payload).catch((err: unknown) =>
      this.log.error({ err, topic }, 'shadow request not answered'),
    );
  }

  private async answer(
    topic: string,
    thingName: string,
    shadowName: string | undefined,
    operation: ShadowOperation,
    payload: Buffer,
  ): Promise<void> {
    let result: ShadowResult<object>;
    try {
      result = await this.dispatch(operation, thingName, shadowName, payload);
    } catch (err) {
      if (isFleetError(err, 'STORAGE_BUSY')) this.log.warn({ topic, code: err.code }, err.message);
      else this.log.error({ err, topic }, 'shadow request failed');
      // AWS answers a request it could not carry out with 500; a device retries it.
      result = { ok: false, error: { code: 500, message: 'Internal service failure', timestamp: this.nowSeconds() } };
    }
    if (result.ok) {
      // update publishes its own accepted/delta/documents; get's accepted goes out here
      if (operation === 'get')
        this.publishInOrder([[shadowTopics.response(thingName, 'get', 'accepted', shadowName), result.payload]]);
      return;
    }
    this.log.debug({ topic, code: result.error.code, message: result.error.message }, 'shadow request rejected');
    this.publishInOrder([[this.responseTopic(thingName, operation, 'rejected', shadowName), result.error]]);
  }

  /** A request for a name no shadow can have: a 400 on its rejected topic, so the client hears why at once. */
  private refuseMalformed(topic: string, request: MalformedShadowRequest, payload: Buffer): void {
    const error = invalidNameError(request.invalid, payload, this.nowSeconds());
    this.log.info(
      { topic, thingName: request.thingName, shadowName: request.shadowName },
      `shadow request refused: invalid ${request.invalid} (${request.invalid === 'thing name' ? '1-128 characters of [a-zA-Z0-9:_-]' : '1-64 characters of [$a-zA-Z0-9:_-]'})`,
    );
    const rejected = shadowTopics.response(request.thingName, request.operation, 'rejected', request.shadowName);
    this.publishInOrder([[rejected, error]]);
  }

  private async dispatch(
    operation: ShadowOperation,
    thingName: string,
    shadowName: string | undefined,
    payload: Buffer,
  ): Promise<ShadowResult<object>> {
    if (operation === 'update') {
      const parsed = parseUpdateRequest(payload, this.nowSeconds());
      return parsed.ok ? this.update(thingName, shadowName, parsed.request) : parsed;
    }
    const token = parseTokenRequest(payload, this.nowSeconds());
    if (!token.ok) return token;
    return operation === 'get'
      ? this.get(thingName, shadowName, token.clientToken)
      : this.delete(thingName, shadowName, token.clientToken);
  }

  private responseTopic(thingName: string, op: ShadowOperation, response: ShadowResponse, shadowName?: string): string {
    return shadowTopics.response(thingName, op, response, shadowName);
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** Responses must reach subscribers in order (accepted before delta before documents). */
  private publishInOrder(messages: [string, object][]): void {
    let chain = Promise.resolve();
    for (const [topic, body] of messages) {
      chain = chain.then(() => this.broker.publish(topic, JSON.stringify(body), 1));
    }
    chain.catch((err) => this.log.warn({ err: (err as Error).message }, 'shadow response not published'));
  }
}
