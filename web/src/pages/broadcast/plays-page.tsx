import { useMemo } from 'preact/hooks';
import {
  PLAY_REPORT_GROUPINGS,
  type PlayPage,
  type PlayReport,
  type PlayReportGrouping,
} from '../../../../protocol/api/broadcast-plays.ts';
import { api, queryString } from '../../api/api-client.ts';
import type { Me } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { BroadcastNav } from './broadcast-nav.tsx';
import { DayChart, type DayLine } from './day-chart.tsx';
import { LayerChip } from './layer-style.tsx';
import { dayToSeconds, shiftDay } from './store-day.ts';

const GROUP_LABELS: Record<PlayReportGrouping, string> = { campaign: 'Campaign', store: 'Store', thing: 'Speaker' };
const PERIODS = [1, 7, 28, 90] as const;
const COLOURS = ['#1f6feb', '#e69500', '#7a4cc2', '#1a7f4b', '#c8322b', '#0f9d9a'];
const DAY_MS = 86_400_000;

export function airtime(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Proof of play (issue 9 item 8; GET /api/broadcast/plays/report): per campaign, store or speaker, the plays,
 * airtime, outcomes and presence triggers over a period, a chart per day, the CSV export, and the latest plays.
 */
export function PlaysPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const groupBy = (query.get('groupBy') ?? 'campaign') as PlayReportGrouping;
  const storeId = query.get('storeId') ?? (me.storeIds?.length === 1 ? me.storeIds[0] : '') ?? '';
  const days = Number(query.get('days') ?? 7);
  const key = query.get('key');
  // The period ends at the next whole minute, so reloads within a minute ask the same question.
  const to = useMemo(() => Math.ceil(Date.now() / 60_000) * 60_000, [days]);
  const from = to - days * DAY_MS;
  const params = { groupBy, from, to, storeId: storeId || undefined };
  const report = useResource(
    () => api.get<PlayReport>('/api/broadcast/plays/report', params),
    [groupBy, storeId, days, to],
  );
  const latest = useResource(
    () =>
      api.get<PlayPage>('/api/broadcast/plays', {
        from,
        to,
        storeId: storeId || undefined,
        ...(key !== null && groupBy === 'campaign' ? { campaignId: key || undefined } : {}),
        ...(key && groupBy === 'thing' ? { thingName: key } : {}),
        ...(key && groupBy === 'store' ? { storeId: key } : {}),
        limit: 20,
      }),
    [storeId, days, to, key, groupBy],
  );
  const label = (k: string | null) =>
    k === null ? 'No campaign (ad-hoc, emergency)' : groupBy === 'store' ? storeName(stores, k) : k;

  const chart = useMemo(() => {
    if (!report.data) return null;
    const first = new Date(report.data.from).toISOString().slice(0, 10);
    const last = new Date(report.data.to - 1).toISOString().slice(0, 10);
    const dayList: string[] = [];
    for (let d = first; d <= last; d = shiftDay(d, 1)) dayList.push(d);
    const top = report.data.rows.slice(0, COLOURS.length);
    const lines: DayLine[] = top.map((r, i) => ({
      label: label(r.key),
      color: COLOURS[i] as string,
      values: dayList.map((d) => report.data?.days.find((x) => x.key === r.key && x.day === d)?.plays ?? 0),
    }));
    return { days: dayList.map(dayToSeconds), lines };
  }, [report.data, stores]);

  const csvHref = `/api/broadcast/plays/report${queryString({ ...params, format: 'csv' })}`;
  return (
    <div class="page broadcast" data-testid="plays-page">
      <PageHeader
        title="Proof of play"
        subtitle="What the speakers really played, as they logged it"
        actions={
          <a class="btn" href={csvHref} download data-testid="plays-csv">
            Download CSV
          </a>
        }
      />
      <BroadcastNav me={me} active="plays" storeId={storeId || undefined} />
      <section class="filters">
        <nav class="segmented" aria-label="Group by">
          {PLAY_REPORT_GROUPINGS.map((g) => (
            <button
              key={g}
              type="button"
              class={g === groupBy ? 'active' : ''}
              onClick={() => setQuery({ groupBy: g, key: null })}
              data-testid={`plays-by-${g}`}
            >
              Per {GROUP_LABELS[g].toLowerCase()}
            </button>
          ))}
        </nav>
        <StoreSelect
          stores={stores}
          value={storeId}
          onChange={(v) => setQuery({ storeId: v, key: null })}
          all={me.storeIds === null ? 'Every store' : 'All my stores'}
        />
        <select
          value={days}
          aria-label="Period"
          onChange={(e) => setQuery({ days: (e.currentTarget as HTMLSelectElement).value })}
          data-testid="plays-period"
        >
          {PERIODS.map((n) => (
            <option key={n} value={n}>
              {n === 1 ? 'Last 24 hours' : `Last ${n} days`}
            </option>
          ))}
        </select>
      </section>
      {report.error && !report.data ? (
        <ErrorState error={report.error} onRetry={report.reload} />
      ) : !report.data ? (
        <Loading />
      ) : report.data.rows.length === 0 ? (
        <Empty>No plays in this period.</Empty>
      ) : (
        <>
          <section class="panel panel-flush">
            <div class="table-scroll">
              <table class="table" data-testid="plays-table">
                <thead>
                  <tr>
                    <th>{GROUP_LABELS[groupBy]}</th>
                    <th class="num">Plays</th>
                    <th class="num">Airtime</th>
                    <th class="num">Completed</th>
                    <th class="num">Interrupted</th>
                    <th class="num">Skipped</th>
                    <th class="num">Presence (PIR / cart)</th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.rows.map((r) => (
                    <tr
                      key={r.key ?? ''}
                      class={key === (r.key ?? '') ? 'row-selected' : ''}
                      data-testid="plays-row"
                      data-key={r.key ?? ''}
                    >
                      <td>
                        <button
                          type="button"
                          class="link-btn"
                          onClick={() => setQuery({ key: key === (r.key ?? '') ? null : (r.key ?? '') })}
                        >
                          {label(r.key)}
                        </button>
                      </td>
                      <td class="num tabular" data-field="plays">
                        {r.plays}
                      </td>
                      <td class="num tabular" data-field="airtime">
                        {airtime(r.airtimeMs)}
                      </td>
                      <td class="num tabular" data-field="completed">
                        {r.completed}
                      </td>
                      <td class="num tabular" data-field="interrupted">
                        {r.interrupted}
                      </td>
                      <td class="num tabular" data-field="skipped">
                        {r.skipped}
                      </td>
                      <td class="num tabular" data-field="presence">
                        {r.presence.pir} / {r.presence.cart}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          {chart ? (
            <section class="panel">
              <header class="panel-header">
                <h2>Plays per day</h2>
                <span class="muted small">UTC days</span>
              </header>
              <DayChart days={chart.days} lines={chart.lines} testId="plays-chart" />
            </section>
          ) : null}
        </>
      )}
      <section class="panel panel-flush">
        <header class="panel-header">
          <h2>Latest plays{key !== null ? ` · ${label(key || null)}` : ''}</h2>
        </header>
        {latest.data?.items.length ? (
          <table class="table" data-testid="plays-latest">
            <thead>
              <tr>
                <th>Started</th>
                <th>Speaker</th>
                <th>Layer</th>
                <th>Trigger</th>
                <th>Outcome</th>
                <th class="num">Late</th>
              </tr>
            </thead>
            <tbody>
              {latest.data.items.map((p) => (
                <tr key={p.playId} data-testid="play-item">
                  <td class="small">{absoluteTime(p.startedAt)}</td>
                  <td class="small">{p.thingName}</td>
                  <td>
                    <LayerChip layer={p.layer} />
                  </td>
                  <td class="small">{p.trigger}</td>
                  <td class="small">{p.outcome}</td>
                  <td class="num tabular small">
                    {p.scheduledAt === null ? '—' : `${((p.startedAt - p.scheduledAt) / 1000).toFixed(2)} s`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <div class="pad muted">Nothing logged yet.</div>
        )}
      </section>
    </div>
  );
}
