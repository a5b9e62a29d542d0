import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import { StatementCache } from '../../platform/statement-cache.ts';
import type {
  AttendantCall,
  AttendantDecision,
  AttendantRequest,
  AttendantRequestState,
  OfflineApproval,
} from '../../protocol/commerce/attendant.ts';
import { FleetError, isFleetError } from '../../protocol/errors.ts';
import type { AuditLog } from '../audit/audit-log.ts';
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
  offline_approval: string | null;
}

/** What happens when an `offline-payment` call is approved: the order is marked paid at the desk. */
export type OfflinePaymentHook = (orderId: string, attendant: StaffMember) => Promise<void>;

/**
 * The attendant queue of each store (migration 23): carts call (`attendant-request`), attendants resolve from the
 * console (attendants:manage, own store) or at the cart with their staff code; every change is on the bus
 * (`attendant.changed`: the live console, and the cart's `notify/attendant-resolved`). A call the cart approved by
 * itself while offline (`approvedOffline`, migration 25) is recorded when it syncs, its code checked again.
 */
export class AttendantService {
  private offlinePayment: OfflinePaymentHook | undefined;
  private readonly statements: StatementCache;

  constructor(
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly staffCodes: StaffCodes,
    private readonly bus: EventBus<FleetEvents>,
    private readonly audit: AuditLog,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.statements = new StatementCache(db);
  }

  /** Wired by the composition root: approving an offline-payment call settles its order. */
  onOfflinePaymentApproved(hook: OfflinePaymentHook): void {
    this.offlinePayment = hook;
  }

  get(id: string): AttendantRequest | undefined {
    const row = this.statements.prepare('SELECT * FROM attendant_requests WHERE id = ?').get(id) as
      | RequestRow
      | undefined;
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
      this.statements.prepare(`SELECT COUNT(*) AS n FROM attendant_requests ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.statements
      .prepare(`SELECT * FROM attendant_requests ${clause} ORDER BY ${order}, id LIMIT ? OFFSET ?`)
      .all(...params, query.limit, query.offset) as RequestRow[];
    return { items: rows.map(toRequest), total };
  }

  /**
   * A cart's call. With a staff code the request is approved at once by its owner (STAFF_CODE_INVALID, throttled,
   * creates nothing); otherwise it waits in the store's queue.
   */
  async call(cart: Cart, call: AttendantCall): Promise<AttendantRequest> {
    if (call.approvedOffline) return this.recordOfflineApproval(cart, call, call.approvedOffline);
    const staff = call.staffCode ? this.staffCodes.verify(call.staffCode, cart.storeId, cart.thingName) : null;
    const at = this.clock.now();
    const request: AttendantRequest = {
      ...this.newRequest(cart, call, at),
      state: staff ? 'approved' : 'open',
      resolvedAt: staff ? at : null,
      resolvedBy: staff?.userId ?? null,
      resolvedVia: staff ? 'staff-code' : null,
    };
    await this.writer.write('attendant call', () => this.insert(request));
    if (staff && request.reason === 'offline-payment' && request.orderId) {
      await this.offlinePayment?.(request.orderId, staff);
    }
    this.bus.emit('attendant.changed', { request });
    return request;
  }

  /**
   * A call the cart approved offline with a staff code its snapshot verified, arriving through the outbox. The code is
   * checked again, now, like an online one (throttled; the person must still hold it and still approve in this store):
   * - it verifies as the person the cart named: recorded `approved` by them (`resolvedVia: staff-code`); an audit
   *   entry by that person;
   * - otherwise (wrong now, rotated or disabled since, another person's, or held by the throttle): recorded `open` in
   *   the store's queue with `offlineApproval.refusal`, and an audit entry by the cart — an attendant looks at the
   *   trip; `OfflineApprovalFlags` puts an event on the trip's order.
   * Either way the call is answered accepted (it was recorded) and the cart is not notified (the gateway skips calls
   * with `offlineApproval`): it acted long ago, and a late `attendant-resolved` could unlock a later shopper's basket.
   */
  private async recordOfflineApproval(
    cart: Cart,
    call: AttendantCall,
    claim: NonNullable<AttendantCall['approvedOffline']>,
  ): Promise<AttendantRequest> {
    let staff: StaffMember | null = null;
    let refusal: string | null = null;
    try {
      if (!call.staffCode) throw new FleetError('STAFF_CODE_INVALID', 'an offline approval without its staff code');
      staff = this.staffCodes.verify(call.staffCode, cart.storeId, cart.thingName);
      if (staff.userId !== claim.userId) {
        staff = null;
        refusal = 'STAFF_CODE_INVALID';
      }
    } catch (err) {
      if (!isFleetError(err)) throw err;
      refusal = err.code;
    }
    const at = this.clock.now();
    const offlineApproval: OfflineApproval = { userId: claim.userId, at: claim.at, refusal };
    const when = new Date(claim.at).toISOString();
    const base = this.newRequest(cart, call, at);
    const request: AttendantRequest = {
      ...base,
      // What the queue shows (the console lists details): a refusal says so before what the cart sent.
      details: staff
        ? base.details
        : `Approved on the cart offline; the fleet refused the staff code (${refusal}). ${base.details}`.slice(0, 500),
      state: staff ? 'approved' : 'open',
      // The fleet's time of recording; the cart's time of approval is offlineApproval.at.
      resolvedAt: staff ? at : null,
      resolvedBy: staff?.userId ?? null,
      resolvedVia: staff ? 'staff-code' : null,
      note: staff
        ? `approved on the cart while offline, at ${when}`
        : `approved on the cart while offline at ${when} with a staff code the fleet refused (${refusal})`,
      offlineApproval,
    };
    await this.writer.write('attendant offline approval', () => {
      this.insert(request);
      this.audit.record({
        actor: staff ? { id: staff.userId, username: staff.username } : { id: null, username: cart.thingName },
        action: staff ? 'attendant.offline-approval' : 'attendant.offline-approval-refused',
        targetType: 'attendant-request',
        targetId: request.id,
        storeId: cart.storeId,
        ip: null,
        userAgent: null,
        details: {
          thingName: cart.thingName,
          sessionId: request.sessionId,
          reason: request.reason,
          claimedUserId: claim.userId,
          approvedAt: claim.at,
          refusal,
        },
      });
    });
    this.bus.emit('attendant.changed', { request });
    return request;
  }

  /** Refused offline approvals of a trip not yet tied to its order (OfflineApprovalFlags). */
  refusedOfflineApprovals(thingName: string, sessionId: string): AttendantRequest[] {
    const rows = this.statements
      .prepare(
        `SELECT * FROM attendant_requests WHERE thing_name = ? AND session_id = ? AND order_id IS NULL
           AND json_extract(offline_approval, '$.refusal') IS NOT NULL ORDER BY created_at, id`,
      )
      .all(thingName, sessionId) as RequestRow[];
    return rows.map(toRequest);
  }

  /** Ties a request to its trip's order, inside the caller's write; false when it already had one. */
  linkOrderIn(id: string, orderId: string): boolean {
    return (
      this.statements
        .prepare('UPDATE attendant_requests SET order_id = ? WHERE id = ? AND order_id IS NULL')
        .run(orderId, id).changes === 1
    );
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

  private newRequest(cart: Cart, call: AttendantCall, at: number): AttendantRequest {
    return {
      id: randomId('att_', 16),
      storeId: cart.storeId,
      thingName: cart.thingName,
      sessionId: call.sessionId,
      zoneId: cart.zoneId,
      reason: call.reason,
      details: call.details ?? '',
      orderId: call.orderId ?? null,
      state: 'open',
      createdAt: at,
      resolvedAt: null,
      resolvedBy: null,
      resolvedVia: null,
      note: null,
      offlineApproval: null,
    };
  }

  /** Inside the caller's write. */
  private insert(request: AttendantRequest): void {
    this.statements
      .prepare(
        `INSERT INTO attendant_requests (id, store_id, thing_name, session_id, zone_id, reason, details, order_id,
           state, created_at, resolved_at, resolved_by, resolved_via, note, offline_approval)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        request.id,
        request.storeId,
        request.thingName,
        request.sessionId,
        request.zoneId,
        request.reason,
        request.details,
        request.orderId,
        request.state,
        request.createdAt,
        request.resolvedAt,
        request.resolvedBy,
        request.resolvedVia,
        request.note,
        request.offlineApproval ? JSON.stringify(request.offlineApproval) : null,
      );
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
      this.statements
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

type Cart = { thingName: string; storeId: string; zoneId: string | null };

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
    offlineApproval: row.offline_approval ? (JSON.parse(row.offline_approval) as OfflineApproval) : null,
  };
}
