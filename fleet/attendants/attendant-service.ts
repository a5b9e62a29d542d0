import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type {
  AttendantCall,
  AttendantDecision,
  AttendantRequest,
  AttendantRequestState,
} from '../../protocol/commerce/attendant.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import { randomId } from '../orders/order-ids.ts';
import type { Database } from '../storage/database.ts';
import type { DatabaseWriter } from '../storage/database-writer.ts';
import type { StaffCodes, StaffMember } from './staff-codes.ts';

interface RequestRow {
  id: string;
  store_id: string;
  thing_name: string;
  session_id: string | null;
  zone_id: string | null;
  reason: AttendantRequest['reason'];
  details: string;
  order_id: string | null;
  state: AttendantRequestState;
  created_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  resolved_via: AttendantRequest['resolvedVia'];
  note: string | null;
}

/** What happens when an `offline-payment` call is approved: the order is marked paid at the desk. */
export type OfflinePaymentHook = (orderId: string, attendant: StaffMember) => Promise<void>;

/**
 * The attendant queue of each store (migration 23): carts call (`attendant-request`), attendants resolve from the
 * console (attendants:manage, own store) or at the cart with their staff code; every change is on the bus
 * (`attendant.changed`: the live console, and the cart's `notify/attendant-resolved`).
 */
export class AttendantService {
  private offlinePayment: OfflinePaymentHook | undefined;

  constructor(
    private readonly db: Database,
    private readonly writer: DatabaseWriter,
    private readonly staffCodes: StaffCodes,
    private readonly bus: EventBus<FleetEvents>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** Wired by the composition root: approving an offline-payment call settles its order. */
  onOfflinePaymentApproved(hook: OfflinePaymentHook): void {
    this.offlinePayment = hook;
  }

  get(id: string): AttendantRequest | undefined {
    const row = this.db.prepare('SELECT * FROM attendant_requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row && toRequest(row);
  }

  list(query: {
    storeIds: readonly string[] | null;
    storeId?: string;
    state: AttendantRequestState;
    limit: number;
    offset: number;
  }) {
    const where = ['state = ?'];
    const params: unknown[] = [query.state];
    if (query.storeIds !== null) {
      if (query.storeIds.length === 0) return { items: [], total: 0 };
      where.push(`store_id IN (${query.storeIds.map(() => '?').join(', ')})`);
      params.push(...query.storeIds);
    }
    if (query.storeId) {
      where.push('store_id = ?');
      params.push(query.storeId);
    }
    const clause = `WHERE ${where.join(' AND ')}`;
    // The open queue is served first come, first served; resolved ones newest first.
    const order = query.state === 'open' ? 'created_at ASC' : 'COALESCE(resolved_at, created_at) DESC';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM attendant_requests ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM attendant_requests ${clause} ORDER BY ${order}, id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as RequestRow[];
    return { items: rows.map(toRequest), total };
  }

  /**
   * A cart's call. With a staff code the request is approved at once by its owner (STAFF_CODE_INVALID, throttled,
   * creates nothing); otherwise it waits in the store's queue.
   */
  async call(
    cart: { thingName: string; storeId: string; zoneId: string | null },
    call: AttendantCall,
  ): Promise<AttendantRequest> {
    const staff = call.staffCode ? this.staffCodes.verify(call.staffCode, cart.storeId, cart.thingName) : null;
    const at = this.clock.now();
    const id = randomId('att_', 16);
    const request: AttendantRequest = {
      id,
      storeId: cart.storeId,
      thingName: cart.thingName,
      sessionId: call.sessionId,
      zoneId: cart.zoneId,
      reason: call.reason,
      details: call.details ?? '',
      orderId: call.orderId ?? null,
      state: staff ? 'approved' : 'open',
      createdAt: at,
      resolvedAt: staff ? at : null,
      resolvedBy: staff?.userId ?? null,
      resolvedVia: staff ? 'staff-code' : null,
      note: null,
    };
    await this.writer.write('attendant call', () => {
      this.db
        .prepare(
          `INSERT INTO attendant_requests (id, store_id, thing_name, session_id, zone_id, reason, details, order_id,
             state, created_at, resolved_at, resolved_by, resolved_via)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          request.storeId,
          request.thingName,
          request.sessionId,
          request.zoneId,
          request.reason,
          request.details,
          request.orderId,
          request.state,
          at,
          request.resolvedAt,
          request.resolvedBy,
          request.resolvedVia,
        );
    });
    if (staff && request.reason === 'offline-payment' && request.orderId) {
      await this.offlinePayment?.(request.orderId, staff);
    }
    this.bus.emit('attendant.changed', { request });
    return request;
  }

  /** An attendant's decision on an open request (ATTENDANT_REQUEST_NOT_FOUND outside their scope, or not open). */
  async resolve(
    id: string,
    decision: AttendantDecision,
    attendant: StaffMember,
    scope: ReadonlySet<string> | null,
    note?: string,
  ): Promise<AttendantRequest> {
    const found = this.get(id);
    if (!found || (scope !== null && !scope.has(found.storeId))) {
      throw new FleetError('ATTENDANT_REQUEST_NOT_FOUND', `no attendant request '${id}'`);
    }
    if (found.state !== 'open') {
      throw new FleetError('ATTENDANT_REQUEST_NOT_FOUND', `attendant request '${id}' is already ${found.state}`);
    }
    if (decision === 'approve' && found.reason === 'offline-payment' && found.orderId) {
      await this.offlinePayment?.(found.orderId, attendant);
    }
    return this.close(id, decision === 'approve' ? 'approved' : 'rejected', attendant.userId, 'console', note ?? null);
  }

  /** The cart withdrew its call (`attendant-cancel`); only its own, only while open. */
  async cancel(id: string, thingName: string): Promise<AttendantRequest> {
    const found = this.get(id);
    if (!found || found.thingName !== thingName || found.state !== 'open') {
      throw new FleetError('ATTENDANT_REQUEST_NOT_FOUND', `no open attendant request '${id}' of this cart`);
    }
    return this.close(id, 'cancelled', null, 'cart', null);
  }

  private async close(
    id: string,
    state: AttendantRequestState,
    by: string | null,
    via: NonNullable<AttendantRequest['resolvedVia']>,
    note: string | null,
  ): Promise<AttendantRequest> {
    const at = this.clock.now();
    const changed = await this.writer.write('attendant resolve', () =>
      this.db
        .prepare(
          `UPDATE attendant_requests SET state = ?, resolved_at = ?, resolved_by = ?, resolved_via = ?, note = ?
           WHERE id = ? AND state = 'open'`,
        )
        .run(state, at, by, via, note, id),
    );
    if (changed.changes === 0)
      throw new FleetError('ATTENDANT_REQUEST_NOT_FOUND', `attendant request '${id}' is not open`);
    const request = this.get(id)!;
    this.bus.emit('attendant.changed', { request });
    return request;
  }
}

function toRequest(row: RequestRow): AttendantRequest {
  return {
    id: row.id,
    storeId: row.store_id,
    thingName: row.thing_name,
    sessionId: row.session_id,
    zoneId: row.zone_id,
    reason: row.reason,
    details: row.details,
    orderId: row.order_id,
    state: row.state,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    resolvedVia: row.resolved_via,
    note: row.note,
  };
}
