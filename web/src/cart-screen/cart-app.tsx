import { CartScreenView } from './cart-screen-view.tsx';
import { useScreenConnection } from './screen-connection.ts';

/**
 * The kiosk page: the cart's state as it comes, and the shopper's actions back. `?view` shows the same screen
 * read-only (a second screen, or checking the kiosk without touching the basket).
 */
export function CartApp() {
  const { state, connected, act } = useScreenConnection();
  const readOnly = new URLSearchParams(location.search).has('view');
  if (!state) {
    return <div class="cs-connecting" data-testid="cs-connecting" data-connected={connected} />;
  }
  return <CartScreenView state={state} act={readOnly ? undefined : act} />;
}
