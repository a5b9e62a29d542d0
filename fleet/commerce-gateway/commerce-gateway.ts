import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import type { AttendantResolved } from '../../protocol/commerce/attendant.ts';
import {
  COMMERCE_REQUEST_SCHEMAS,
  type CommerceRejection,
  type CommerceRequests,
} from '../../protocol/commerce/commerce-requests.ts';
import {
  COMMERCE_OPERATIONS,
  type CommerceEvent,
  type CommerceOperation,
  commerceTopics,
  parseCommerceRequestTopic,
} from '../../protocol/commerce/commerce-topics.ts';
import { type ErrorCode, FleetError } from '../../protocol/errors.ts';
import type { AttendantService } from '../attendants/attendant-service.ts';
import type { MessageHandler } from '../broker/in-process-routing.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { LoyaltyLedger } from '../orders/commerce-ports.ts';
import type { OrderService } from '../orders/order-service.ts';
import type { Thing } from '../registry/registry-types.ts';
import type { MemberSessions } from './member-sessions.ts';

export interface CommerceGatewayDeps {
  broker: {
    onMessage(filter: string, handler: MessageHandler): () => void;
    publish(topic: string, payload: string, qos?: 0 | 1): Promise<void>;
  };
  things: { getThing(thingName: string): Thing | undefined };
  orders: OrderService;
  attendants: AttendantService;
  loyalty: LoyaltyLedger;
  members: MemberSessions;
  bus: EventBus<FleetEvents>;
  now: () => number;
  log: Logger;
}

type Cart = { thingName: string; storeId: string; zoneId: string | null };
type Handler<O extends CommerceOperation> = (cart: Cart, request: CommerceRequests[O]) => Promise<object>;

const validators = new Map(
  COMMERCE_OPERATIONS.map((op) => [op, new SchemaValidator<object>(COMMERCE_REQUEST_SCHEMAS[op])]),
);

/**
 * The carts' commerce requests over MQTT (plan decision 5): `cx/cartfleet/{thing}/{operation}` answered on
 * `.../accepted` or `.../rejected` (`{ clientToken, code, message }`), as AWS's shadow service answers; the cart's
 * own topics only (the default policy's `cx/cartfleet/${iot:Connection.Thing.ThingName}/*`, so a cart publishing
 * for another is disconnected by the broker before anything here sees it). Pushes `notify/order-status` and
 * `notify/attendant-resolved` to the cart when its order or call changes.
 */
export class CommerceGateway {
  private offs: (() => void)[] = [];
  private readonly handlers: { [O in CommerceOperation]: Handler<O> } = {
    'member-login': async (cart, r) => {
      const member = await this.deps.loyalty.login(r.code, cart.storeId, this.deps.now());
      this.deps.members.loggedIn(cart.thingName, member.memberNumber, this.deps.now());
      return { member };
    },
    'order-submit': async (cart, r) => {
      const { order, duplicate } = await this.deps.orders.submit(cart.thingName, cart.storeId, r.order);
      if (!duplicate && order.paymentMethod === 'attendant' && order.state === 'awaiting_payment') {
        await this.deps.attendants.call(cart, {
          reason: 'offline-payment',
          details: `order ${order.id}: ${order.payableFen} fen paid at the desk`,
          sessionId: order.sessionId,
          orderId: order.id,
        });
      }
      return { order: this.deps.orders.status(order), duplicate };
    },
    'order-cancel': async (cart, r) => {
      const order = await this.deps.orders.cancel(
        r.orderId,
        { kind: 'thing', id: cart.thingName },
        'cancelled on the cart',
        cart.thingName,
      );
      return { order: this.deps.orders.status(order) };
    },
    'attendant-request': async (cart, r) => ({ request: await this.deps.attendants.call(cart, r.request) }),
    'attendant-cancel': async (cart, r) => ({
      request: await this.deps.attendants.cancel(r.requestId, cart.thingName),
    }),
  };

  constructor(private readonly deps: CommerceGatewayDeps) {}

  start(): void {
    const { bus, broker } = this.deps;
    this.offs.push(
      broker.onMessage(commerceTopics.requestFilter(), (topic, payload) => void this.onRequest(topic, payload)),
      bus.on('order.changed', ({ order, previous }) => {
        if (previous === null || previous === order.state) return;
        this.notify(order.thingName, 'order-status', this.deps.orders.status(order));
      }),
      bus.on('attendant.changed', ({ request }) => {
        if (request.state === 'open' || request.state === 'cancelled') return;
        // The cart approved it itself while offline; this is the record arriving later. Telling the cart now could
        // unlock a later shopper's basket (AttendantService.recordOfflineApproval).
        if (request.offlineApproval !== null) return;
        const resolved: AttendantResolved = {
          requestId: request.id,
          reason: request.reason,
          state: request.state,
          resolvedBy: request.resolvedBy,
          resolvedVia: request.resolvedVia,
          at: request.resolvedAt ?? this.deps.now(),
        };
        this.notify(request.thingName, 'attendant-resolved', resolved);
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  private async onRequest(topic: string, payload: Buffer): Promise<void> {
    const parsed = parseCommerceRequestTopic(topic);
    if (!parsed) return;
    const { thingName, operation } = parsed;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.reject(thingName, operation, null, 'PAYLOAD_INVALID_JSON', 'the payload is not JSON');
      return;
    }
    const token = clientTokenOf(body);
    const checked = validators.get(operation)!.check(body);
    if (!checked.ok) {
      this.reject(thingName, operation, token, 'PAYLOAD_SCHEMA', checked.reason);
      return;
    }
    const thing = this.deps.things.getThing(thingName);
    if (thing?.kind !== 'cart' || thing.storeId === null) {
      this.reject(thingName, operation, token, 'THING_NOT_FOUND', `'${thingName}' is not a cart registered in a store`);
      return;
    }
    const cart = { thingName, storeId: thing.storeId, zoneId: thing.zoneId };
    try {
      const handler = this.handlers[operation] as Handler<CommerceOperation>;
      const answer = await handler(cart, checked.value as CommerceRequests[CommerceOperation]);
      this.publish(commerceTopics.reply(thingName, operation, 'accepted'), { clientToken: token, ...answer });
    } catch (err) {
      if (err instanceof FleetError) {
        this.reject(thingName, operation, token, err.code, err.message);
      } else {
        this.deps.log.error({ err, thingName, operation }, 'commerce request failed');
        this.reject(thingName, operation, token, 'INTERNAL', 'internal error');
      }
    }
  }

  private reject(
    thingName: string,
    op: CommerceOperation,
    clientToken: string | null,
    code: ErrorCode,
    message: string,
  ) {
    const rejection: CommerceRejection = { clientToken, code, message };
    this.publish(commerceTopics.reply(thingName, op, 'rejected'), rejection);
  }

  private notify(thingName: string, event: CommerceEvent, payload: object): void {
    this.publish(commerceTopics.notify(thingName, event), payload);
  }

  private publish(topic: string, payload: object): void {
    this.deps.broker
      .publish(topic, JSON.stringify(payload), 1)
      .catch((err) => this.deps.log.warn({ err, topic }, 'commerce answer not published'));
  }
}

function clientTokenOf(body: unknown): string | null {
  const token = (body as { clientToken?: unknown } | null)?.clientToken;
  return typeof token === 'string' && token.length <= 64 ? token : null;
}
