import { ROLLOUT_STATES } from '../../../../protocol/api/rollouts.ts';
import { api, enc } from '../../api/api-client.ts';
import type { Me, Rollout, RolloutPage } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useStores } from '../../app/stores-cache.ts';
import { useResource, useTick } from '../../app/use-resource.ts';
import { PageHeader } from '../../components/page-state.tsx';
import { PagedList, queryOffset } from '../../components/pager.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { StoreSelect } from '../commerce/store-select.tsx';
import { ProgressBar, RolloutStateBadge } from './ota-badges.tsx';
import { COMPONENT_LABELS, ROLLOUT_STATE_LABELS } from './ota-labels.ts';
import { OtaNav } from './ota-nav.tsx';

const PAGE_SIZE = 50;

function matches(r: Rollout, state: string, storeId: string, releaseId: string): boolean {
  return (
    (!state || r.state === state) &&
    (!storeId || r.storeIds.includes(storeId)) &&
    (!releaseId || r.releaseId === releaseId)
  );
}

/**
 * Rollouts, newest first, live from the `rollout` event (a new one appears at the top, a running one's bars move).
 * The fleet lists a store manager only the rollouts touching their stores.
 */
export function RolloutsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  useTick(30_000);
  const state = query.get('state') ?? '';
  const storeId = query.get('storeId') ?? '';
  const releaseId = query.get('releaseId') ?? '';
  const offset = queryOffset(query);
  const list = useResource(
    () => api.get<RolloutPage>('/api/rollouts', { state, storeId, releaseId, limit: PAGE_SIZE, offset }),
    [state, storeId, releaseId, offset],
  );
  useReconnect(list.reload);
  useLiveEvent('rollout', (rollout) => {
    const fits = matches(rollout, state, storeId, releaseId);
    list.mutate((page) => {
      if (!page) return page;
      const at = page.items.findIndex((r) => r.id === rollout.id);
      if (at >= 0) {
        const items = [...page.items];
        if (fits) items[at] = rollout;
        else items.splice(at, 1);
        return { items, total: fits ? page.total : page.total - 1 };
      }
      if (!fits || offset > 0) return page;
      return { items: [rollout, ...page.items].slice(0, PAGE_SIZE), total: page.total + 1 };
    });
  });
  const set = (key: string) => (value: string) => setQuery({ [key]: value, offset: null });

  return (
    <div class="page ota" data-testid="rollouts-page">
      <PageHeader
        title="Updates"
        subtitle={
          me.storeIds === null ? 'Rollouts of releases to the fleet, in phases' : 'Rollouts touching your stores'
        }
        actions={
          can(me, 'rollouts:manage') ? (
            <a class="btn btn-primary" href="/updates/rollouts/new" data-testid="new-rollout">
              New rollout
            </a>
          ) : null
        }
      />
      <OtaNav me={me} active="rollouts" />
      <section class="filters">
        <select
          value={state}
          onChange={(e) => set('state')((e.currentTarget as HTMLSelectElement).value)}
          aria-label="State"
          data-testid="filter-state"
        >
          <option value="">Any state</option>
          {ROLLOUT_STATES.map((s) => (
            <option key={s} value={s}>
              {ROLLOUT_STATE_LABELS[s]}
            </option>
          ))}
        </select>
        {stores.length > 1 ? (
          <StoreSelect stores={stores} value={storeId} onChange={set('storeId')} all="Every store" />
        ) : null}
      </section>
      <section class="panel panel-flush">
        <PagedList list={list} limit={PAGE_SIZE} offset={offset} empty="No rollout matches these filters.">
          {(items) => (
            <div class="table-scroll">
              <table class="table" data-testid="rollouts-table">
                <thead>
                  <tr>
                    <th>Rollout</th>
                    <th>Release</th>
                    <th>State</th>
                    <th class="wide">Progress</th>
                    <th class="num">Devices</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((r) => (
                    <tr key={r.id} data-testid="rollout-row" data-rollout={r.id} data-state={r.state}>
                      <td>
                        <a class="strong" href={`/updates/rollouts/${enc(r.id)}`}>
                          {r.name}
                        </a>
                      </td>
                      <td>
                        {r.releaseName} <span class="mono">{r.version}</span>
                        <div class="muted small">{COMPONENT_LABELS[r.component]}</div>
                      </td>
                      <td>
                        <RolloutStateBadge state={r.state} />
                        {r.stateReason ? <div class="muted small clamp">{r.stateReason}</div> : null}
                      </td>
                      <td class="wide">
                        <ProgressBar counts={r.counts} legend={false} testId="rollout-row-progress" />
                      </td>
                      <td class="num tabular">{r.counts.total}</td>
                      <td class="muted nowrap" title={absoluteTime(r.createdAt)}>
                        {relativeTime(r.createdAt)}
                        {r.createdBy ? ` · ${r.createdBy}` : ''}
                      </td>
                    </tr>
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
