import type { AlertRule } from '../../protocol/api/alert-rules.ts';
import type { Alert, AlertActor, AlertListQuery } from '../../protocol/api/alerts.ts';
import type { Command } from '../../protocol/api/commands.ts';
import type { OrderEvent } from '../../protocol/commerce/orders.ts';
import type { AttendantService } from '../attendants/attendant-service.ts';
import type { StaffCodes } from '../attendants/staff-codes.ts';
import type { LoyaltyLedger, OrderPricing } from '../orders/commerce-ports.ts';
import type { OrderRepository } from '../orders/order-repository.ts';
import type { OrderService } from '../orders/order-service.ts';
import type { OrderSettlement } from '../orders/order-settlement.ts';
import type { ReceiptLinks } from '../orders/receipt-links.ts';
import type { PaymentRepository } from '../payments/payment-repository.ts';
import type { SandboxPaymentProvider } from '../payments/sandbox-provider.ts';

/**
 * What the HTTP layer needs from the commands, alerts and provisioning subsystems, in the API contract's types
 * (protocol/api/). Declared here (structurally) so the API depends on what those subsystems offer, not on how they
 * are built.
 */
export type Actor = AlertActor;

export interface CommandsPort {
  send(input: {
    thingName: string;
    name: string;
    params: Record<string, unknown>;
    queueForSeconds: number;
    requestedBy: string;
  }): Promise<Command>;
  list(thingName: string, limit: number): Command[];
  get(id: string): Command | undefined;
}

export interface AlertsPort {
  list(
    query: Omit<AlertListQuery, 'limit' | 'offset'> & { storeIds: string[] | null; limit: number; offset: number },
  ): {
    items: Alert[];
    total: number;
  };
  /** Throws ALERT_NOT_FOUND. */
  get(id: number): Alert;
  acknowledge(id: number, actor: Actor, note?: string): Alert;
  resolve(id: number, actor: Actor, note?: string): Alert;
  rules(): AlertRule[];
  /** Validates the whole set (ALERT_RULES_INVALID) and applies it at once. */
  replaceRules(rules: unknown): AlertRule[];
  openCountsByThing(): ReadonlyMap<string, number>;
}

export interface ProvisioningPort {
  approve(thingName: string, actor: Actor): void;
}

/** Checkout (issue 8): orders, payment, receipts and the attendant queue, as the routes use them. */
export interface CommercePort {
  orders: OrderService;
  settlement: OrderSettlement;
  attendants: AttendantService;
  staffCodes: StaffCodes;
  sandbox: SandboxPaymentProvider;
  payments: PaymentRepository;
  orderEvents: (orderId: string) => OrderEvent[];
  receipts: ReceiptLinks;
  pricing: OrderPricing;
  loyalty: LoyaltyLedger;
  search: OrderRepository['search'];
}
