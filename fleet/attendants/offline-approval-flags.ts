import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import type { AttendantRequest } from '../../protocol/commerce/attendant.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { OrderRepository } from '../orders/order-repository.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { AttendantService } from './attendant-service.ts';

/**
 * Flags the order of a trip in which a cart approved an age check (or attendant-only items) offline with a staff code
 * the fleet then refused (AttendantService.recordOfflineApproval): the refused call is tied to the order
 * (`orderId`) and the order gets an event `offline approval refused` (its state unchanged) naming the request, so
 * whoever looks at the order sees it. The two arrive through the cart's outbox in either order — the call first,
 * usually (the approval came before checkout), the order's recompute taking longer — so both arrivals are watched:
 * the call looks for its trip's order, a new order for its trip's refused calls.
 */
export class OfflineApprovalFlags {
  private offs: (() => void)[] = [];
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      attendants: AttendantService;
      orders: OrderRepository;
      writer: DatabaseWriter;
      bus: EventBus<FleetEvents>;
      now: () => number;
      log: Logger;
    },
  ) {}

  start(): void {
    const { bus } = this.deps;
    this.offs.push(
      bus.on('attendant.changed', ({ request }) => {
        if (request.offlineApproval?.refusal && request.orderId === null && request.sessionId !== null) {
          this.enqueue(request.thingName, request.sessionId);
        }
      }),
      bus.on('order.changed', ({ order, previous }) => {
        if (previous === null && order.sessionId !== null) this.enqueue(order.thingName, order.sessionId);
      }),
    );
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** Resolves when every link asked for so far is written (tests). */
  settled(): Promise<void> {
    return this.work;
  }

  private enqueue(thingName: string, sessionId: string): void {
    this.work = this.work
      .then(() => this.link(thingName, sessionId))
      .catch((err) => this.deps.log.error({ err, thingName, sessionId }, 'refused offline approval not flagged'));
  }

  private async link(thingName: string, sessionId: string): Promise<void> {
    const { attendants, orders, writer, bus } = this.deps;
    const refused = attendants.refusedOfflineApprovals(thingName, sessionId);
    if (refused.length === 0) return;
    const linked = await writer.write('flag offline approval', () => {
      const done: AttendantRequest[] = [];
      // Read in the write: the order's state named by the event is the one it has when the event lands.
      const order = orders.ofSession(thingName, sessionId);
      if (!order) return done;
      for (const request of refused) {
        if (!attendants.linkOrderIn(request.id, order.id)) continue;
        orders.addEvent({
          orderId: order.id,
          from: order.state,
          to: order.state,
          actorKind: 'fleet',
          actor: 'attendants',
          at: this.deps.now(),
          reason: 'offline approval refused',
          details: {
            requestId: request.id,
            reason: request.reason,
            claimedUserId: request.offlineApproval?.userId ?? null,
            approvedAt: request.offlineApproval?.at ?? null,
            refusal: request.offlineApproval?.refusal ?? null,
          },
        });
        done.push({ ...request, orderId: order.id });
      }
      return done;
    });
    for (const request of linked) bus.emit('attendant.changed', { request });
  }
}
