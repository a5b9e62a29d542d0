import { readFileSync } from 'node:fs';
import type { AttendantQueueSchema } from '../../../protocol/api/attendants.ts';
import type { FromSchema } from '../../../protocol/api/json-schema.ts';
import type { OrderDetail, OrderListSchema } from '../../../protocol/api/orders.ts';
import type { AttendantRequest } from '../../../protocol/commerce/attendant.ts';
import type { PricedBasket } from '../../../protocol/commerce/basket.ts';
import { ORDER_STATES, type Order } from '../../../protocol/commerce/orders.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

const yuan = (fen: number) =>
  `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;

export const orderCommands: CommandGroup = {
  name: 'orders',
  summary: 'list and inspect orders, refund, verify at the exit',
  help: `fleetctl orders — the carts' orders in your stores

  fleetctl orders list [--store ID] [--state ${ORDER_STATES.join('|')}] [--member NUMBER] [--limit N]
  fleetctl orders get ORDER_ID
  fleetctl orders refund ORDER_ID --reason TEXT [--line LINE_ID[:FEN]]...   (no --line: the whole order)
  fleetctl orders verify-exit ORDER_ID

Examples:
  fleetctl orders list --store hf-shanghai-xuhui --state awaiting_payment
  fleetctl orders refund ord_abc... --line l2 --reason "damaged"`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      store: { type: 'string' },
      state: { type: 'string' },
      member: { type: 'string' },
      limit: { type: 'string' },
      reason: { type: 'string' },
      line: { type: 'string', multiple: true },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const print = (o: Order) =>
      ctx.out.line(
        `Order ${o.id} (${o.storeId}, ${o.thingName}) is ${o.state}: total ${yuan(o.totalFen)}, paid ${yuan(o.payableFen)}, refunded ${yuan(o.refundedFen)}.`,
      );
    switch (action) {
      case 'list': {
        if (values.state && !(ORDER_STATES as readonly string[]).includes(values.state)) {
          throw usageError(`--state must be one of ${ORDER_STATES.join(', ')}`);
        }
        const page = await ctx.api().get<FromSchema<typeof OrderListSchema>>('/api/orders', {
          storeId: values.store,
          state: values.state,
          memberNumber: values.member,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'ORDER', value: (o) => o.id },
            { header: 'STATE', value: (o) => o.state },
            { header: 'STORE', value: (o) => o.storeId, max: 24 },
            { header: 'CART', value: (o) => o.thingName, max: 24 },
            { header: 'TOTAL', value: (o) => yuan(o.totalFen), align: 'right' },
            { header: 'AUDIT', value: (o) => (o.priceAudit ? 'flagged' : '') },
            { header: 'CREATED', value: (o) => ctx.out.ago(o.createdAt) },
          ],
          '(no orders)',
        );
        return EXIT.ok;
      }
      case 'get': {
        const id = required(target, 'the ORDER_ID', 'orders');
        const detail = await ctx.api().get<OrderDetail>(`/api/orders/${encodeURIComponent(id)}`);
        if (ctx.out.json) {
          ctx.out.printJson(detail);
          return EXIT.ok;
        }
        print(detail.order);
        for (const l of detail.order.lines) {
          ctx.out.line(
            `  ${l.lineId} ${l.sku} ×${l.quantity} charged ${yuan(l.chargedNetFen)} (cart ${yuan(l.cartNetFen)}, rules ${yuan(l.netFen)})`,
          );
        }
        for (const e of detail.events)
          ctx.out.line(
            `  ${new Date(e.at).toISOString()} ${e.from ?? '-'} → ${e.to} by ${e.actorKind} ${e.actor}${e.reason ? `: ${e.reason}` : ''}`,
          );
        ctx.out.line(`Receipt: ${detail.receiptUrl}`);
        return EXIT.ok;
      }
      case 'refund': {
        const id = required(target, 'the ORDER_ID', 'orders');
        if (!values.reason) throw usageError('--reason is required');
        const lines = (values.line ?? []).map((spec) => {
          const [lineId, amount] = spec.split(':');
          return amount === undefined
            ? { lineId: lineId! }
            : { lineId: lineId!, amountFen: integerOption(amount, '--line amount', 1) as number };
        });
        const order = await ctx.api().post<Order>(`/api/orders/${encodeURIComponent(id)}/refund`, {
          reason: values.reason,
          ...(lines.length > 0 ? { lines } : {}),
        });
        if (ctx.out.json) ctx.out.printJson(order);
        else print(order);
        return EXIT.ok;
      }
      case 'verify-exit': {
        const id = required(target, 'the ORDER_ID', 'orders');
        const order = await ctx.api().post<Order>(`/api/orders/${encodeURIComponent(id)}/verify-exit`, {});
        if (ctx.out.json) ctx.out.printJson(order);
        else print(order);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown action: orders ${action}`);
    }
  },
};

export const quoteCommand: CommandGroup = {
  name: 'quote',
  summary: 'price a basket (JSON file) for a store, member and time; creates nothing',
  help: `fleetctl quote FILE — POST /api/quote with the JSON in FILE ({storeId, memberNumber?, at?, lines: [...]})`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {});
    if (values.help || !positionals[0]) return groupHelp(ctx, this, values.help);
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(positionals[0], 'utf8'));
    } catch (err) {
      throw usageError(`${positionals[0]}: ${(err as Error).message}`);
    }
    const basket = await ctx.api().post<PricedBasket>('/api/quote', body);
    if (ctx.out.json) {
      ctx.out.printJson(basket);
      return EXIT.ok;
    }
    for (const l of basket.lines) ctx.out.line(`  ${l.lineId} ${l.sku} ×${l.quantity} ${yuan(l.netFen)}`);
    ctx.out.line(
      `Subtotal ${yuan(basket.subtotalFen)}, discounts ${yuan(basket.discountFen)}, total ${yuan(basket.totalFen)}, payable ${yuan(basket.payableFen)}, points +${basket.points.earned}.`,
    );
    return EXIT.ok;
  },
};

export const attendantCommands: CommandGroup = {
  name: 'attendants',
  summary: 'the attendant queue: list and resolve carts’ calls',
  help: `fleetctl attendants — carts waiting for an attendant in your stores

  fleetctl attendants list [--store ID] [--state open|approved|rejected|cancelled]
  fleetctl attendants resolve REQUEST_ID approve|reject [--note TEXT]`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      store: { type: 'string' },
      state: { type: 'string' },
      note: { type: 'string' },
    });
    const [action, target, decision] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    if (action === 'list') {
      const page = await ctx.api().get<FromSchema<typeof AttendantQueueSchema>>('/api/attendants/requests', {
        storeId: values.store,
        state: values.state,
      });
      if (ctx.out.json) {
        ctx.out.printJson(page);
        return EXIT.ok;
      }
      ctx.out.table(
        page.items,
        [
          { header: 'REQUEST', value: (r) => r.id },
          { header: 'REASON', value: (r) => r.reason },
          { header: 'CART', value: (r) => r.thingName, max: 24 },
          { header: 'STATE', value: (r) => r.state },
          { header: 'WAITING', value: (r) => ctx.out.ago(r.createdAt) },
          { header: 'DETAILS', value: (r) => r.details, max: 50 },
        ],
        '(nobody waiting)',
      );
      return EXIT.ok;
    }
    if (action === 'resolve') {
      const id = required(target, 'the REQUEST_ID', 'attendants');
      if (decision !== 'approve' && decision !== 'reject') throw usageError('say approve or reject');
      const request = await ctx
        .api()
        .post<AttendantRequest>(`/api/attendants/requests/${encodeURIComponent(id)}/resolve`, {
          decision,
          ...(values.note ? { note: values.note } : {}),
        });
      if (ctx.out.json) ctx.out.printJson(request);
      else ctx.out.line(`Request ${request.id} (${request.reason} on ${request.thingName}) is ${request.state}.`);
      return EXIT.ok;
    }
    throw usageError(`unknown action: attendants ${action}`);
  },
};
