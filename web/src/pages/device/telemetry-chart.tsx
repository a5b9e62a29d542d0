import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, enc } from '../../api/api-client.ts';
import type { Series } from '../../api/types.ts';
import { useLiveEvent } from '../../live/live-feed.ts';

export interface ChartSpec {
  metric: string;
  label: string;
  unit: string;
  color: string;
  /** Fixed y range (percentages); otherwise uPlot scales to the data. */
  range?: [number, number];
}

const BUCKETS = 120;

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** One short line per tick: the axis has no room for uPlot's two-line default. */
function timeLabel(ms: number, rangeMs: number): string {
  return rangeMs > 2 * 86_400_000 ? day.format(ms) : clock.format(ms);
}

/** One metric over a time range: bucket average as a line, min–max as a band; live points appended as they come. */
export function TelemetryChart({ thingName, spec, rangeMs }: { thingName: string; spec: ChartSpec; rangeMs: number }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data = useRef<[number[], (number | null)[], (number | null)[], (number | null)[]]>([[], [], [], []]);
  const [state, setState] = useState<'loading' | 'empty' | 'ready' | 'error'>('loading');
  const [latest, setLatest] = useState<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    setState('loading');
    const to = Date.now();
    api
      .get<Series>(`/api/devices/${enc(thingName)}/series`, {
        metric: spec.metric,
        from: to - rangeMs,
        to,
        buckets: BUCKETS,
      })
      .then(
        (series) => {
          if (cancelled) return;
          const points = series.points.filter((p) => p[1] !== null);
          data.current = [
            points.map((p) => p[0] / 1000),
            points.map((p) => p[1]),
            points.map((p) => p[2]),
            points.map((p) => p[3]),
          ];
          setLatest((points.at(-1)?.[1] as number | undefined) ?? null);
          setState(points.length ? 'ready' : 'empty');
          draw();
        },
        () => !cancelled && setState('error'),
      );
    return () => {
      cancelled = true;
    };
  }, [thingName, spec.metric, rangeMs]);

  useLiveEvent('telemetry', (e) => {
    if (e.thingName !== thingName) return;
    const v = e.metrics[spec.metric];
    if (typeof v !== 'number') return;
    const d = data.current;
    const cutoff = (Date.now() - rangeMs) / 1000;
    while (d[0].length && d[0][0]! < cutoff) for (const col of d) col.shift();
    d[0].push(e.ts / 1000);
    d[1].push(v);
    d[2].push(v);
    d[3].push(v);
    setLatest(v);
    if (state !== 'ready') setState('ready');
    if (plot.current) plot.current.setData(d);
    else draw();
  });

  function draw() {
    const el = container.current;
    if (!el || !data.current[0].length) return;
    plot.current?.destroy();
    const width = el.clientWidth || 400;
    const opts: uPlot.Options = {
      width,
      height: 150,
      padding: [8, 8, 0, 0],
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: true }, y: spec.range ? { range: spec.range } : { auto: true } },
      axes: [
        {
          stroke: '#6b7480',
          grid: { stroke: '#eef0f3', width: 1 },
          ticks: { show: false },
          size: 26,
          font: '11px system-ui',
          values: (_u: uPlot, vals: number[]) => vals.map((v) => timeLabel(v * 1000, rangeMs)),
        },
        {
          stroke: '#6b7480',
          grid: { stroke: '#eef0f3', width: 1 },
          ticks: { show: false },
          size: 40,
          font: '11px system-ui',
          values: (_u, vals) => vals.map((v) => `${v}${spec.unit === '%' ? '%' : ''}`),
        },
      ],
      series: [
        {},
        { label: spec.label, stroke: spec.color, width: 2, points: { show: false } },
        { label: 'min', stroke: 'transparent', points: { show: false } },
        { label: 'max', stroke: 'transparent', points: { show: false } },
      ],
      bands: [{ series: [3, 2], fill: `${spec.color}22` }],
    };
    plot.current = new uPlot(opts, data.current, el);
  }

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (plot.current && el.clientWidth) plot.current.setSize({ width: el.clientWidth, height: 150 });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, []);

  return (
    <figure class="chart" data-testid={`chart-${spec.metric}`} data-state={state}>
      <figcaption>
        <span>{spec.label}</span>
        <strong class="tabular">
          {latest === null
            ? '—'
            : `${Number.isInteger(latest) ? latest : latest.toFixed(1)}${spec.unit === '%' ? '%' : ` ${spec.unit}`}`}
        </strong>
      </figcaption>
      <div class="chart-body">
        <div ref={container} class="chart-canvas" />
        {state !== 'ready' ? (
          <div class="chart-overlay muted">
            {state === 'loading' ? 'Loading…' : state === 'empty' ? 'No data in this range' : 'Chart unavailable'}
          </div>
        ) : null}
      </div>
    </figure>
  );
}
