import { useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { Member } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';
import { Modal } from '../../components/modal.tsx';

/** Add or take points (points:adjust), with a note that goes into the ledger. */
export function AdjustPointsDialog({
  member,
  onClose,
  onDone,
}: {
  member: Member;
  onClose: () => void;
  onDone: () => void;
}) {
  const [points, setPoints] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    try {
      await api.post(`/api/members/${enc(member.id)}/points/adjust`, { points: Number(points), note: note.trim() });
      toast('success', `Adjusted ${points} points`);
      onDone();
    } catch (err) {
      setError(describeError(err));
    }
  }
  return (
    <Modal title={`Adjust points: ${member.displayName}`} onClose={onClose} testId="adjust-points-dialog">
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Points (negative to take)</span>
          <input
            value={points}
            onInput={(e) => setPoints((e.currentTarget as HTMLInputElement).value)}
            inputMode="numeric"
            required
          />
        </label>
        <label class="field">
          <span>Note</span>
          <input
            value={note}
            onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)}
            required
            maxLength={500}
          />
        </label>
        {error ? <p class="form-error">{error}</p> : null}
        <div class="modal-actions">
          <button type="submit" class="btn btn-primary">
            Adjust
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** Issue a coupon of a coupon-gated promotion to the member (coupons:issue). */
export function IssueCouponDialog({
  member,
  onClose,
  onDone,
}: {
  member: Member;
  onClose: () => void;
  onDone: () => void;
}) {
  const today = new Date().toISOString().slice(0, 10);
  const [promotionId, setPromotionId] = useState('');
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  async function submit(e: Event) {
    e.preventDefault();
    try {
      await api.post('/api/coupons', {
        memberId: member.id,
        promotionId: promotionId.trim(),
        validFrom: new Date(`${from}T00:00:00`).getTime(),
        validTo: new Date(`${to}T23:59:59`).getTime(),
      });
      toast('success', 'Coupon issued');
      onDone();
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
    }
  }
  return (
    <Modal title={`Issue a coupon: ${member.displayName}`} onClose={onClose} testId="issue-coupon-dialog">
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Promotion id (a coupon-gated promotion)</span>
          <input
            value={promotionId}
            onInput={(e) => setPromotionId((e.currentTarget as HTMLInputElement).value)}
            class="mono"
            required
            data-testid="coupon-promotion"
          />
        </label>
        <div class="form-grid">
          <label class="field">
            <span>Valid from</span>
            <input
              type="date"
              value={from}
              onInput={(e) => setFrom((e.currentTarget as HTMLInputElement).value)}
              data-testid="coupon-from"
            />
          </label>
          <label class="field">
            <span>Valid to</span>
            <input
              type="date"
              value={to}
              onInput={(e) => setTo((e.currentTarget as HTMLInputElement).value)}
              data-testid="coupon-to"
            />
          </label>
        </div>
        {error ? (
          <p class="form-error" data-testid="coupon-error" data-code={error.code}>
            {error.text}
          </p>
        ) : null}
        <div class="modal-actions">
          <button type="submit" class="btn btn-primary" data-testid="coupon-submit">
            Issue
          </button>
        </div>
      </form>
    </Modal>
  );
}
