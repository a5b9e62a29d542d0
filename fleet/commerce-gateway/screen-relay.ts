import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { commerceTopics, parseScreenTopic } from '../../protocol/commerce/commerce-topics.ts';
import {
  MAX_SCREEN_REPORT_BYTES,
  type ScreenReport,
  ScreenReportSchema,
} from '../../protocol/commerce/screen-mirror.ts';
import type { ErrorCode } from '../../protocol/errors.ts';
import type { MessageHandler } from '../broker/in-process-routing.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { Thing } from '../registry/registry-types.ts';

export interface ScreenRelayDeps {
  broker: { onMessage(filter: string, handler: MessageHandler): () => void };
  things: { getThing(thingName: string): Thing | undefined };
  bus: EventBus<FleetEvents>;
  now: () => number;
  log: Logger;
}

/** A cart that keeps sending bad states is logged once a minute, not four times a second. */
const LOG_EVERY_MS = 60_000;

/**
 * Relays the carts' mirrored screens (`cx/cartfleet/{thing}/screen`, protocol/commerce/screen-mirror.ts) to the live
 * gateway as `cart.screen`, which hands each only to the console sockets watching that cart. The topic names the cart
 * (the default policy lets a cart publish only under its own name); a report over MAX_SCREEN_REPORT_BYTES, not JSON,
 * not a report, naming another cart or from a thing that is no cart is dropped with its code (logged, counted).
 */
export class ScreenRelay {
  /** Dropped reports by code (tests, metrics). */
  readonly dropped = new Map<ErrorCode, number>();
  private off: (() => void) | undefined;
  private readonly validator = new SchemaValidator<ScreenReport>(ScreenReportSchema);
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly deps: ScreenRelayDeps) {}

  start(): void {
    this.off ??= this.deps.broker.onMessage(commerceTopics.screenFilter(), (topic, payload) =>
      this.onReport(topic, payload),
    );
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  private onReport(topic: string, payload: Buffer): void {
    const thingName = parseScreenTopic(topic);
    if (!thingName) return;
    if (payload.length > MAX_SCREEN_REPORT_BYTES) {
      this.drop(thingName, 'PAYLOAD_TOO_LARGE', `${payload.length} bytes, more than ${MAX_SCREEN_REPORT_BYTES}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.drop(thingName, 'PAYLOAD_INVALID_JSON', 'not JSON');
      return;
    }
    const checked = this.validator.check(body);
    if (!checked.ok) {
      this.drop(thingName, 'PAYLOAD_SCHEMA', checked.reason);
      return;
    }
    const report = checked.value;
    if (report.state.thingName !== thingName) {
      this.drop(thingName, 'PAYLOAD_SCHEMA', `the state is of '${String(report.state.thingName)}'`);
      return;
    }
    const thing = this.deps.things.getThing(thingName);
    if (thing?.kind !== 'cart') {
      this.drop(thingName, 'THING_NOT_FOUND', 'not a registered cart');
      return;
    }
    this.deps.bus.emit('cart.screen', { thingName, storeId: thing.storeId, at: report.at, state: report.state });
  }

  private drop(thingName: string, code: ErrorCode, reason: string): void {
    this.dropped.set(code, (this.dropped.get(code) ?? 0) + 1);
    const key = `${thingName} ${code}`;
    const now = this.deps.now();
    if (now - (this.lastLogged.get(key) ?? Number.NEGATIVE_INFINITY) < LOG_EVERY_MS) return;
    this.lastLogged.set(key, now);
    this.deps.log.warn({ thingName, code, reason }, 'cart screen report dropped');
  }
}
