import { useState } from 'preact/hooks';
import { isChainWideRole, ROLES } from '../../../protocol/api/roles.ts';
import { ApiError, api, describeError, enc } from '../api/api-client.ts';
import type { Me, PasswordReset, Role, User } from '../api/types.ts';
import { relativeTime } from '../app/format.ts';
import { can, ROLE_LABELS } from '../app/session.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { toast } from '../app/toasts.ts';
import { useResource } from '../app/use-resource.ts';
import { Icon } from '../components/icons.tsx';
import { Modal } from '../components/modal.tsx';
import { ErrorState, Loading, PageHeader } from '../components/page-state.tsx';
import { Badge } from '../components/status.tsx';

export function UsersPage({ me }: { me: Me }) {
  const users = useResource(() => api.get<User[]>('/api/users'), []);
  const stores = useStores();
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [secret, setSecret] = useState<{ username: string; password: string } | null>(null);

  if (!can(me, 'users:manage')) return <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', '')} />;
  if (users.error && !users.data) return <ErrorState error={users.error} onRetry={users.reload} />;

  async function resetPassword(user: User) {
    if (!window.confirm(`Reset the password of ${user.username}? They must choose a new one at their next sign-in.`))
      return;
    try {
      const res = await api.post<PasswordReset>(`/api/users/${enc(user.id)}/reset-password`);
      setSecret({ username: user.username, password: res.oneTimePassword });
      users.reload();
    } catch (err) {
      toast('error', describeError(err));
    }
  }

  const regionsOf = [...new Set(stores.flatMap((s) => (s.region === null ? [] : [s.region])))];

  return (
    <div class="page" data-testid="users-page">
      <PageHeader
        title="Users"
        subtitle="People who can sign in to the console, their role and the stores they see"
        actions={
          <button type="button" class="btn btn-primary" onClick={() => setEditing('new')} data-testid="user-create">
            <Icon name="plus" size={16} /> New user
          </button>
        }
      />
      <section class="panel panel-flush">
        {!users.data ? (
          <Loading />
        ) : (
          <div class="table-scroll">
            <table class="table" data-testid="users-table">
              <thead>
                <tr>
                  <th>User</th>
                  <th>Role</th>
                  <th>Scope</th>
                  <th class="hide-md">Last sign-in</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {users.data.map((u) => (
                  <tr
                    key={u.id}
                    data-testid="user-row"
                    data-username={u.username}
                    class={u.disabled ? 'row-disabled' : ''}
                  >
                    <td>
                      <strong>{u.displayName || u.username}</strong>
                      <div class="muted small mono">{u.username}</div>
                    </td>
                    <td>
                      {ROLE_LABELS[u.role] ?? u.role}
                      {u.disabled ? (
                        <>
                          {' '}
                          <Badge tone="idle">Disabled</Badge>
                        </>
                      ) : u.mustChangePassword ? (
                        <>
                          {' '}
                          <Badge tone="warn">Password pending</Badge>
                        </>
                      ) : null}
                    </td>
                    <td class="small">
                      {isChainWideRole(u.role) || (!u.storeIds.length && !u.regions.length)
                        ? 'Whole chain'
                        : [...u.storeIds.map((s) => storeName(stores, s)), ...u.regions.map((r) => `Region ${r}`)].join(
                            ', ',
                          )}
                    </td>
                    <td class="hide-md muted">{u.lastLoginAt ? relativeTime(u.lastLoginAt) : 'never'}</td>
                    <td class="num nowrap">
                      <button
                        type="button"
                        class="btn btn-small btn-ghost"
                        onClick={() => setEditing(u)}
                        data-testid="user-edit"
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="btn btn-small btn-ghost"
                        onClick={() => resetPassword(u)}
                        data-testid="user-reset"
                      >
                        Reset password
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {editing ? (
        <UserDialog
          user={editing === 'new' ? null : editing}
          stores={stores}
          regions={regionsOf}
          isSelf={editing !== 'new' && editing.id === me.user.id}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null);
            users.reload();
            if (created) setSecret(created);
          }}
        />
      ) : null}
      {secret ? (
        <Modal title="One-time password" onClose={() => setSecret(null)} testId="one-time-password">
          <p>
            Give this password to <strong>{secret.username}</strong> over a private channel. It works once; they choose
            their own at sign-in. It is not shown again.
          </p>
          <code class="secret" data-testid="one-time-password-value">
            {secret.password}
          </code>
          <div class="modal-actions">
            <button type="button" class="btn" onClick={() => navigator.clipboard?.writeText(secret.password)}>
              Copy
            </button>
            <button type="button" class="btn btn-primary" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </Modal>
      ) : null}
    </div>
  );
}

function UserDialog({
  user,
  stores,
  regions,
  isSelf,
  onClose,
  onSaved,
}: {
  user: User | null;
  stores: { id: string; name: string }[];
  regions: string[];
  isSelf: boolean;
  onClose: () => void;
  onSaved: (created?: { username: string; password: string }) => void;
}) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [displayName, setDisplayName] = useState(user?.displayName ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'store-manager');
  const [storeIds, setStoreIds] = useState<string[]>(user?.storeIds ?? []);
  const [userRegions, setUserRegions] = useState<string[]>(user?.regions ?? []);
  const [disabled, setDisabled] = useState(user?.disabled ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = (list: string[], set: (l: string[]) => void, value: string) =>
    set(list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const scoped = !isChainWideRole(role);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const scope = scoped ? { storeIds, regions: userRegions } : { storeIds: [], regions: [] };
    try {
      if (user) {
        await api.patch<User>(`/api/users/${enc(user.id)}`, { displayName, role, ...scope, disabled });
        toast('success', `${user.username} updated.`);
        onSaved();
      } else {
        const res = await api.post<{ user: User; oneTimePassword: string }>('/api/users', {
          username: username.trim(),
          displayName: displayName.trim() || username.trim(),
          role,
          ...scope,
        });
        onSaved({ username: res.user.username, password: res.oneTimePassword });
      }
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  }

  return (
    <Modal title={user ? `Edit ${user.username}` : 'New user'} onClose={onClose} testId="user-dialog">
      <form class="stack" onSubmit={submit}>
        {user ? null : (
          <label class="field">
            <span>Username</span>
            <input
              required
              pattern="[a-z0-9][a-z0-9._-]{1,63}"
              title="Lower-case letters, digits, dot, dash, underscore"
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
              data-testid="user-username"
            />
          </label>
        )}
        <label class="field">
          <span>Display name</span>
          <input
            value={displayName}
            onInput={(e) => setDisplayName(e.currentTarget.value)}
            data-testid="user-display-name"
          />
        </label>
        <label class="field">
          <span>Role</span>
          <select
            value={role}
            disabled={isSelf}
            onChange={(e) => setRole(e.currentTarget.value as Role)}
            data-testid="user-role"
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          {isSelf ? <small class="hint">You cannot change your own role.</small> : null}
        </label>
        {scoped ? (
          <fieldset class="field">
            <legend>Stores</legend>
            <div class="checks">
              {stores.map((s) => (
                <label class="check" key={s.id}>
                  <input
                    type="checkbox"
                    checked={storeIds.includes(s.id)}
                    onChange={() => toggle(storeIds, setStoreIds, s.id)}
                    data-testid={`user-store-${s.id}`}
                  />
                  {s.name}
                </label>
              ))}
            </div>
            {role !== 'store-manager' && regions.length ? (
              <>
                <legend class="sublegend">Regions</legend>
                <div class="checks">
                  {regions.map((r) => (
                    <label class="check" key={r}>
                      <input
                        type="checkbox"
                        checked={userRegions.includes(r)}
                        onChange={() => toggle(userRegions, setUserRegions, r)}
                      />
                      {r}
                    </label>
                  ))}
                </div>
              </>
            ) : null}
            <small class="hint">
              {role === 'viewer' && !storeIds.length && !userRegions.length
                ? 'No store or region: this viewer sees the whole chain.'
                : 'The user sees only devices, alerts and audit entries of these stores.'}
            </small>
          </fieldset>
        ) : null}
        {user && !isSelf ? (
          <label class="check">
            <input type="checkbox" checked={disabled} onChange={(e) => setDisabled(e.currentTarget.checked)} />
            Disabled (cannot sign in; their API tokens stop working)
          </label>
        ) : null}
        {error ? <p class="form-error">{error}</p> : null}
        <div class="modal-actions">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="user-save">
            {busy ? 'Saving…' : user ? 'Save' : 'Create user'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
