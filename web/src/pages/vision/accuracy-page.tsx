import { useMemo } from 'preact/hooks';
import { api } from '../../api/api-client.ts';
import type { FieldAccuracyReport, Me } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { useStores } from '../../app/stores-cache.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Badge } from '../../components/status.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { useVisionLive } from './use-vision-live.ts';
import { VersionChart } from './version-chart.tsx';
import { VisionNav } from './vision-nav.tsx';
import {
  type AccuracyFigures,
  accuracyRange,
  decisionMix,
  pct,
  productsWorstFirst,
  SMALL_SAMPLE,
  scanReasonsText,
  shareText,
  versionBars,
} from './vision-view.ts';

const PERIODS = [1, 7, 28, 90] as const;

/**
 * Field accuracy (issue 11 item 8; GET /api/vision/accuracy): over a period, how often vision's top-1 named what the
 * barcode, the shopper's pick or an attendant said the item was, with its interval and counts; by model version as a
 * chart (a bad model stands out) and by product, worst first; the decision mix. Per store, or across every store the
 * user sees (the chain for HQ).
 */
export function AccuracyPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const asked = query.get('storeId');
  // '' is every store the user sees; a single-store user starts on their store.
  const storeId = asked ?? (stores.length === 1 ? (stores[0]?.id ?? '') : '');
  const days = Number(query.get('days') ?? 7);
  const range = useMemo(() => accuracyRange(days, Date.now()), [days]);
  const report = useResource(
    () => api.get<FieldAccuracyReport>('/api/vision/accuracy', { ...range, storeId: storeId || undefined }),
    [storeId, range.from, range.to],
  );
  useVisionLive(storeId, ['records'], report.reload);
  const data = report.data;

  return (
    <div class="page vision" data-testid="accuracy-page">
      <PageHeader title="Field accuracy" subtitle="How often the carts' vision named what the item really was" />
      <VisionNav me={me} active="accuracy" stores={stores} storeId={storeId || null} storeChoice={false} />
      <section class="filters">
        <StoreSelect
          stores={stores}
          value={storeId}
          onChange={(v) => setQuery({ storeId: v || '' })}
          all={me.storeIds === null ? 'Every store (chain)' : 'All my stores'}
          testId="accuracy-store"
        />
        <select
          value={days}
          aria-label="Period"
          onChange={(e) => setQuery({ days: (e.currentTarget as HTMLSelectElement).value })}
          data-testid="accuracy-period"
        >
          {PERIODS.map((n) => (
            <option key={n} value={n}>
              {n === 1 ? 'Last 24 hours' : `Last ${n} days`}
            </option>
          ))}
        </select>
      </section>
      {report.error && !data ? (
        <ErrorState error={report.error} onRetry={report.reload} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <Overall report={data} />
          {data.overall.records === 0 ? (
            <Empty>No recognition with a known outcome in this period.</Empty>
          ) : (
            <>
              <section class="panel">
                <header class="panel-header">
                  <h2>By model version</h2>
                  <span class="muted small">
                    Vision top-1 with its 95% interval; the dashed line is the overall rate; red: worse beyond chance
                  </span>
                </header>
                <div class="panel-body table-scroll">
                  <VersionChart bars={versionBars(data.byModelVersion)} overall={data.overall.visionTop1.rate} />
                </div>
              </section>
              <DecisionMix figures={data.overall} />
              <ProductTable bySku={data.bySku} />
            </>
          )}
        </>
      )}
    </div>
  );
}

function Overall({ report }: { report: FieldAccuracyReport }) {
  const o = report.overall;
  return (
    <>
      <div class="cards vision-summary" data-testid="accuracy-overall">
        <div class="card stat-card">
          <span class="stat-label">Vision top-1 agreed</span>
          <span
            class="stat-value tabular"
            data-testid="overall-vision"
            data-n={o.visionTop1.n}
            data-hits={o.visionTop1.hits}
          >
            {pct(o.visionTop1.rate)}
          </span>
          <span class="stat-foot muted" data-testid="overall-vision-text">
            {shareText(o.visionTop1)}
          </span>
        </div>
        <div class="card stat-card">
          <span class="stat-label">With weight and zone</span>
          <span class="stat-value tabular" data-testid="overall-fused">
            {pct(o.fusedTop1.rate)}
          </span>
          <span class="stat-foot muted">{shareText(o.fusedTop1)}</span>
        </div>
        <div class="card stat-card">
          <span class="stat-label">Decisions right</span>
          <span class="stat-value tabular" data-testid="overall-decisions">
            {pct(o.decisionCorrect.rate)}
          </span>
          <span class="stat-foot muted">{shareText(o.decisionCorrect)}</span>
        </div>
        <div class="card stat-card">
          <span class="stat-label">Records</span>
          <span class="stat-value tabular" data-testid="overall-records">
            {o.records}
          </span>
          <span class="stat-foot muted">
            {report.pending} awaiting their outcome · {report.withoutTruth} without a truth
          </span>
        </div>
      </div>
      <p class="muted small">
        {absoluteTime(report.from)} – {absoluteTime(report.to)}
        {report.truncated ? ` · only the newest ${report.records} records were counted` : ''}
      </p>
    </>
  );
}

function DecisionMix({ figures }: { figures: AccuracyFigures }) {
  const reasons = scanReasonsText(figures);
  return (
    <section class="panel">
      <header class="panel-header">
        <h2>Decision mix</h2>
        <span class="muted small">What the carts did with the items, of {figures.records} with a known outcome</span>
      </header>
      <div class="panel-body vision-mix" data-testid="decision-mix">
        {decisionMix(figures).map((row) => (
          <div key={row.key} class="vision-mix-row" data-testid="mix-row" data-kind={row.key} data-count={row.count}>
            <span class="vision-mix-label">{row.label}</span>
            <span class="vision-mix-bar">
              <span class={`vision-mix-fill fill-${row.tone}`} style={{ width: `${(row.share ?? 0) * 100}%` }} />
            </span>
            <span class="tabular small">
              {row.count} · {pct(row.share)}
            </span>
          </div>
        ))}
        {reasons ? <p class="muted small">Scans asked: {reasons}</p> : null}
      </div>
    </section>
  );
}

function ProductTable({ bySku }: { bySku: AccuracyFigures[] }) {
  const rows = productsWorstFirst(bySku);
  return (
    <section class="panel panel-flush">
      <header class="panel-header">
        <h2>By product, worst first</h2>
        <span class="muted small">Fewer than {SMALL_SAMPLE} records: a small sample (greyed)</span>
      </header>
      <div class="table-scroll">
        <table class="table" data-testid="accuracy-by-product">
          <thead>
            <tr>
              <th>Product (truth)</th>
              <th class="num">Records</th>
              <th>Vision top-1</th>
              <th>With priors</th>
              <th>Decisions right</th>
              <th class="num">Wrong adds</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr
                key={f.key ?? ''}
                class={f.visionTop1.n < SMALL_SAMPLE ? 'row-small-sample' : ''}
                data-testid="accuracy-product"
                data-sku={f.key ?? ''}
                data-rate={f.visionTop1.rate ?? ''}
                data-n={f.visionTop1.n}
              >
                <td>
                  {f.key}
                  {f.visionTop1.n < SMALL_SAMPLE ? (
                    <>
                      {' '}
                      <Badge tone="idle">small sample</Badge>
                    </>
                  ) : null}
                </td>
                <td class="num tabular">{f.records}</td>
                <td class="small">{shareText(f.visionTop1)}</td>
                <td class="small">{shareText(f.fusedTop1)}</td>
                <td class="small">{shareText(f.decisionCorrect)}</td>
                <td class="num tabular">{f.wrongAdds > 0 ? <Badge tone="bad">{f.wrongAdds}</Badge> : '0'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
