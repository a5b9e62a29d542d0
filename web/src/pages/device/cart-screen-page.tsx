import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { CartScreenEvent, Me } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useTick } from '../../app/use-resource.ts';
import { CartScreenView } from '../../cart-screen/cart-screen-view.tsx';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { liveFeed, useLiveEvent, useReconnect } from '../../live/live-feed.ts';

/** How long the cart mirrors per request; asked again before it ends while the page is open. */
const MIRROR_SECONDS = 120;
const RENEW_MS = (MIRROR_SECONDS - 20) * 1000;

/**
 * A cart's screen, live and read-only (issue 8, item 10): asks the cart to mirror its screen
 * (`POST /api/devices/:thingName/screen-mirror`), watches it on the live socket (`screen-watch`) and shows each state
 * with the cart's own `CartScreenView`, without `act`: nothing here can touch the cart.
 */
export function CartScreenPage({ me, thingName }: { me: Me; thingName: string }) {
  const [event, setEvent] = useState<CartScreenEvent | null>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const now = useTick(5_000);

  const ask = () =>
    api.post(`/api/devices/${enc(thingName)}/screen-mirror`, { seconds: MIRROR_SECONDS }).then(
      () => setProblem(null),
      (err: unknown) => setProblem(err),
    );

  useEffect(() => {
    if (!can(me, 'carts:screen')) return;
    const watch = liveFeed.watchScreen(thingName);
    void watch.reply.then((reply) => {
      if (!reply.ok && reply.code !== 'NOT_CONNECTED') setProblem(new ApiError(0, reply.code, reply.message));
    });
    void ask();
    const renew = setInterval(() => void ask(), RENEW_MS);
    return () => {
      clearInterval(renew);
      watch.stop();
    };
  }, [thingName]);
  useReconnect(() => void ask());
  useLiveEvent('cart-screen', (e) => {
    if (e.thingName === thingName) setEvent(e);
  });

  if (!can(me, 'carts:screen')) return <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', '')} />;
  return (
    <div class="page commerce" data-testid="cart-screen-page">
      <nav class="breadcrumbs">
        {can(me, 'devices:read') ? <a href={`/devices/${enc(thingName)}`}>{thingName}</a> : <span>{thingName}</span>}
        <span aria-hidden="true">/</span>
        <span>Screen</span>
      </nav>
      <PageHeader
        title={`${thingName}: screen`}
        subtitle={
          event
            ? `Read-only, live · updated ${relativeTime(event.at, now)}`
            : 'Read-only: asking the cart to show its screen…'
        }
      />
      {problem ? (
        <p class="form-error" data-testid="cart-screen-problem">
          {describeError(problem)}
        </p>
      ) : null}
      {event ? (
        <div class="cart-screen-frame" data-testid="cart-screen-frame">
          <CartScreenView state={event.state} defaultLocale="en" />
        </div>
      ) : problem ? null : (
        <Loading label="Waiting for the cart's screen…" />
      )}
    </div>
  );
}
