import { useState } from 'preact/hooks';
import { ApiError, api, describeError } from '../../api/api-client.ts';
import type { Member, Tier } from '../../api/types.ts';
import { navigate } from '../../app/router.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { Modal } from '../../components/modal.tsx';

/** Enrol a member (members:write): name, optional phone, tier; the fleet assigns the member number. */
export function NewMemberDialog({ onClose }: { onClose: () => void }) {
  const tiers = useResource(() => api.get<Tier[]>('/api/loyalty/tiers'), []);
  const [displayName, setDisplayName] = useState('');
  const [phone, setPhone] = useState('');
  const [tierId, setTierId] = useState('standard');
  const [error, setError] = useState<{ code: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const member = await api.post<Member>('/api/members', {
        displayName: displayName.trim(),
        tierId,
        ...(phone.trim() ? { phone: phone.trim() } : {}),
      });
      toast('success', `Enrolled ${member.displayName}: No. ${member.memberNumber}`);
      navigate(`/members/${encodeURIComponent(member.id)}`);
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', text: describeError(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <Modal title="Enrol a member" onClose={onClose} testId="new-member-dialog">
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Name</span>
          <input
            value={displayName}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
            required
            maxLength={64}
            data-testid="new-member-name"
          />
        </label>
        <label class="field">
          <span>Phone (optional; shown masked)</span>
          <input
            value={phone}
            onInput={(e) => setPhone(e.currentTarget.value)}
            inputMode="tel"
            data-testid="new-member-phone"
          />
        </label>
        <label class="field">
          <span>Tier</span>
          <select value={tierId} onChange={(e) => setTierId(e.currentTarget.value)} data-testid="new-member-tier">
            {(tiers.data ?? [{ id: 'standard', name: { zh: '', en: 'Standard' } }]).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name.en}
              </option>
            ))}
          </select>
        </label>
        {error ? (
          <p class="form-error" data-testid="new-member-error" data-code={error.code}>
            {error.text}
          </p>
        ) : null}
        <div class="modal-actions">
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="new-member-submit">
            Enrol
          </button>
        </div>
      </form>
    </Modal>
  );
}
