import { useEffect } from 'preact/hooks';
import { onSessionLost } from '../api/api-client.ts';
import type { Me } from '../api/types.ts';
import { Loading } from '../components/page-state.tsx';
import { liveFeed } from '../live/live-feed.ts';
import { AccountPage } from '../pages/account-page.tsx';
import { AlertRulesPage } from '../pages/alert-rules/alert-rules-page.tsx';
import { AlertsPage } from '../pages/alerts-page.tsx';
import { AuditPage } from '../pages/audit-page.tsx';
import { broadcastPage } from '../pages/broadcast/broadcast-routes.tsx';
import { CatalogImportPage } from '../pages/catalog/catalog-import-page.tsx';
import { CatalogPage } from '../pages/catalog/catalog-page.tsx';
import { CategoriesPage } from '../pages/catalog/categories-page.tsx';
import { ProductPage } from '../pages/catalog/product-page.tsx';
import { StorePricesPage } from '../pages/catalog/store-prices-page.tsx';
import { ChangePasswordPage } from '../pages/change-password-page.tsx';
import { AttendantQueuePage } from '../pages/commerce/attendant-queue-page.tsx';
import { ExitCheckPage } from '../pages/commerce/exit-check-page.tsx';
import { OrderPage } from '../pages/commerce/order-page.tsx';
import { OrdersPage } from '../pages/commerce/orders-page.tsx';
import { CartScreenPage } from '../pages/device/cart-screen-page.tsx';
import { DevicePage } from '../pages/device/device-page.tsx';
import { DeviceListPage } from '../pages/device-list-page.tsx';
import { LoginPage } from '../pages/login-page.tsx';
import { StoreMapPage } from '../pages/map/store-map-page.tsx';
import { LoyaltyConfigPage } from '../pages/members/loyalty-config-page.tsx';
import { MemberPage } from '../pages/members/member-page.tsx';
import { MembersPage } from '../pages/members/members-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';
import { otaPage } from '../pages/ota/ota-routes.tsx';
import { OverviewPage } from '../pages/overview-page.tsx';
import { PromotionPage } from '../pages/promotions/promotion-page.tsx';
import { PromotionsPage } from '../pages/promotions/promotions-page.tsx';
import { UsersPage } from '../pages/users-page.tsx';
import { visionPage } from '../pages/vision/vision-routes.tsx';
import { match, navigate, onLinkClick, useLocation } from './router.ts';
import { can, session, useSession } from './session.ts';
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
  if (path === '/' || path === '/login' || path === '/change-password') {
    // An attendant sees no devices: their console starts at the queue they work from.
    if (!can(me, 'devices:read') && can(me, 'attendants:manage')) return <AttendantQueuePage me={me} query={query} />;
    return <OverviewPage me={me} />;
  }
  const commerce = commercePage(me, path, query);
  if (commerce) return commerce;
  const broadcast = broadcastPage(me, path, query);
  if (broadcast) return broadcast;
  const ota = otaPage(me, path, query);
  if (ota) return ota;
  const vision = visionPage(me, path, query);
  if (vision) return vision;
  if (path === '/devices') return <DeviceListPage me={me} query={query} />;
  const screen = match('/devices/:thingName/screen', path);
  if (screen) return <CartScreenPage key={screen.thingName} me={me} thingName={screen.thingName!} />;
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

/** The commerce pages (issue 8); `null` for any other path. */
function commercePage(me: Me, path: string, query: URLSearchParams): preact.JSX.Element | null {
  if (path === '/orders') return <OrdersPage me={me} query={query} />;
  const order = match('/orders/:orderId', path);
  if (order) return <OrderPage key={order.orderId} me={me} orderId={order.orderId!} />;
  if (path === '/attendants') return <AttendantQueuePage me={me} query={query} />;
  if (path === '/exit-check') return <ExitCheckPage me={me} />;
  if (path === '/catalog') return <CatalogPage me={me} query={query} />;
  if (path === '/catalog/categories') return <CategoriesPage me={me} />;
  if (path === '/catalog/import') return <CatalogImportPage me={me} />;
  if (path === '/catalog/prices') return <StorePricesPage me={me} query={query} />;
  if (path === '/catalog/new') return <ProductPage me={me} sku={null} />;
  const product = match('/catalog/products/:sku', path);
  if (product) return <ProductPage key={product.sku} me={me} sku={product.sku!} />;
  if (path === '/promotions') return <PromotionsPage me={me} query={query} />;
  if (path === '/promotions/new') return <PromotionPage me={me} id={null} />;
  const promotion = match('/promotions/:id', path);
  if (promotion) return <PromotionPage key={promotion.id} me={me} id={promotion.id!} />;
  if (path === '/members') return <MembersPage me={me} query={query} />;
  if (path === '/members/loyalty') return <LoyaltyConfigPage me={me} />;
  const member = match('/members/:id', path);
  if (member) return <MemberPage key={member.id} me={me} id={member.id!} />;
  return null;
}
