import type { ComponentChildren } from 'preact';
import type { Me, Permission } from '../api/types.ts';
import { Icon, type IconName } from '../components/icons.tsx';
import { useLiveStatus } from '../live/live-feed.ts';
import { navigate } from './router.ts';
import { can, ROLE_LABELS, session } from './session.ts';
import { dismissToast, useToasts } from './toasts.ts';

interface NavItem {
  href: string;
  label: string;
  icon: IconName;
  needs?: Permission;
  /** Shown under the group's heading. */
  group?: 'Commerce';
}

const NAV: NavItem[] = [
  { href: '/', label: 'Overview', icon: 'overview' },
  { href: '/devices', label: 'Devices', icon: 'devices' },
  { href: '/map', label: 'Floor map', icon: 'map' },
  { href: '/alerts', label: 'Alerts', icon: 'alerts' },
  { href: '/broadcast', label: 'Broadcast', icon: 'speaker', needs: 'broadcast:read' },
  { href: '/updates', label: 'Updates', icon: 'updates', needs: 'rollouts:read' },
  { href: '/recognition', label: 'Recognition', icon: 'recognition', needs: 'vision:read' },
  { href: '/audit', label: 'Audit log', icon: 'audit', needs: 'audit:read' },
  { href: '/users', label: 'Users', icon: 'users', needs: 'users:manage' },
  { href: '/orders', label: 'Orders', icon: 'orders', needs: 'orders:read', group: 'Commerce' },
  { href: '/attendants', label: 'Attendants', icon: 'attendants', needs: 'attendants:manage', group: 'Commerce' },
  { href: '/exit-check', label: 'Exit check', icon: 'exit', needs: 'orders:verify-exit', group: 'Commerce' },
  { href: '/catalog', label: 'Catalog', icon: 'catalog', needs: 'catalog:read', group: 'Commerce' },
  { href: '/promotions', label: 'Promotions', icon: 'promotions', needs: 'catalog:read', group: 'Commerce' },
  { href: '/members', label: 'Members', icon: 'members', needs: 'members:read', group: 'Commerce' },
  { href: '/account', label: 'Account', icon: 'account' },
];

/** The fleet pages an attendant has no use for (they see no devices, alerts or maps: no `devices:read`). */
const FLEET_PAGES = new Set(['/', '/devices', '/map', '/alerts']);

function visible(me: Me, item: NavItem): boolean {
  if (FLEET_PAGES.has(item.href) && !can(me, 'devices:read')) return false;
  return !item.needs || can(me, item.needs);
}

function isActive(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

const LIVE_LABEL = { live: 'Live', connecting: 'Connecting…', offline: 'Reconnecting…', refused: 'Not live' };

export function Shell({ me, path, children }: { me: Me; path: string; children: ComponentChildren }) {
  const live = useLiveStatus();
  return (
    <div class="shell">
      <aside class="sidebar">
        <a class="brand" href="/" aria-label="Cartfleet overview">
          <span class="brand-mark">
            <Icon name="cart" size={20} />
          </span>
          <span class="brand-name">Cartfleet</span>
        </a>
        <nav class="nav" aria-label="Main">
          {NAV.filter((item) => visible(me, item)).map((item, i, shown) => [
            item.group && shown[i - 1]?.group !== item.group ? (
              <div key={`group-${item.group}`} class="nav-group nav-label" data-testid="nav-group-commerce">
                {item.group}
              </div>
            ) : null,
            <a
              key={item.href}
              href={item.href}
              class={`nav-item ${isActive(item.href, path) ? 'active' : ''}`}
              data-testid={`nav-${item.icon}`}
              aria-current={isActive(item.href, path) ? 'page' : undefined}
            >
              <Icon name={item.icon} size={20} />
              <span class="nav-label">{item.label}</span>
            </a>,
          ])}
        </nav>
        <div class="sidebar-foot">
          <div class={`live-pill live-${live}`} data-testid="live-status" data-state={live}>
            <span class="live-dot" />
            <span class="nav-label">{LIVE_LABEL[live]}</span>
          </div>
          <div class="me" data-testid="current-user">
            <span class="avatar" aria-hidden="true">
              {(me.user.displayName || me.user.username).slice(0, 1).toUpperCase()}
            </span>
            <span class="me-text nav-label">
              <strong>{me.user.displayName || me.user.username}</strong>
              <small>{ROLE_LABELS[me.user.role] ?? me.user.role}</small>
            </span>
          </div>
          <button
            type="button"
            class="nav-item nav-button"
            data-testid="logout"
            onClick={async () => {
              await session.logout().catch(() => undefined);
              navigate('/login');
            }}
          >
            <Icon name="logout" size={20} />
            <span class="nav-label">Sign out</span>
          </button>
        </div>
      </aside>
      <main class="main" id="main">
        {children}
      </main>
      <Toasts />
    </div>
  );
}

export function Toasts() {
  const toasts = useToasts();
  return (
    <div class="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`} data-testid={`toast-${t.kind}`}>
          <span>{t.text}</span>
          <button type="button" class="icon-btn" onClick={() => dismissToast(t.id)} aria-label="Dismiss">
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}
