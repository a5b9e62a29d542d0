import { useState } from 'preact/hooks';
import { ApiError, describeError } from '../api/api-client.ts';
import { session } from '../app/session.ts';

const MIN_LENGTH = 12;

/** Current password, new password twice; the server's PASSWORD_WEAK rules are shown as its message. */
export function ChangePasswordForm({ onDone, submitLabel }: { onDone?: () => void; submitLabel: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const mismatch = repeat.length > 0 && next !== repeat;
  const tooShort = next.length > 0 && next.length < MIN_LENGTH;

  async function submit(e: Event) {
    e.preventDefault();
    if (next !== repeat || next.length < MIN_LENGTH) return;
    setBusy(true);
    setError(null);
    try {
      await session.changePassword(current, next);
      setCurrent('');
      setNext('');
      setRepeat('');
      onDone?.();
    } catch (err) {
      setError(
        err instanceof ApiError && (err.code === 'PASSWORD_INCORRECT' || err.code === 'LOGIN_FAILED')
          ? 'The current password is wrong.'
          : describeError(err),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="stack" onSubmit={submit} data-testid="password-form">
      <label class="field">
        <span>Current password</span>
        <input
          type="password"
          autocomplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
          data-testid="password-current"
        />
      </label>
      <label class="field">
        <span>New password</span>
        <input
          type="password"
          autocomplete="new-password"
          required
          minLength={MIN_LENGTH}
          value={next}
          onInput={(e) => setNext(e.currentTarget.value)}
          data-testid="password-new"
        />
        <small class={tooShort ? 'hint hint-bad' : 'hint'}>
          At least {MIN_LENGTH} characters, not containing your username.
        </small>
      </label>
      <label class="field">
        <span>Repeat new password</span>
        <input
          type="password"
          autocomplete="new-password"
          required
          value={repeat}
          onInput={(e) => setRepeat(e.currentTarget.value)}
          data-testid="password-repeat"
        />
        {mismatch ? <small class="hint hint-bad">The passwords differ.</small> : null}
      </label>
      {error ? (
        <p class="form-error" role="alert" data-testid="password-error">
          {error}
        </p>
      ) : null}
      <button
        type="submit"
        class="btn btn-primary"
        disabled={busy || mismatch || tooShort || !next}
        data-testid="password-submit"
      >
        {busy ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
