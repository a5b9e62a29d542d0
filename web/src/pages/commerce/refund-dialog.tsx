import { useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { Order, RefundBody } from '../../api/types.ts';
import { money, nameOf } from '../../app/format.ts';
import { toast } from '../../app/toasts.ts';
import { Modal } from '../../components/modal.tsx';

/**
 * Refund the whole order or chosen lines (each up to what is left of it), with a reason and a confirmation: the
 * money goes back to the shopper and the points earned are reversed (fleet/orders/order-settlement.ts).
 */
export function RefundDialog({ order, onClose, onDone }: { order: Order; onClose: () => void; onDone: () => void }) {
  const refundable = order.lines.filter((l) => l.chargedNetFen - l.refundedFen > 0);
  const [whole, setWhole] = useState(true);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const amount = whole
    ? refundable.reduce((sum, l) => sum + l.chargedNetFen - l.refundedFen, 0)
    : refundable.filter((l) => picked.has(l.lineId)).reduce((sum, l) => sum + l.chargedNetFen - l.refundedFen, 0);
  const valid = reason.trim().length > 0 && (whole || picked.size > 0);

  async function submit() {
    setBusy(true);
    setError(null);
    const body: RefundBody = whole
      ? { reason: reason.trim() }
      : { reason: reason.trim(), lines: [...picked].map((lineId) => ({ lineId })) };
    try {
      await api.post(`/api/orders/${enc(order.id)}/refund`, body);
      toast('success', `Refunded ${money(amount)}`);
      onDone();
    } catch (err) {
      setError(describeError(err));
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title={`Refund ${order.id}`} onClose={onClose} testId="refund-dialog">
      <div class="stack">
        <label class="check">
          <input type="radio" checked={whole} onChange={() => setWhole(true)} data-testid="refund-whole" /> The whole
          order
        </label>
        <label class="check">
          <input type="radio" checked={!whole} onChange={() => setWhole(false)} data-testid="refund-lines" /> Chosen
          lines
        </label>
        {!whole ? (
          <ul class="plain-list">
            {refundable.map((l) => (
              <li key={l.lineId}>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={picked.has(l.lineId)}
                    data-testid={`refund-line-${l.lineId}`}
                    onChange={(e) => {
                      const next = new Set(picked);
                      if ((e.currentTarget as HTMLInputElement).checked) next.add(l.lineId);
                      else next.delete(l.lineId);
                      setPicked(next);
                    }}
                  />
                  {nameOf(l.name)} × {l.quantity} — {money(l.chargedNetFen - l.refundedFen)}
                </label>
              </li>
            ))}
          </ul>
        ) : null}
        <label class="field">
          <span>Reason</span>
          <input
            value={reason}
            maxLength={500}
            onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
            data-testid="refund-reason"
          />
        </label>
        {error ? <p class="form-error">{error}</p> : null}
        <div class="modal-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          {!confirming ? (
            <button
              type="button"
              class="btn btn-danger"
              disabled={!valid}
              onClick={() => setConfirming(true)}
              data-testid="refund-next"
            >
              Refund {money(amount)}…
            </button>
          ) : (
            <button type="button" class="btn btn-danger" disabled={busy} onClick={submit} data-testid="refund-confirm">
              Confirm: give back {money(amount)}
            </button>
          )}
        </div>
      </div>
    </Modal>
  );
}
