import { api } from '../../api/api-client.ts';
import type { Alert, Me, Page } from '../../api/types.ts';
import { CAUSE_LABELS, changeAlert } from '../../app/alert-actions.ts';
import { relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { AlertStateBadge, SeverityBadge } from '../../components/status.tsx';
import { useLiveEvent } from '../../live/live-feed.ts';

export function DeviceAlertsPanel({ me, thingName }: { me: Me; thingName: string }) {
  const alerts = useResource(
    () => api.get<Page<Alert>>('/api/alerts', { thingName, state: 'active', limit: 20 }),
    [thingName],
  );
  useLiveEvent('alert', (a) => {
    if (a.thingName !== thingName) return;
    alerts.mutate((page) => {
      const rest = (page?.items ?? []).filter((x) => x.id !== a.id);
      const items = a.state === 'resolved' ? rest : [a, ...rest];
      return { items, total: items.length };
    });
  });
  const items = alerts.data?.items ?? [];
  if (!items.length) return null;
  const manage = can(me, 'alerts:manage');
  const replace = (a: Alert | null) =>
    a &&
    alerts.mutate((page) => {
      const items = (page?.items ?? []).map((x) => (x.id === a.id ? a : x)).filter((x) => x.state !== 'resolved');
      return { items, total: items.length };
    });
  return (
    <section class="panel panel-alert" data-testid="device-alerts">
      <header class="panel-header">
        <h2>Active alerts</h2>
        <a class="small" href={`/alerts?thingName=${encodeURIComponent(thingName)}`}>
          History
        </a>
      </header>
      <ul class="device-alerts">
        {items.map((a) => (
          <li key={a.id}>
            <div class="row gap wrap">
              <SeverityBadge severity={a.severity} />
              <strong>{CAUSE_LABELS[a.cause]}</strong>
              <AlertStateBadge state={a.state} />
              <span class="muted small">{relativeTime(a.openedAt)}</span>
            </div>
            <p class="small">{a.message}</p>
            {manage ? (
              <div class="row gap">
                {a.state === 'open' ? (
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={async () => replace(await changeAlert(a, 'acknowledge'))}
                  >
                    Acknowledge
                  </button>
                ) : null}
                <button
                  type="button"
                  class="btn btn-small btn-ghost"
                  onClick={async () => replace(await changeAlert(a, 'resolve'))}
                >
                  Resolve
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
