import { useState } from 'preact/hooks';
import { api, describeError, enc } from '../api/api-client.ts';
import type { ApiToken, CreatedToken, Me } from '../api/types.ts';
import { absoluteTime, relativeTime } from '../app/format.ts';
import { ROLE_LABELS } from '../app/session.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { toast } from '../app/toasts.ts';
import { useResource } from '../app/use-resource.ts';
import { Modal } from '../components/modal.tsx';
import { PageHeader } from '../components/page-state.tsx';
import { ChangePasswordForm } from './change-password-form.tsx';

export function AccountPage({ me }: { me: Me }) {
  const stores = useStores();
  const tokens = useResource(() => api.get<ApiToken[]>('/api/auth/tokens'), []);
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [busy, setBusy] = useState(false);

  async function createToken(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      const token = await api.post<CreatedToken>('/api/auth/tokens', {
        name: name.trim(),
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      setCreated(token);
      setName('');
      tokens.reload();
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(false);
    }
  }

  async function revoke(token: ApiToken) {
    if (!window.confirm(`Delete the token “${token.name}”? Scripts using it stop working.`)) return;
    try {
      await api.delete(`/api/auth/tokens/${enc(token.id)}`);
      tokens.mutate((list) => list?.filter((t) => t.id !== token.id));
      toast('success', 'Token deleted.');
    } catch (err) {
      toast('error', describeError(err));
    }
  }

  return (
    <div class="page" data-testid="account-page">
      <PageHeader
        title="Your account"
        subtitle={`${me.user.displayName || me.user.username} · ${ROLE_LABELS[me.user.role]}`}
      />
      <div class="grid-2">
        <section class="panel">
          <header class="panel-header">
            <h2>Profile</h2>
          </header>
          <dl class="facts">
            <dt>Username</dt>
            <dd class="mono">{me.user.username}</dd>
            <dt>Role</dt>
            <dd>{ROLE_LABELS[me.user.role]}</dd>
            <dt>Stores</dt>
            <dd>
              {me.storeIds === null ? 'Whole chain' : me.storeIds.map((s) => storeName(stores, s)).join(', ') || 'None'}
            </dd>
            <dt>Last sign-in</dt>
            <dd>{absoluteTime(me.user.lastLoginAt)}</dd>
          </dl>
          <h3 class="subhead">Change password</h3>
          <div class="panel-body">
            <ChangePasswordForm submitLabel="Change password" onDone={() => toast('success', 'Password changed.')} />
          </div>
        </section>
        <section class="panel" data-testid="tokens-panel">
          <header class="panel-header">
            <h2>API tokens</h2>
          </header>
          <p class="muted small pad-top">
            For scripts and the <code>fleetctl</code> CLI: send as <code>Authorization: Bearer …</code>. A token acts
            with your role and stores.
          </p>
          <form class="token-form" onSubmit={createToken}>
            <input
              required
              maxLength={64}
              placeholder="Token name, e.g. nightly-report"
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              aria-label="Token name"
              data-testid="token-name"
            />
            <select value={days} onChange={(e) => setDays(e.currentTarget.value)} aria-label="Expires">
              <option value="7">7 days</option>
              <option value="30">30 days</option>
              <option value="90">90 days</option>
              <option value="365">1 year</option>
              <option value="">Never expires</option>
            </select>
            <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()} data-testid="token-create">
              Create
            </button>
          </form>
          {tokens.error && !tokens.data ? (
            <p class="muted small pad">Tokens are unavailable ({describeError(tokens.error)}).</p>
          ) : !tokens.data?.length ? (
            <p class="muted small pad">{tokens.data ? 'No tokens yet.' : 'Loading…'}</p>
          ) : (
            <ul class="token-list" data-testid="token-list">
              {tokens.data.map((t) => (
                <li key={t.id}>
                  <div>
                    <strong>{t.name}</strong>
                    <div class="muted small">
                      created {relativeTime(t.createdAt)} ·{' '}
                      {t.expiresAt ? `expires ${absoluteTime(t.expiresAt)}` : 'never expires'}
                    </div>
                  </div>
                  <button type="button" class="btn btn-small btn-danger-ghost" onClick={() => revoke(t)}>
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {created ? (
        <Modal title="Token created" onClose={() => setCreated(null)} testId="token-created">
          <p>Copy it now: it is shown only once.</p>
          <code class="secret" data-testid="token-value">
            {created.token}
          </code>
          <div class="modal-actions">
            <button type="button" class="btn" onClick={() => navigator.clipboard?.writeText(created.token)}>
              Copy
            </button>
            <button type="button" class="btn btn-primary" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </Modal>
      ) : null}
    </div>
  );
}
