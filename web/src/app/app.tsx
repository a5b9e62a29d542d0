import { useEffect } from 'preact/hooks';
import { onSessionLost } from '../api/api-client.ts';
import type { Me } from '../api/types.ts';
import { Loading } from '../components/page-state.tsx';
import { liveFeed } from '../live/live-feed.ts';
import { AccountPage } from '../pages/account-page.tsx';
import { AlertRulesPage } from '../pages/alert-rules/alert-rules-page.tsx';
import { AlertsPage } from '../pages/alerts-page.tsx';
import { AuditPage } from '../pages/audit-page.tsx';
import { ChangePasswordPage } from '../pages/change-password-page.tsx';
import { DevicePage } from '../pages/device/device-page.tsx';
import { DeviceListPage } from '../pages/device-list-page.tsx';
import { LoginPage } from '../pages/login-page.tsx';
import { StoreMapPage } from '../pages/map/store-map-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';
import { OverviewPage } from '../pages/overview-page.tsx';
import { UsersPage } from '../pages/users-page.tsx';
import { match, navigate, onLinkClick, useLocation } from './router.ts';
import { session, useSession } from './session.ts';
import { Shell } from './shell.tsx';
import { forgetStores } from './stores-cache.ts';

export function App() {
  const me = useSession();
  const { path, query } = useLocation();

  useEffect(() => {
    session.refresh().catch(() => session.lost());
    document.addEventListener('click', onLinkClick);
    const off = onSessionLost((code) => {
      if (code === 'PASSWORD_CHANGE_REQUIRED') session.markPasswordChangeRequired();
      else session.lost();
    });
    return () => {
      document.removeEventListener('click', onLinkClick);
      off();
    };
  }, []);

  const signedIn = Boolean(me && !me.user.mustChangePassword);
  useEffect(() => {
    if (signedIn) liveFeed.connect();
    else {
      liveFeed.disconnect();
      forgetStores();
    }
  }, [signedIn, me?.user.id]);

  useEffect(() => {
    if (me === null && path !== '/login') {
      const next = path + window.location.search;
      navigate(`/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, { replace: true });
    } else if (me?.user.mustChangePassword && path !== '/change-password') {
      navigate('/change-password', { replace: true });
    } else if (me && !me.user.mustChangePassword && (path === '/login' || path === '/change-password')) {
      const next = query.get('next');
      navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    }
  }, [me, path, query]);

  if (me === undefined) return <Loading label="Starting the console…" />;
  if (me === null) return <LoginPage query={query} />;
  if (me.user.mustChangePassword) return <ChangePasswordPage me={me} forced />;

  const page = routePage(me, path, query);

  return (
    <Shell me={me} path={path}>
      {page}
    </Shell>
  );
}

function routePage(me: Me, path: string, query: URLSearchParams): preact.JSX.Element {
  if (path === '/' || path === '/login' || path === '/change-password') return <OverviewPage me={me} />;
  if (path === '/devices') return <DeviceListPage me={me} query={query} />;
  const device = match('/devices/:thingName', path);
  if (device) return <DevicePage key={device.thingName} me={me} thingName={device.thingName!} query={query} />;
  if (path === '/map') return <StoreMapPage me={me} storeId={null} />;
  const map = match('/map/:storeId', path);
  if (map) return <StoreMapPage key={map.storeId} me={me} storeId={map.storeId!} />;
  if (path === '/alerts') return <AlertsPage me={me} query={query} />;
  if (path === '/alerts/rules') return <AlertRulesPage me={me} />;
  if (path === '/audit') return <AuditPage me={me} query={query} />;
  if (path === '/users') return <UsersPage me={me} />;
  if (path === '/account') return <AccountPage me={me} />;
  return <NotFoundPage />;
}
