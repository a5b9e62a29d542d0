import type { VersionBar } from './vision-view.ts';
import { pct } from './vision-view.ts';

const BAR = 56;
const GAP = 28;
const TOP = 16;
const PLOT = 160;
const LEFT = 40;

/**
 * Vision's top-1 agreement by model version: a bar per version (its rate) with its 95 % interval as a whisker and its
 * count under it, the earliest first. A version whose whole interval is below another's is drawn red and labelled:
 * the bad model this chart exists to show before shoppers complain. Small samples are drawn pale (their interval says
 * how little they show). Plain SVG, so every bar carries its figures as data attributes.
 */
export function VersionChart({ bars, overall }: { bars: VersionBar[]; overall: number | null }) {
  const width = LEFT + bars.length * (BAR + GAP) + GAP;
  const height = TOP + PLOT + 44;
  const y = (rate: number) => TOP + PLOT * (1 - rate);
  return (
    <svg
      class="version-chart"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label="Vision top-1 agreement by model version"
      data-testid="accuracy-by-version"
    >
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <g key={t}>
          <line x1={LEFT} x2={width} y1={y(t)} y2={y(t)} class="grid" />
          <text x={LEFT - 6} y={y(t) + 4} class="axis" text-anchor="end">
            {Math.round(t * 100)}%
          </text>
        </g>
      ))}
      {overall !== null ? (
        <line x1={LEFT} x2={width} y1={y(overall)} y2={y(overall)} class="overall">
          <title>Overall {pct(overall)}</title>
        </line>
      ) : null}
      {bars.map((b, i) => {
        const x = LEFT + GAP + i * (BAR + GAP);
        const rate = b.share.rate;
        const cls = `bar ${b.worse ? 'bar-worse' : ''} ${b.small ? 'bar-small' : ''}`;
        return (
          <g
            key={b.label}
            data-testid="version-bar"
            data-version={b.label}
            data-rate={rate ?? ''}
            data-n={b.share.n}
            data-worse={String(b.worse)}
          >
            <title>
              {`${b.label}: ${pct(rate)} (${pct(b.share.low)}–${pct(b.share.high)}), ${b.share.hits} of ${b.share.n}` +
                (b.worse ? ` — worse than ${b.worseThan}` : '')}
            </title>
            {rate !== null ? <rect x={x} y={y(rate)} width={BAR} height={PLOT * rate} class={cls} /> : null}
            {b.share.low !== null && b.share.high !== null ? (
              <g class="whisker">
                <line x1={x + BAR / 2} x2={x + BAR / 2} y1={y(b.share.high)} y2={y(b.share.low)} />
                <line x1={x + BAR / 4} x2={x + (3 * BAR) / 4} y1={y(b.share.high)} y2={y(b.share.high)} />
                <line x1={x + BAR / 4} x2={x + (3 * BAR) / 4} y1={y(b.share.low)} y2={y(b.share.low)} />
              </g>
            ) : null}
            <text
              x={x + BAR / 2}
              y={TOP + PLOT + 16}
              class={`label ${b.worse ? 'label-worse' : ''}`}
              text-anchor="middle"
            >
              {b.label}
            </text>
            <text x={x + BAR / 2} y={TOP + PLOT + 32} class="axis" text-anchor="middle">
              {rate === null ? 'no frames' : `${pct(rate)} · n=${b.share.n}`}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
