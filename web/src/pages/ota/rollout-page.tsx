import { api, enc } from '../../api/api-client.ts';
import type { Me, Rollout } from '../../api/types.ts';
import { absoluteTime, relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useResource, useTick } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { ProgressBar, RolloutStateBadge } from './ota-badges.tsx';
import { COMPONENT_LABELS } from './ota-labels.ts';
import { OtaNav } from './ota-nav.tsx';
import { RolloutActions } from './rollout-actions.tsx';
import { RolloutDevices } from './rollout-devices.tsx';
import { applyRolloutEvent, donePercent, startRuleText } from './rollout-live.ts';
import { SpecSummary } from './spec-summary.tsx';

/**
 * A rollout, live: its state and why (an abort criterion that tripped, who paused it), per-phase bars, the devices
 * with their steps and reasons. `rollout` events replace the rollout (the server sends at most one a second);
 * `rollout-device` events patch the devices table; after a reconnect both are fetched again.
 */
export function RolloutPage({ me, id, query }: { me: Me; id: string; query: URLSearchParams }) {
  const rollout = useResource(() => api.get<Rollout>(`/api/rollouts/${enc(id)}`), [id]);
  useTick(30_000);
  useReconnect(rollout.reload);
  useLiveEvent('rollout', (event) => rollout.mutate((current) => applyRolloutEvent(current, event)));

  if (rollout.error && !rollout.data) return <ErrorState error={rollout.error} onRetry={rollout.reload} />;
  const r = rollout.data;
  if (!r) return <Loading />;

  return (
    <div class="page ota" data-testid="rollout-page" data-rollout={r.id} data-state={r.state}>
      <nav class="breadcrumbs">
        <a href="/updates">Updates</a>
        <span aria-hidden="true">/</span>
        <span>{r.name}</span>
      </nav>
      <PageHeader
        title={r.name}
        subtitle={
          <>
            {COMPONENT_LABELS[r.component]}{' '}
            {can(me, 'releases:read') ? (
              <a href={`/updates/releases/${enc(r.releaseId)}`}>
                {r.releaseName} <span class="mono">{r.version}</span>
              </a>
            ) : (
              <>
                {r.releaseName} <span class="mono">{r.version}</span>
              </>
            )}{' '}
            · job <span class="mono">{r.jobId}</span> · created {relativeTime(r.createdAt)}
            {r.createdBy ? ` by ${r.createdBy}` : ''}
          </>
        }
        actions={
          can(me, 'rollouts:manage') ? (
            <RolloutActions rollout={r} onDone={(u) => (u?.id ? rollout.mutate(() => u) : rollout.reload())} />
          ) : null
        }
      />
      <OtaNav me={me} active="rollouts" />
      <section class="panel" data-testid="rollout-overview">
        <header class="panel-header">
          <h2>
            <RolloutStateBadge state={r.state} />{' '}
            <span class="tabular" data-testid="rollout-done">
              {donePercent(r.counts)} % finished
            </span>
          </h2>
          <span class="muted small">
            {r.counts.total} device{r.counts.total === 1 ? '' : 's'} · updated {relativeTime(r.updatedAt)}
          </span>
        </header>
        {r.stateReason ? (
          <p class={`state-reason ${r.state === 'aborted' ? 'text-bad' : ''}`} data-testid="rollout-state-reason">
            {r.stateReason}
          </p>
        ) : null}
        <ProgressBar counts={r.counts} testId="rollout-progress" />
      </section>
      <section class="panel" data-testid="rollout-phases">
        <header class="panel-header">
          <h2>Phases</h2>
        </header>
        <ol class="phase-list">
          {r.phases.map((p, i) => (
            <li key={p.index} data-testid="phase-row" data-phase={p.index} data-state={p.state}>
              <div class="phase-head">
                <strong>{p.name}</strong>
                <span class={`badge badge-${p.state === 'running' ? 'info' : p.state === 'done' ? 'ok' : 'idle'}`}>
                  {p.state}
                </span>
                <span class="muted small">
                  {p.startedAt
                    ? `started ${absoluteTime(p.startedAt)}`
                    : startRuleText(p.start, i > 0 ? (r.phases[i - 1]?.name ?? null) : null)}
                </span>
                <a
                  class="small"
                  href={`/updates/rollouts/${enc(r.id)}?phase=${p.index}`}
                  data-testid="phase-devices-link"
                >
                  {p.counts.total} device{p.counts.total === 1 ? '' : 's'}
                </a>
              </div>
              <ProgressBar counts={p.counts} testId={`phase-progress-${p.index}`} legend="nonzero" />
            </li>
          ))}
        </ol>
      </section>
      <RolloutDevices me={me} rollout={r} query={query} />
      <SpecSummary spec={r.spec} />
    </div>
  );
}
