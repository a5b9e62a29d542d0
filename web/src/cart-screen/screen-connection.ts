import { useEffect, useState } from 'preact/hooks';
import { io, type Socket } from 'socket.io-client';
import {
  CART_SCREEN_EVENTS,
  type CartScreenAction,
  type CartScreenReply,
  type CartScreenState,
} from '../../../protocol/commerce/cart-screen.ts';

/** How long an action may wait for the cart's answer before the screen says so. */
const ACTION_TIMEOUT_MS = 10_000;

export interface ScreenConnection {
  state: CartScreenState | null;
  connected: boolean;
  act: (action: CartScreenAction) => Promise<CartScreenReply>;
}

/**
 * The kiosk's one socket to its cart (same origin: the cart serves this page). Each push replaces the whole state;
 * after a reconnect the cart pushes it again, so nothing is patched locally. Only web/cart.html uses this: the
 * read-only view the console mounts gets its state elsewhere.
 */
export function useScreenConnection(): ScreenConnection {
  const [socket, setSocket] = useState<Socket | null>(null);
  const [state, setState] = useState<CartScreenState | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const s = io({ path: '/socket.io', transports: ['websocket', 'polling'] });
    s.on('connect', () => setConnected(true));
    s.on('disconnect', () => setConnected(false));
    s.on(CART_SCREEN_EVENTS.state, (next: CartScreenState) => setState(next));
    setSocket(s);
    return () => {
      s.disconnect();
    };
  }, []);
  const act = async (action: CartScreenAction): Promise<CartScreenReply> => {
    if (!socket?.connected) return { ok: false, code: 'INTERNAL', message: 'the screen is not connected to the cart' };
    try {
      return await socket.timeout(ACTION_TIMEOUT_MS).emitWithAck(CART_SCREEN_EVENTS.action, action);
    } catch {
      return { ok: false, code: 'INTERNAL', message: 'the cart did not answer' };
    }
  };
  return { state, connected, act };
}
