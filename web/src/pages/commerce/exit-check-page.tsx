import { useEffect, useRef, useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { Me, OrderDetail } from '../../api/types.ts';
import { money, nameOf, relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { PageHeader } from '../../components/page-state.tsx';
import { useLiveEvent } from '../../live/live-feed.ts';
import { isPaid, OrderStateBadge } from './commerce-badges.tsx';

const ORDER_ID = /ord_[a-z2-7]{20}/;

/** The order id in what was scanned: a receipt URL (`/r/ord_…?t=…`), the order QR of an offline checkout, or the id. */
export function orderIdIn(text: string): string | null {
  return ORDER_ID.exec(text)?.[0] ?? null;
}

/**
 * The exit check: an attendant scans the receipt QR (a USB/HID scanner types into the focused field and presses
 * Enter) or pastes it; the page says PAID or NOT PAID in letters readable from a step away, lists the lines, and
 * records the check.
 */
export function ExitCheckPage({ me }: { me: Me }) {
  const [text, setText] = useState('');
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useLiveEvent('order', (o) => {
    if (detail && o.id === detail.order.id) setDetail({ ...detail, order: o });
  });

  async function look(value: string) {
    const orderId = orderIdIn(value);
    setDetail(null);
    if (!orderId) {
      setProblem('No order id in what was scanned.');
      return;
    }
    setProblem(null);
    try {
      setDetail(await api.get<OrderDetail>(`/api/orders/${enc(orderId)}`));
    } catch (err) {
      setProblem(describeError(err));
    }
    setText('');
    input.current?.focus();
  }

  async function verify() {
    if (!detail) return;
    try {
      await api.post(`/api/orders/${enc(detail.order.id)}/verify-exit`);
      toast('success', 'Exit verified');
      setDetail(await api.get<OrderDetail>(`/api/orders/${enc(detail.order.id)}`));
    } catch (err) {
      toast('error', describeError(err));
    }
    input.current?.focus();
  }

  const order = detail?.order;
  const paid = order ? isPaid(order) : false;
  return (
    <div class="page commerce" data-testid="exit-check-page">
      <PageHeader title="Exit check" subtitle="Scan the receipt QR or type the order id" />
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void look(text);
        }}
      >
        <label class="grow">
          <input
            ref={input}
            value={text}
            onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
            placeholder="Receipt URL or order id"
            aria-label="Receipt URL or order id"
            autoComplete="off"
            data-testid="exit-input"
          />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="exit-check">
          Check
        </button>
      </form>
      {problem ? (
        <p class="form-error" data-testid="exit-problem">
          {problem}
        </p>
      ) : null}
      {order ? (
        <section class="panel" data-testid="exit-result">
          <div class={`exit-verdict ${paid ? 'exit-paid' : 'exit-unpaid'}`} data-testid="exit-verdict">
            {paid ? 'PAID' : 'NOT PAID'}
          </div>
          <p class="center">
            <span class="mono">{order.id}</span> · <OrderStateBadge state={order.state} /> · {money(order.payableFen)} ·{' '}
            {relativeTime(order.createdAt)}
          </p>
          <ul class="plain-list exit-lines">
            {order.lines.map((l) => (
              <li key={l.lineId}>
                {nameOf(l.name)} {l.weightG !== null ? `${l.weightG} g` : `× ${l.quantity}`}
                <span class="tabular">{money(l.chargedNetFen)}</span>
              </li>
            ))}
          </ul>
          {can(me, 'orders:verify-exit') && paid && order.state !== 'exit_verified' ? (
            <button type="button" class="btn btn-primary btn-block" onClick={verify} data-testid="exit-verify">
              Verify exit
            </button>
          ) : order.state === 'exit_verified' ? (
            <p class="center strong">Exit already verified.</p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
