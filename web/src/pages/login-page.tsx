import { useState } from 'preact/hooks';
import { ApiError, describeError } from '../api/api-client.ts';
import { session } from '../app/session.ts';
import { Icon } from '../components/icons.tsx';

const TICKET_ERRORS: Record<string, string> = {
  ticket: 'That sign-in link has expired or was already used. Sign in with your password.',
  LOGIN_TICKET_INVALID: 'That sign-in link has expired or was already used. Sign in with your password.',
};

export function LoginPage({ query }: { query: URLSearchParams }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const queryError = query.get('error');
  const [error, setError] = useState<string | null>(
    queryError ? (TICKET_ERRORS[queryError] ?? 'Sign-in failed. Sign in with your password.') : null,
  );

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(username.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'LOGIN_FAILED') setError('Wrong username or password.');
      else if (err instanceof ApiError && err.code === 'LOGIN_THROTTLED') {
        const ms = (err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs;
        setError(`Too many attempts. Try again in ${ms ? Math.ceil(ms / 1000) : 'a few'} seconds.`);
      } else setError(describeError(err));
      setBusy(false);
    }
  }

  return (
    <div class="auth-page">
      <form class="auth-card" onSubmit={submit} data-testid="login-form">
        <div class="auth-brand">
          <span class="brand-mark">
            <Icon name="cart" size={22} />
          </span>
          <div>
            <h1>Cartfleet</h1>
            <p class="muted">Carts and speakers, every store, live.</p>
          </div>
        </div>
        <label class="field">
          <span>Username</span>
          <input
            name="username"
            autocomplete="username"
            required
            autofocus
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="login-username"
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        {error ? (
          <p class="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        ) : null}
        <button type="submit" class="btn btn-primary btn-block" disabled={busy} data-testid="login-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
