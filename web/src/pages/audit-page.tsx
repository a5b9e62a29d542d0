import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api/api-client.ts';
import type { AuditEntry, Me, Page } from '../api/types.ts';
import { absoluteTime, json, relativeTime } from '../app/format.ts';
import { setQuery } from '../app/router.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { useResource } from '../app/use-resource.ts';
import { PageHeader } from '../components/page-state.tsx';
import { PagedList, queryOffset } from '../components/pager.tsx';

const ACTIONS = [
  'shadow.desired',
  'command.send',
  'user.create',
  'user.update',
  'user.reset-password',
  'device.register',
  'device.update',
  'device.revoke',
  'device.approve',
  'alert.acknowledge',
  'alert.resolve',
  'alert-rules.update',
  'token.create',
  'token.delete',
  'auth.login',
  'auth.login-failed',
  'auth.password',
];
const PAGE_SIZE = 50;

function actionTone(action: string): string {
  if (action.endsWith('failed') || action === 'device.revoke') return 'badge-bad';
  if (action.startsWith('auth.') || action.startsWith('token.')) return 'badge-idle';
  if (action.startsWith('user.')) return 'badge-info';
  return 'badge-ok';
}

export function AuditPage({ query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const filters = {
    actor: query.get('actor') ?? '',
    action: query.get('action') ?? '',
    targetId: query.get('targetId') ?? '',
    storeId: query.get('storeId') ?? '',
  };
  const offset = queryOffset(query);
  const audit = useResource(
    () => api.get<Page<AuditEntry>>('/api/audit', { ...filters, limit: PAGE_SIZE, offset }),
    [query.toString()],
  );
  const [open, setOpen] = useState<string | number | null>(null);
  const set = (key: string) => (e: Event) =>
    setQuery({ [key]: (e.currentTarget as HTMLInputElement).value, offset: null });

  return (
    <div class="page" data-testid="audit-page">
      <PageHeader title="Audit log" subtitle="Who did what, when, and from where" />
      <section class="filters">
        <input placeholder="Actor (username)" value={filters.actor} onChange={set('actor')} aria-label="Actor" />
        <select value={filters.action} onChange={set('action')} aria-label="Action">
          <option value="">All actions</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <input
          placeholder="Target (thing, user…)"
          value={filters.targetId}
          onChange={set('targetId')}
          aria-label="Target"
        />
        <select value={filters.storeId} onChange={set('storeId')} aria-label="Store">
          <option value="">All stores</option>
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </section>
      <section class="panel panel-flush">
        <PagedList list={audit} limit={PAGE_SIZE} offset={offset} empty="No entries match.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="audit-table">
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Actor</th>
                    <th>Action</th>
                    <th>Target</th>
                    <th class="hide-md">Store</th>
                    <th class="hide-md">From</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((e) => (
                    <Fragment key={e.id}>
                      <tr
                        class="clickable"
                        onClick={() => setOpen(open === e.id ? null : e.id)}
                        data-testid="audit-row"
                      >
                        <td class="nowrap" title={absoluteTime(e.at)}>
                          {relativeTime(e.at)}
                        </td>
                        <td>{e.actor?.username ?? '—'}</td>
                        <td>
                          <span class={`badge ${actionTone(e.action)}`}>{e.action}</span>
                        </td>
                        <td class="mono small">
                          {e.targetType ? <span class="muted">{e.targetType} </span> : null}
                          {e.targetType === 'device' && e.targetId ? (
                            <a
                              href={`/devices/${encodeURIComponent(e.targetId)}`}
                              onClick={(ev) => ev.stopPropagation()}
                            >
                              {e.targetId}
                            </a>
                          ) : (
                            (e.targetId ?? '—')
                          )}
                        </td>
                        <td class="hide-md">{e.storeId ? storeName(stores, e.storeId) : '—'}</td>
                        <td class="hide-md mono small">{e.ip ?? '—'}</td>
                      </tr>
                      {open === e.id ? (
                        <tr class="details-row">
                          <td colSpan={6}>
                            <div class="muted small">
                              {absoluteTime(e.at)} · {e.userAgent ?? 'unknown client'}
                            </div>
                            <pre class="json">{json(e.details)}</pre>
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </PagedList>
      </section>
    </div>
  );
}
