import { useState } from 'preact/hooks';
import { api } from '../api/api-client.ts';
import type { Alert, AlertState, Me, Page } from '../api/types.ts';
import { CAUSE_LABELS, changeAlert } from '../app/alert-actions.ts';
import { absoluteTime, actorName, relativeTime } from '../app/format.ts';
import { setQuery } from '../app/router.ts';
import { can } from '../app/session.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { useResource, useThrottled, useTick } from '../app/use-resource.ts';
import { Modal } from '../components/modal.tsx';
import { PageHeader } from '../components/page-state.tsx';
import { PagedList, queryOffset } from '../components/pager.tsx';
import { AlertStateBadge, KindLabel, SeverityBadge } from '../components/status.tsx';
import { useLiveEvent, useReconnect } from '../live/live-feed.ts';
import { AlertsViewTabs } from './alerts-view-tabs.tsx';

const TABS: { state: AlertState | 'active'; label: string }[] = [
  { state: 'active', label: 'Active' },
  { state: 'open', label: 'Open' },
  { state: 'acknowledged', label: 'Acknowledged' },
  { state: 'resolved', label: 'Resolved' },
];
const PAGE_SIZE = 50;

export function AlertsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  useTick(15_000);
  const state = (query.get('state') as AlertState | 'active' | null) ?? 'active';
  const storeId = query.get('storeId') ?? '';
  const severity = query.get('severity') ?? '';
  const thingName = query.get('thingName') ?? '';
  const offset = queryOffset(query);
  const alerts = useResource(
    () => api.get<Page<Alert>>('/api/alerts', { state, storeId, severity, thingName, limit: PAGE_SIZE, offset }),
    [query.toString()],
  );
  const reload = useThrottled(alerts.reload, 800);
  useReconnect(alerts.reload);
  useLiveEvent('alert', (a) => {
    // Keep the row in place (with its new state) until the next reload, so it does not jump under the pointer.
    alerts.mutate((page) => replaceAlert(page, a));
    if (!alerts.data?.items.some((x) => x.id === a.id)) reload();
  });

  const [noteFor, setNoteFor] = useState<{ alert: Alert; action: 'acknowledge' | 'resolve' } | null>(null);
  const manage = can(me, 'alerts:manage');

  async function act(alert: Alert, action: 'acknowledge' | 'resolve', note?: string) {
    const updated = await changeAlert(alert, action, note);
    if (updated) alerts.mutate((page) => replaceAlert(page, updated));
  }

  return (
    <div class="page" data-testid="alerts-page">
      <PageHeader
        title="Alerts"
        subtitle={alerts.data ? `${alerts.data.total} ${state === 'active' ? 'active' : state}` : ' '}
        actions={<AlertsViewTabs current="alerts" />}
      />
      <section class="filters">
        <div class="segmented" role="tablist" aria-label="Alert state">
          {TABS.map((t) => (
            <button
              type="button"
              role="tab"
              key={t.state}
              aria-selected={t.state === state}
              class={t.state === state ? 'active' : ''}
              onClick={() => setQuery({ state: t.state === 'active' ? null : t.state, offset: null }, false)}
              data-testid={`alerts-tab-${t.state}`}
            >
              {t.label}
            </button>
          ))}
        </div>
        <select
          value={storeId}
          onChange={(e) => setQuery({ storeId: e.currentTarget.value, offset: null })}
          aria-label="Store"
        >
          <option value="">All stores</option>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select
          value={severity}
          onChange={(e) => setQuery({ severity: e.currentTarget.value, offset: null })}
          aria-label="Severity"
        >
          <option value="">Any severity</option>
          <option value="critical">Critical</option>
          <option value="warning">Warning</option>
        </select>
        {thingName ? (
          <button type="button" class="btn btn-small btn-ghost" onClick={() => setQuery({ thingName: null })}>
            Device: {thingName} ✕
          </button>
        ) : null}
      </section>
      <section class="panel panel-flush">
        <PagedList
          list={alerts}
          limit={PAGE_SIZE}
          offset={offset}
          empty={state === 'resolved' ? 'No resolved alerts.' : 'No alerts here. The fleet is healthy.'}
        >
          {(items) => (
            <ul class="alert-list" data-testid="alert-list">
              {items.map((a) => (
                <li
                  key={a.id}
                  class={`alert-item alert-${a.severity} state-${a.state}`}
                  data-testid="alert-row"
                  data-alert={a.id}
                  data-thing={a.thingName}
                >
                  <div class="alert-main">
                    <div class="row gap wrap">
                      <SeverityBadge severity={a.severity} />
                      <strong>{CAUSE_LABELS[a.cause]}</strong>
                      <a href={`/devices/${encodeURIComponent(a.thingName)}`} class="mono">
                        {a.thingName}
                      </a>
                      <KindLabel kind={a.deviceKind} />
                      <span class="muted small">{storeName(stores, a.storeId)}</span>
                    </div>
                    <p class="alert-message">{a.message}</p>
                    <ol class="timeline small">
                      <li title={absoluteTime(a.openedAt)}>
                        <span class="dot dot-bad" /> Opened {relativeTime(a.openedAt)}
                      </li>
                      {a.acknowledgedAt ? (
                        <li title={absoluteTime(a.acknowledgedAt)} data-testid="alert-acknowledged-by">
                          <span class="dot dot-warn" /> Acknowledged by <strong>{actorName(a.acknowledgedBy)}</strong>{' '}
                          {relativeTime(a.acknowledgedAt)}
                        </li>
                      ) : null}
                      {a.resolvedAt ? (
                        <li title={absoluteTime(a.resolvedAt)}>
                          <span class="dot dot-ok" /> Resolved{' '}
                          {a.resolvedBy ? (
                            <>
                              by <strong>{actorName(a.resolvedBy)}</strong>
                            </>
                          ) : (
                            'automatically'
                          )}{' '}
                          {relativeTime(a.resolvedAt)}
                        </li>
                      ) : null}
                      {a.note ? <li class="muted">“{a.note}”</li> : null}
                    </ol>
                  </div>
                  <div class="alert-side">
                    <AlertStateBadge state={a.state} />
                    {manage && a.state !== 'resolved' ? (
                      <div class="row gap">
                        {a.state === 'open' ? (
                          <button
                            type="button"
                            class="btn btn-small btn-primary"
                            onClick={() => setNoteFor({ alert: a, action: 'acknowledge' })}
                            data-testid="alert-acknowledge"
                          >
                            Acknowledge
                          </button>
                        ) : null}
                        <button
                          type="button"
                          class="btn btn-small"
                          onClick={() => setNoteFor({ alert: a, action: 'resolve' })}
                          data-testid="alert-resolve"
                        >
                          Resolve
                        </button>
                      </div>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </PagedList>
      </section>
      {noteFor ? (
        <NoteDialog
          title={`${noteFor.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} alert on ${noteFor.alert.thingName}`}
          confirm={noteFor.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}
          onClose={() => setNoteFor(null)}
          onConfirm={async (note) => {
            const { alert, action } = noteFor;
            setNoteFor(null);
            await act(alert, action, note);
          }}
        />
      ) : null}
    </div>
  );
}

/** The page with `alert` in place of its previous version; the same page when the alert is not on it. */
function replaceAlert(page: Page<Alert> | undefined, alert: Alert): Page<Alert> | undefined {
  if (!page?.items.some((x) => x.id === alert.id)) return page;
  return { ...page, items: page.items.map((x) => (x.id === alert.id ? alert : x)) };
}

function NoteDialog({
  title,
  confirm,
  onClose,
  onConfirm,
}: {
  title: string;
  confirm: string;
  onClose: () => void;
  onConfirm: (note: string | undefined) => void;
}) {
  const [note, setNote] = useState('');
  return (
    <Modal title={title} onClose={onClose} testId="alert-dialog">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm(note.trim() || undefined);
        }}
      >
        <label class="field">
          <span>Note (optional)</span>
          <textarea
            rows={3}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
            placeholder="e.g. Sent a colleague to dock it"
            data-testid="alert-note"
          />
        </label>
        <div class="modal-actions">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" data-testid="alert-confirm">
            {confirm}
          </button>
        </div>
      </form>
    </Modal>
  );
}
