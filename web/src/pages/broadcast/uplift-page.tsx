import { useMemo } from 'preact/hooks';
import { api, enc, queryString } from '../../api/api-client.ts';
import type { Me, UpliftComparison, UpliftReport } from '../../api/types.ts';
import { money } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { DayChart, type DayLine } from './day-chart.tsx';
import { ProductPicker } from './product-picker.tsx';
import { dayToSeconds, shiftDay, signedPct, storeToday, toneOf } from './store-day.ts';

const PRESETS = [7, 28, 90] as const;

/**
 * The promo uplift report (issue 9 item 9; GET /api/stores/:storeId/uplift): per promoted product, the period's sales
 * against last year's and last month's same weekdays, the category's change as control, and the net uplift.
 */
export function UpliftPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId, setStoreId } = useBroadcastStore(query);
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const sku = query.get('sku') ?? '';
  const params = { sku, from, to };
  const reports = useResource(
    () =>
      storeId
        ? api.get<{ reports: UpliftReport[] }>(`/api/stores/${enc(storeId)}/uplift`, params).then((r) => r.reports)
        : Promise.resolve(undefined),
    [storeId, from, to, sku],
  );
  const timeZone = stores.find((s) => s.id === storeId)?.timeZone ?? 'Asia/Shanghai';
  const today = storeToday(timeZone);
  const csvHref = storeId ? `/api/stores/${enc(storeId)}/uplift.csv${queryString(params)}` : undefined;

  return (
    <div class="page broadcast" data-testid="uplift-page">
      <PageHeader
        title="Promo uplift"
        subtitle="Sales of each promoted product against the same weekdays last year and last month, net of its category"
        actions={
          csvHref ? (
            <a class="btn" href={csvHref} download data-testid="uplift-csv">
              Download CSV
            </a>
          ) : null
        }
      />
      <BroadcastNav me={me} active="uplift" storeId={storeId ?? undefined} />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId ?? ''} onChange={setStoreId} all={null} />
        <label class="inline-field">
          From
          <input
            type="date"
            value={from}
            max={to || today}
            onChange={(e) => setQuery({ from: (e.currentTarget as HTMLInputElement).value })}
            data-testid="uplift-from"
          />
        </label>
        <label class="inline-field">
          To
          <input
            type="date"
            value={to}
            max={today}
            onChange={(e) => setQuery({ to: (e.currentTarget as HTMLInputElement).value })}
            data-testid="uplift-to"
          />
        </label>
        {PRESETS.map((n) => (
          <button
            key={n}
            type="button"
            class="btn btn-small btn-ghost"
            onClick={() => setQuery({ from: shiftDay(today, -(n - 1)), to: today })}
          >
            Last {n} days
          </button>
        ))}
        <ProductPicker
          value={sku}
          onPick={(_p, picked) => setQuery({ sku: picked || null })}
          testId="uplift-sku"
          placeholder="Any promoted product"
        />
      </section>
      {reports.error && !reports.data ? (
        <ErrorState error={reports.error} onRetry={reports.reload} />
      ) : !reports.data ? (
        <Loading />
      ) : reports.data.length === 0 ? (
        <Empty>
          No promo campaign promoted a product in this store over the period. Pick a product to see its sales against
          its baselines anyway.
        </Empty>
      ) : (
        reports.data.map((r) => <UpliftCard key={`${r.sku}-${r.campaignId}`} report={r} />)
      )}
    </div>
  );
}

function UpliftCard({ report: r }: { report: UpliftReport }) {
  const chart = useMemo(() => {
    const lines: DayLine[] = [
      { label: 'Units', color: '#1f6feb', values: r.series.map((d) => d.units) },
      { label: 'Last year', color: '#8a94a3', dash: [6, 4], values: r.series.map((d) => d.lastYearUnits) },
      { label: 'Last month', color: '#e69500', dash: [2, 3], values: r.series.map((d) => d.lastMonthUnits) },
    ];
    return { days: r.series.map((d) => dayToSeconds(d.day)), lines };
  }, [r]);
  return (
    <section class="panel" data-testid="uplift-report" data-sku={r.sku}>
      <header class="panel-header">
        <h2>
          {r.productName ?? r.sku} <span class="muted small mono">{r.sku}</span>
        </h2>
        <span class="muted small">
          {r.fromDay} – {r.toDay} · {r.days} days
          {r.campaignId ? ` · campaign ${r.campaignId}` : ''}
          {r.thingNames.length ? ` · ${r.thingNames.join(', ')}` : ''}
        </span>
      </header>
      <div class="uplift-stats">
        <Stat label="Units" value={String(r.units)} testId="uplift-units" />
        <Stat label="Revenue" value={money(r.revenueFen)} testId="uplift-revenue" />
        <Stat label="Plays" value={String(r.plays)} testId="uplift-plays" />
        <Stat label="Presence triggers" value={String(r.presenceTriggers)} testId="uplift-triggers" />
      </div>
      <div class="table-scroll">
        <table class="table" data-testid="uplift-table">
          <thead>
            <tr>
              <th>Against</th>
              <th>Baseline days</th>
              <th class="num">Units then</th>
              <th class="num">Units change</th>
              <th class="num">Revenue change</th>
              <th class="num">Category (control)</th>
              <th class="num">Net uplift</th>
            </tr>
          </thead>
          <tbody>
            <ComparisonRow name="Last year" baseline="lastYear" c={r.lastYear} />
            <ComparisonRow name="Last month" baseline="lastMonth" c={r.lastMonth} />
          </tbody>
        </table>
      </div>
      <DayChart days={chart.days} lines={chart.lines} testId="uplift-chart" />
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div class="stat-card">
      <div class="stat-label">{label}</div>
      <div class="stat-value tabular" data-testid={testId}>
        {value}
      </div>
    </div>
  );
}

function ComparisonRow({ name, baseline, c }: { name: string; baseline: string; c: UpliftComparison }) {
  return (
    <tr data-testid="uplift-baseline" data-baseline={baseline}>
      <td>{name}</td>
      <td class="small">
        {c.fromDay} – {c.toDay}
      </td>
      <td class="num tabular" data-field="units">
        {c.units}
      </td>
      <td class={`num tabular ${toneOf(c.unitsUpliftPct)}`} data-field="unitsUpliftPct">
        {signedPct(c.unitsUpliftPct)}
      </td>
      <td class={`num tabular ${toneOf(c.revenueUpliftPct)}`} data-field="revenueUpliftPct">
        {signedPct(c.revenueUpliftPct)}
      </td>
      <td class="num tabular" data-field="controlUnitsChangePct">
        {signedPct(c.controlUnitsChangePct)}
      </td>
      <td class={`num tabular strong ${toneOf(c.netUnitsUpliftPts)}`} data-field="netUnitsUpliftPts">
        {signedPct(c.netUnitsUpliftPts, ' pts')}
      </td>
    </tr>
  );
}
