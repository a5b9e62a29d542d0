import { useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Me, OrderDetail } from '../../api/types.ts';
import { absoluteTime, money, nameOf } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { useLiveEvent } from '../../live/live-feed.ts';
import { isPaid, ORDER_STATE_LABELS, OrderStateBadge } from './commerce-badges.tsx';
import { RefundDialog } from './refund-dialog.tsx';

const AUDIT_DECISIONS: Record<NonNullable<OrderDetail['order']['priceAudit']>['decision'], string> = {
  'as-shown': 'charged as shown',
  'current-lower': "charged the fleet's lower price",
  'honoured-snapshot': "honoured the cart's snapshot price",
  'current-stale-snapshot': "charged today's price: the cart's snapshot was stale",
};

/** One order: its lines with discounts, the price audit, payment, the events trail, receipt, refund, exit. */
export function OrderPage({ me, orderId }: { me: Me; orderId: string }) {
  const stores = useStores();
  const detail = useResource(() => api.get<OrderDetail>(`/api/orders/${enc(orderId)}`), [orderId]);
  const [refunding, setRefunding] = useState(false);
  useLiveEvent('order', (o) => {
    if (o.id === orderId) detail.reload();
  });

  if (detail.error && !detail.data) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!detail.data) return <Loading />;
  const { order, events, receiptUrl } = detail.data;
  const audit = new Map((order.priceAudit?.lines ?? []).map((l) => [l.lineId, l]));

  async function verifyExit() {
    try {
      await api.post(`/api/orders/${enc(order.id)}/verify-exit`);
      toast('success', 'Exit verified');
      detail.reload();
    } catch (err) {
      toast('error', err instanceof ApiError ? describeError(err) : String(err));
    }
  }

  return (
    <div class="page commerce" data-testid="order-page" data-state={order.state}>
      <PageHeader
        title={<span class="mono">{order.id}</span>}
        subtitle={
          <>
            {storeName(stores, order.storeId)} · cart {order.thingName} · {absoluteTime(order.createdAt)}
          </>
        }
        actions={
          <>
            <a class="btn" href={receiptUrl} target="_blank" rel="noreferrer" data-testid="receipt-link">
              Receipt
            </a>
            {can(me, 'orders:verify-exit') && isPaid(order) && order.state !== 'exit_verified' ? (
              <button type="button" class="btn" onClick={verifyExit} data-testid="verify-exit">
                Verify exit
              </button>
            ) : null}
            {can(me, 'orders:refund') && isPaid(order) && order.refundedFen < order.totalFen ? (
              <button type="button" class="btn btn-danger" onClick={() => setRefunding(true)} data-testid="refund-open">
                Refund…
              </button>
            ) : null}
          </>
        }
      />
      <div class="grid-2">
        <section class="panel">
          <h2 class="panel-title">Summary</h2>
          <dl class="kv">
            <dt>State</dt>
            <dd>
              <OrderStateBadge state={order.state} />
            </dd>
            <dt>Member</dt>
            <dd class="mono">{order.memberNumber ?? 'Guest'}</dd>
            <dt>Subtotal</dt>
            <dd class="tabular">{money(order.subtotalFen)}</dd>
            <dt>Discounts</dt>
            <dd class="tabular">{money(-order.discountFen)}</dd>
            <dt>Points redeemed</dt>
            <dd class="tabular">
              {order.pointsRedeemed} ({money(-order.pointsRedeemedValueFen)})
            </dd>
            <dt>Payable</dt>
            <dd class="tabular strong" data-testid="order-payable">
              {money(order.payableFen)}
            </dd>
            <dt>Points earned</dt>
            <dd class="tabular">{order.pointsEarned}</dd>
            <dt>Refunded</dt>
            <dd class="tabular">{money(order.refundedFen)}</dd>
          </dl>
        </section>
        <section class="panel">
          <h2 class="panel-title">Payment</h2>
          {order.payment ? (
            <dl class="kv" data-testid="order-payment">
              <dt>Method</dt>
              <dd>
                {order.paymentMethod === 'attendant' ? 'At the desk (offline)' : `QR (${order.payment.provider})`}
              </dd>
              <dt>State</dt>
              <dd>{order.payment.state}</dd>
              <dt>Amount</dt>
              <dd class="tabular">{money(order.payment.amountFen)}</dd>
              <dt>Paid at</dt>
              <dd>{absoluteTime(order.payment.paidAt)}</dd>
              <dt>Id</dt>
              <dd class="mono small">{order.payment.paymentId}</dd>
            </dl>
          ) : (
            <p class="muted">No payment yet.</p>
          )}
        </section>
      </div>
      <section class="panel panel-flush">
        <h2 class="panel-title pad-top">Lines</h2>
        {order.priceAudit ? (
          <p class="form-error pad-top" data-testid="price-audit">
            Price audit ({AUDIT_DECISIONS[order.priceAudit.decision]}): shown {money(order.priceAudit.shownTotalFen)},
            now {money(order.priceAudit.currentTotalFen)}, charged {money(order.priceAudit.chargedTotalFen)} ·{' '}
            {order.priceAudit.reasons.join(', ')}
          </p>
        ) : null}
        <div class="table-scroll">
          <table class="table" data-testid="order-lines">
            <thead>
              <tr>
                <th>Item</th>
                <th class="num">Qty / weight</th>
                <th class="num">Unit</th>
                <th class="num">Gross</th>
                <th>Discounts</th>
                <th class="num">Charged</th>
                <th class="num">Refunded</th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((l) => {
                const flag = audit.get(l.lineId);
                return (
                  <tr key={l.lineId} data-testid="order-line">
                    <td>
                      <strong>{nameOf(l.name)}</strong>
                      <div class="muted small mono">{l.sku}</div>
                    </td>
                    <td class="num tabular">{l.weightG !== null ? `${l.weightG} g` : `× ${l.quantity}`}</td>
                    <td class="num tabular">
                      {money(l.unitPriceFen)}
                      {l.soldBy === 'weight' ? '/kg' : ''}
                    </td>
                    <td class="num tabular">{money(l.grossFen)}</td>
                    <td>
                      {l.discounts.map((d) => (
                        <div key={d.promotionId} class="small">
                          {d.promotionName ? nameOf(d.promotionName) : d.promotionId} {money(-d.amountFen)}
                        </div>
                      ))}
                    </td>
                    <td class="num tabular">
                      {money(l.chargedNetFen)}
                      {flag ? (
                        <div
                          class="badge badge-warn"
                          title={`cart ${money(flag.cartNetFen)}, fleet ${money(flag.fleetNetFen)}`}
                        >
                          Cart {money(flag.cartNetFen)} · fleet {money(flag.fleetNetFen)}
                        </div>
                      ) : null}
                    </td>
                    <td class="num tabular">{l.refundedFen ? money(l.refundedFen) : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section class="panel">
        <h2 class="panel-title">Events</h2>
        <ol class="timeline" data-testid="order-events">
          {events.map((e) => (
            <li key={e.id}>
              <strong>{ORDER_STATE_LABELS[e.to]}</strong>{' '}
              <span class="muted">
                {absoluteTime(e.at)} · {e.actorKind} {e.actor}
                {e.reason ? ` · ${e.reason}` : ''}
              </span>
            </li>
          ))}
        </ol>
      </section>
      {refunding ? (
        <RefundDialog
          order={order}
          onClose={() => setRefunding(false)}
          onDone={() => {
            setRefunding(false);
            detail.reload();
          }}
        />
      ) : null}
    </div>
  );
}
