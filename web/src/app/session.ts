import { useEffect, useState } from 'preact/hooks';
import { ROLE_PERMISSIONS } from '../../../protocol/api/roles.ts';
import { ApiError, api, setCsrf } from '../api/api-client.ts';
import type { Me, Permission, Role, User } from '../api/types.ts';

/**
 * The signed-in user, shared by every page. `undefined` while the first GET /api/auth/me is in flight,
 * `null` when nobody is signed in.
 */
type SessionState = Me | null | undefined;

let current: SessionState;
const listeners = new Set<(s: SessionState) => void>();

function publish(next: SessionState): void {
  current = next;
  setCsrf(next?.csrf ?? null);
  for (const l of listeners) l(next);
}

export const session = {
  get current(): SessionState {
    return current;
  },

  async refresh(): Promise<Me | null> {
    try {
      const me = await api.get<Me>('/api/auth/me');
      publish(me);
      return me;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        publish(null);
        return null;
      }
      throw err;
    }
  },

  async login(username: string, password: string): Promise<Me> {
    const res = await api.post<{ user: User; csrf: string }>('/api/auth/login', { username, password });
    setCsrf(res.csrf);
    // /me carries the permissions and the resolved store scope the UI needs.
    const me = await session.refresh();
    if (me) return me;
    const fallback: Me = { user: res.user, csrf: res.csrf, permissions: [], storeIds: null };
    publish(fallback);
    return fallback;
  },

  async logout(): Promise<void> {
    try {
      await api.post('/api/auth/logout');
    } finally {
      publish(null);
    }
  },

  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await api.post('/api/auth/password', { currentPassword, newPassword });
    await session.refresh();
  },

  lost(): void {
    publish(null);
  },

  markPasswordChangeRequired(): void {
    if (current) publish({ ...current, user: { ...current.user, mustChangePassword: true } });
  },
};

export function useSession(): SessionState {
  const [state, setState] = useState<SessionState>(current);
  useEffect(() => {
    listeners.add(setState);
    setState(current);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return state;
}

/**
 * What the UI may offer: the permissions `GET /api/auth/me` sent, or the contract's role table if it sent none.
 * The server decides (403/404 are still handled where the action is taken).
 */
export function can(me: Me | null | undefined, permission: Permission): boolean {
  if (!me) return false;
  if (me.permissions.length) return me.permissions.includes(permission);
  return ROLE_PERMISSIONS[me.user.role].has(permission);
}

/** May this user send command `name` (store managers may only locate)? */
export function canSendCommand(me: Me | null | undefined, name: string): boolean {
  return can(me, 'commands:send') || (name === 'locate' && can(me, 'commands:locate'));
}

export const ROLE_LABELS: Record<Role, string> = {
  'hq-admin': 'HQ admin',
  'store-manager': 'Store manager',
  technician: 'Technician',
  attendant: 'Attendant',
  viewer: 'Viewer',
};
