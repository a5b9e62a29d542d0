import { useEffect, useRef } from 'preact/hooks';
import type { VisionChange } from '../../../../protocol/api/vision.ts';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';

/** Reloads at most this often however many events come (a rollout moves many carts' `ota` shadows at once). */
const RELOAD_EVERY_MS = 2000;

/**
 * Keeps a Recognition page live: `reload` runs when the fleet says `what` changed in the page's store (the `vision`
 * event; '' is every store the user sees), when `carts` is set and one of its carts' `ota` shadow or presence moved,
 * and after a reconnect; never more than once every {@link RELOAD_EVERY_MS}.
 */
export function useVisionLive(
  storeId: string | null,
  what: readonly VisionChange[],
  reload: () => void,
  options: { carts?: boolean } = {},
): void {
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const reloadRef = useRef(reload);
  reloadRef.current = reload;
  useEffect(() => () => clearTimeout(timer.current), []);

  const soon = () => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + RELOAD_EVERY_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      reloadRef.current();
    }, wait);
  };
  const mine = (eventStore: string | null) => storeId !== null && (storeId === '' || eventStore === storeId);

  useReconnect(soon);
  useLiveEvent('vision', (e) => {
    if (mine(e.storeId) && what.includes(e.what)) soon();
  });
  useLiveEvent('shadow', (e) => {
    if (options.carts && e.shadowName === 'ota' && mine(e.storeId)) soon();
  });
  useLiveEvent('presence', (e) => {
    if (options.carts && mine(e.storeId)) soon();
  });
}
