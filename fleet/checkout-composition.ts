import type { Clock } from '../platform/clock.ts';
import type { EventBus } from '../platform/event-bus.ts';
import type { Logger } from '../platform/log.ts';
import type { AccessService } from './access/access-service.ts';
import { AttendantService } from './attendants/attendant-service.ts';
import { OfflineApprovalFlags } from './attendants/offline-approval-flags.ts';
import { StaffCodes } from './attendants/staff-codes.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { DeviceBroker } from './broker/device-broker.ts';
import type { CatalogService } from './catalog/catalog-service.ts';
import { CommerceGateway } from './commerce-gateway/commerce-gateway.ts';
import { MemberSessions } from './commerce-gateway/member-sessions.ts';
import type { FleetConfig } from './config.ts';
import type { FleetEvents } from './fleet-events.ts';
import type { LoyaltyLedger, OrderPricing } from './orders/commerce-ports.ts';
import { LatePayments } from './orders/late-payments.ts';
import { OrderRepository } from './orders/order-repository.ts';
import { OrderService } from './orders/order-service.ts';
import { OrderSettlement } from './orders/order-settlement.ts';
import { ReceiptLinks } from './orders/receipt-links.ts';
import { SnapshotOrderPricing } from './orders/snapshot-pricing.ts';
import { PaymentRepository } from './payments/payment-repository.ts';
import { SandboxPaymentProvider } from './payments/sandbox-provider.ts';
import type { PricingSnapshotService } from './pricing/pricing-snapshot-service.ts';
import type { PromotionService } from './promotions/promotion-service.ts';
import type { DeviceRegistry } from './registry/device-registry.ts';
import type { StoreRepository } from './registry/store-repository.ts';
import type { Database } from './storage/database.ts';
import type { DatabaseWriter } from './storage/database-writer.ts';
import { loadOrCreateKey } from './storage/secret-key.ts';

export interface CheckoutDeps {
  config: FleetConfig;
  log: Logger;
  clock: Clock;
  bus: EventBus<FleetEvents>;
  db: Database;
  writer: DatabaseWriter;
  stores: StoreRepository;
  access: AccessService;
  registry: DeviceRegistry;
  broker: DeviceBroker;
  httpPort: () => number;
  pricing: OrderPricing;
  loyalty: LoyaltyLedger;
  /** The sandbox provider's HTTP client for its notifications (FleetExtensions.sandboxPost); default fetch. */
  sandboxPost?: typeof fetch;
}

/** Orders and quotes priced by the engine over the stores' pricing snapshots, with names from the catalog. */
export function snapshotOrderPricing(
  snapshots: PricingSnapshotService,
  catalog: CatalogService,
  promotions: PromotionService,
): OrderPricing {
  return new SnapshotOrderPricing({
    snapshots,
    productName: (sku) => catalog.productName(sku),
    promotionName: (id) => promotions.repository.name(id),
  });
}

/**
 * Orders, payment, receipts and the attendant queue (issue 8), and the carts' MQTT gateway to them, wired by the
 * fleet server's composition root.
 */
export function composeCheckout(deps: CheckoutDeps) {
  const { config, log, clock, bus, db, writer, stores, access, registry, broker, httpPort, pricing, loyalty } = deps;
  const listenHost = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  const local = () => `http://${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${httpPort()}`;
  const publicUrl = () => config.payments.publicUrl?.replace(/\/+$/, '') ?? local();
  const orderRepository = new OrderRepository(db);
  const payments = new PaymentRepository(db);
  const sandbox = new SandboxPaymentProvider(
    {
      key: loadOrCreateKey(config.dataDir, 'payment-sandbox-key'),
      publicUrl,
      notifyUrl: () => `${local()}/api/payments/sandbox/notify`,
      timestampWindowMs: config.payments.timestampWindowMs,
    },
    clock,
    log.child({ component: 'payments' }),
    deps.sandboxPost,
  );
  const receipts = new ReceiptLinks(loadOrCreateKey(config.dataDir, 'receipt-key'), publicUrl);
  const staffCodes = new StaffCodes(
    db,
    writer,
    loadOrCreateKey(config.dataDir, 'staff-code-key'),
    (userId) => {
      const user = access.users.get(userId);
      return user && !user.disabled ? access.principalOf(user, 'token', null) : undefined;
    },
    bus,
    clock,
  );
  const members = new MemberSessions(config.orders.memberLoginValidMs);
  const orders = new OrderService(
    {
      orders: orderRepository,
      payments,
      writer,
      pricing,
      loyalty,
      provider: sandbox,
      receipts,
      staffCode: (code, storeId, thingName) => staffCodes.verify(code, storeId, thingName),
      memberVerified: (thingName, memberNumber, at) => members.verified(thingName, memberNumber, at),
      storeName: (storeId) => stores.getStore(storeId)?.name ?? storeId,
      bus: bus,
      clock,
      log: log.child({ component: 'orders' }),
    },
    config.orders,
  );
  const late = new LatePayments({
    db,
    orders: orderRepository,
    payments,
    writer,
    provider: sandbox,
    loyalty,
    service: orders,
    now: () => clock.now(),
    log: log.child({ component: 'orders' }),
  });
  const settlement = new OrderSettlement({
    db,
    orders: orderRepository,
    payments,
    writer,
    provider: sandbox,
    loyalty,
    service: orders,
    late,
    now: () => clock.now(),
    nonceRetentionMs: config.payments.nonceRetentionMs,
  });
  const attendants = new AttendantService(db, writer, staffCodes, bus, new AuditLog(db), clock);
  const offlineApprovalFlags = new OfflineApprovalFlags({
    attendants,
    orders: orderRepository,
    writer,
    bus,
    now: () => clock.now(),
    log: log.child({ component: 'attendants' }),
  });
  attendants.onOfflinePaymentApproved(async (orderId, attendant) => {
    await settlement.paidAtDesk(orderId, { kind: 'user', id: attendant.userId });
  });
  const gateway = new CommerceGateway({
    broker,
    things: registry,
    orders,
    attendants,
    loyalty,
    members,
    bus: bus,
    now: () => clock.now(),
    log: log.child({ component: 'commerce-gateway' }),
  });
  return {
    gateway,
    /** Where phones reach the fleet: pay and receipt links, and the member app's enrolment links. */
    publicUrl,
    offlineApprovalFlags,
    http: {
      orders,
      settlement,
      late,
      attendants,
      staffCodes,
      sandbox,
      payments,
      orderEvents: (orderId: string) => orderRepository.events(orderId),
      receipts,
      pricing,
      loyalty,
      search: (query: Parameters<OrderRepository['search']>[0]) => orderRepository.search(query),
    },
  };
}
