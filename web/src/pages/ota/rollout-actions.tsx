import { useState } from 'preact/hooks';
import { api, enc } from '../../api/api-client.ts';
import type { Rollout } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';
import { Modal } from '../../components/modal.tsx';
import { describeOtaError, errorCode } from './ota-errors.ts';
import { actionsFor, type RolloutAction } from './rollout-live.ts';

const WORDS: Record<RolloutAction, { button: string; title: string; explain: string; done: string }> = {
  pause: {
    button: 'Pause',
    title: 'Pause this rollout?',
    explain: 'No more devices are queued until it is resumed. Devices already updating finish what they started.',
    done: 'paused',
  },
  resume: {
    button: 'Resume',
    title: 'Resume this rollout?',
    explain: 'Devices are queued again, phase by phase, at the rollout’s rate and in the stores’ windows.',
    done: 'resumed',
  },
  abort: {
    button: 'Abort…',
    title: 'Abort this rollout?',
    explain:
      'Queued devices are canceled, and devices in the middle of the update are stopped too: they roll back to ' +
      'the version they had. This cannot be undone; a new rollout starts over.',
    done: 'aborted',
  },
};

/**
 * Pause, resume and abort (`rollouts:manage`), each confirmed with a reason that goes to the audit log and, for an
 * abort or pause, into the rollout's `stateReason`. The server has the last word (ROLLOUT_STATE_INVALID).
 */
export function RolloutActions({
  rollout,
  onDone,
}: {
  rollout: Rollout;
  /** With the rollout the server answered, or nothing when it answered without one (the caller reloads). */
  onDone: (rollout: Rollout | undefined) => void;
}) {
  const [asking, setAsking] = useState<RolloutAction | null>(null);
  return (
    <div class="row-actions" data-testid="rollout-actions">
      {actionsFor(rollout.state).map((a) => (
        <button
          key={a}
          type="button"
          class={`btn ${a === 'abort' ? 'btn-danger' : ''}`}
          onClick={() => setAsking(a)}
          data-testid={`rollout-${a}`}
        >
          {WORDS[a].button}
        </button>
      ))}
      {asking ? (
        <ConfirmAction
          rollout={rollout}
          action={asking}
          onClose={() => setAsking(null)}
          onDone={(r) => {
            setAsking(null);
            onDone(r);
          }}
        />
      ) : null}
    </div>
  );
}

function ConfirmAction({
  rollout,
  action,
  onClose,
  onDone,
}: {
  rollout: Rollout;
  action: RolloutAction;
  onClose: () => void;
  onDone: (rollout: Rollout | undefined) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ code?: string; text: string } | null>(null);
  const words = WORDS[action];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setRefusal(null);
    try {
      const body = reason.trim() ? { reason: reason.trim() } : {};
      const updated = await api.post<Rollout | undefined>(`/api/rollouts/${enc(rollout.id)}/${action}`, body);
      toast('success', `“${rollout.name}” ${words.done}.`);
      onDone(updated);
    } catch (err) {
      setRefusal({ code: errorCode(err), text: describeOtaError(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={words.title} onClose={onClose} testId="rollout-confirm">
      <form onSubmit={submit} class="stack">
        <p>{words.explain}</p>
        <label class="field">
          <span>Reason (kept in the audit log)</span>
          <textarea
            rows={2}
            maxLength={500}
            value={reason}
            onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)}
            data-testid="rollout-reason"
          />
        </label>
        {refusal ? (
          <div class="form-error" role="alert" data-testid="rollout-action-error" data-code={refusal.code}>
            {refusal.text}
          </div>
        ) : null}
        <div class="modal-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            class={`btn ${action === 'abort' ? 'btn-danger' : 'btn-primary'}`}
            disabled={busy}
            data-testid="rollout-confirm-submit"
          >
            {busy ? 'Working…' : words.button.replace('…', '')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
