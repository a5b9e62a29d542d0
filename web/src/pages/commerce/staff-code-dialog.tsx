import { useState } from 'preact/hooks';
import { api, describeError } from '../../api/api-client.ts';
import { Modal } from '../../components/modal.tsx';

/**
 * The attendant's 6-digit staff code (typed on a cart to approve an age check or a desk payment there). A new one
 * replaces the old and is shown once: the fleet keeps only its hash.
 */
export function StaffCodeDialog({ onClose }: { onClose: () => void }) {
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function issue() {
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ code: string }>('/api/attendants/staff-code');
      setCode(res.code);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="My staff code" onClose={onClose} testId="staff-code-dialog">
      <div class="stack">
        {code ? (
          <>
            <p class="staff-code" data-testid="staff-code">
              {code}
            </p>
            <p class="hint">Shown once. Learn it now; your previous code no longer works.</p>
          </>
        ) : (
          <>
            <p>
              A new 6-digit code lets you approve requests on a cart's screen. Your previous code stops working at once.
            </p>
            <button type="button" class="btn btn-primary" onClick={issue} disabled={busy} data-testid="staff-code-new">
              Get a new code
            </button>
          </>
        )}
        {error ? <p class="form-error">{error}</p> : null}
      </div>
    </Modal>
  );
}
