import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface DayLine {
  label: string;
  color: string;
  values: (number | null)[];
  dash?: number[];
  /** Bars instead of a line (counts per day). */
  bars?: boolean;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * Values per calendar day (x in seconds at UTC midnight, so labels show the store's own dates whatever the browser's
 * zone), several lines with a legend. Used by the uplift and proof-of-play reports.
 */
export function DayChart({
  days,
  lines,
  height = 220,
  testId,
}: {
  days: number[];
  lines: DayLine[];
  height?: number;
  testId?: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const plot = new uPlot(
      {
        width: Math.max(320, el.clientWidth),
        height,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          {
            // One tick per day (at most ~12 labels): uPlot's own time ticks would put two on a day.
            splits: () => days.filter((_d, i) => i % Math.ceil(days.length / 12) === 0),
            values: (_u, ticks) => ticks.map((s) => dayFormat.format(new Date(s * 1000))),
            space: 60,
          },
          { size: 50 },
        ],
        series: [
          { value: (_u, s) => (s === null ? '—' : dayFormat.format(new Date(s * 1000))) },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.color,
            width: 2,
            dash: l.dash,
            fill: l.bars ? `${l.color}55` : undefined,
            paths: l.bars ? bars : undefined,
            points: { show: days.length < 40 },
          })),
        ],
      },
      [days, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [days, lines, height]);
  return <div class="day-chart" ref={container} data-testid={testId} />;
}
