import { api, enc } from '../../api/api-client.ts';
import type { TelemetryPoint } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { useResource, useThrottled } from '../../app/use-resource.ts';
import { useLiveEvent } from '../../live/live-feed.ts';

/** The device's `events` stream, newest first (session started, battery low, dock, faults…). */
export function EventsPanel({ thingName }: { thingName: string }) {
  const events = useResource(
    () => api.get<TelemetryPoint[]>(`/api/devices/${enc(thingName)}/events`, { limit: 30 }),
    [thingName],
  );
  const reload = useThrottled(events.reload, 1000);
  useLiveEvent('telemetry', (e) => {
    if (e.thingName === thingName && e.stream === 'events') reload();
  });
  return (
    <section class="panel" data-testid="events-panel">
      <header class="panel-header">
        <h2>Recent events</h2>
      </header>
      {events.error && !events.data ? (
        <p class="muted small pad">Events are unavailable.</p>
      ) : !events.data?.length ? (
        <p class="muted small pad">{events.data ? 'No events yet.' : 'Loading…'}</p>
      ) : (
        <ul class="event-list">
          {events.data.map((e) => {
            const { event, ...rest } = e.metrics;
            const detail = Object.entries(rest)
              .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
              .join(' · ');
            return (
              <li key={e.msgId}>
                <span class="event-name">{typeof event === 'string' ? event : 'event'}</span>
                <span class="muted small event-detail">{detail}</span>
                <time class="muted small nowrap" title={absoluteTime(e.ts)}>
                  {relativeTime(e.ts)}
                </time>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
