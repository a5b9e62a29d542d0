import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api, enc } from '../../api/api-client.ts';
import type { Series } from '../../api/types.ts';
import { useLiveEvent, useReconnect } from '../../live/live-feed.ts';
import { addSample, fromSeries, type SeriesWindow, slide, toPlotData } from './series-window.ts';

export interface ChartSpec {
  metric: string;
  label: string;
  unit: string;
  color: string;
  /** Fixed y range (percentages); otherwise uPlot scales to the data. */
  range?: [number, number];
}

const BUCKETS = 120;
const HEIGHT = 150;

const clock = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const clockSeconds = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dayHour = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: 'numeric' });

/**
 * One short line per tick (the axis has no room for uPlot's two-line default), chosen by the tick spacing uPlot picked
 * for the range, so neighbouring labels always differ: days for the week, the date at midnight on the 24 h view.
 */
function timeLabels(ticks: number[], incrSec: number): string[] {
  return ticks.map((s) => {
    const d = new Date(s * 1000);
    if (incrSec >= 86_400) return day.format(d);
    if (incrSec >= 6 * 3600) return d.getHours() === 0 ? day.format(d) : dayHour.format(d);
    if (incrSec >= 3600 && d.getHours() === 0 && d.getMinutes() === 0) return day.format(d);
    return incrSec < 60 ? clockSeconds.format(d) : clock.format(d);
  });
}

/** Indices of values with no neighbour to join (only `null`, not `undefined`, breaks a line in uPlot). */
function isolatedPoints(u: uPlot, seriesIdx: number): number[] | null {
  const ys = u.data[seriesIdx] as (number | null | undefined)[];
  const out: number[] = [];
  let prev: number | null | undefined = null;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (typeof y !== 'number') {
      if (y === null) prev = null;
      continue;
    }
    let j = i + 1;
    while (j < ys.length && ys[j] === undefined) j++;
    if (prev === null && (j === ys.length || ys[j] === null)) out.push(i);
    prev = y;
  }
  return out.length ? out : null;
}

/**
 * One metric over the selected range: bucket average as a line, min–max as a band. The x axis always spans the whole
 * range (ending now and sliding with time); missing stretches are gaps, not lines; live points are merged in.
 */
export function TelemetryChart({ thingName, spec, rangeMs }: { thingName: string; spec: ChartSpec; rangeMs: number }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const win = useRef<SeriesWindow | undefined>(undefined);
  const [state, setState] = useState<'loading' | 'empty' | 'ready' | 'error'>('loading');
  const [latest, setLatest] = useState<number | null>(null);
  const [generation, setGeneration] = useState(0);

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
          const w = fromSeries(series, rangeMs);
          win.current = w;
          setLatest(w.buckets.at(-1)?.avg ?? null);
          setState(w.buckets.length ? 'ready' : 'empty');
          render();
        },
        () => !cancelled && setState('error'),
      );
    return () => {
      cancelled = true;
    };
  }, [thingName, spec.metric, rangeMs, generation]);

  // missed events are not replayed: reload after a reconnect
  useReconnect(() => setGeneration((g) => g + 1));

  useLiveEvent('telemetry', (e) => {
    if (e.thingName !== thingName) return;
    const v = e.metrics[spec.metric];
    const w = win.current;
    if (typeof v !== 'number' || !w) return;
    addSample(w, e.ts, v);
    setLatest(v);
    if (state !== 'ready') setState('ready');
    render();
  });

  // the window keeps sliding while nothing arrives, so an offline device shows a growing gap at the right
  useEffect(() => {
    const every = Math.min(60_000, Math.max(2000, Math.round(rangeMs / BUCKETS / 2)));
    const timer = setInterval(() => {
      const w = win.current;
      if (!w || document.hidden) return;
      slide(w, Date.now());
      render();
    }, every);
    return () => clearInterval(timer);
  }, [rangeMs]);

  function render() {
    const w = win.current;
    const el = container.current;
    if (!w || !el) return;
    const data = toPlotData(w) as uPlot.AlignedData;
    if (plot.current) plot.current.setData(data);
    else plot.current = new uPlot(options(el.clientWidth || 400), data, el);
  }

  function options(width: number): uPlot.Options {
    const axis = {
      stroke: '#6b7480',
      grid: { stroke: '#eef0f3', width: 1 },
      ticks: { show: false },
      font: '11px system-ui',
    };
    return {
      width,
      height: HEIGHT,
      padding: [8, 16, 0, 0],
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: {
        x: {
          time: true,
          // the whole selected range, wherever the data is
          range: () => {
            const w = win.current;
            return w ? [(w.to - w.rangeMs) / 1000, w.to / 1000] : [0, 1];
          },
        },
        y: spec.range ? { range: spec.range } : { auto: true },
      },
      axes: [
        {
          ...axis,
          size: 26,
          space: 72,
          values: (_u: uPlot, ticks: number[], _axis: number, _space: number, incr: number) => timeLabels(ticks, incr),
        },
        {
          ...axis,
          size: 44,
          values: (_u, vals) => vals.map((v) => `${v}${spec.unit === '%' ? '%' : ''}`),
        },
      ],
      series: [
        {},
        {
          label: spec.label,
          stroke: spec.color,
          width: 2,
          spanGaps: false,
          // a reading with a gap on both sides has no line: draw it as a dot
          points: { show: false, size: 5, fill: spec.color, filter: isolatedPoints },
        },
        { label: 'min', stroke: 'transparent', spanGaps: false, points: { show: false } },
        { label: 'max', stroke: 'transparent', spanGaps: false, points: { show: false } },
      ],
      bands: [{ series: [3, 2], fill: `${spec.color}22` }],
    };
  }

  // another device: nothing of the previous one stays on screen while its data loads (a new range keeps the old
  // plot until the new data replaces it)
  useEffect(() => {
    win.current = undefined;
    plot.current?.destroy();
    plot.current = undefined;
  }, [thingName, spec.metric]);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (plot.current && el.clientWidth) plot.current.setSize({ width: el.clientWidth, height: HEIGHT });
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
            <span>
              {state === 'loading' ? 'Loading…' : state === 'empty' ? 'No data in this range' : 'Chart unavailable'}
            </span>
          </div>
        ) : null}
      </div>
    </figure>
  );
}
