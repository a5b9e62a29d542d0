import { useState } from 'preact/hooks';
import { type ChartSpec, TelemetryChart } from './telemetry-chart.tsx';

const RANGES = [
  { label: '15 min', ms: 15 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 6 * 3_600_000 },
  { label: '24 h', ms: 24 * 3_600_000 },
  { label: '7 d', ms: 7 * 24 * 3_600_000 },
];

const CHARTS: ChartSpec[] = [
  { metric: 'battery.percent', label: 'Battery', unit: '%', color: '#1a7f4b', range: [0, 100] },
  { metric: 'temperature.c', label: 'Temperature', unit: '°C', color: '#c2410c' },
  { metric: 'cpu.percent', label: 'CPU', unit: '%', color: '#2563eb', range: [0, 100] },
];

export function TelemetryPanel({ thingName }: { thingName: string }) {
  const [rangeMs, setRangeMs] = useState(3_600_000);
  return (
    <section class="panel" data-testid="telemetry-panel">
      <header class="panel-header">
        <h2>Telemetry</h2>
        <div class="segmented">
          {RANGES.map((r) => (
            <button
              type="button"
              key={r.ms}
              class={r.ms === rangeMs ? 'active' : ''}
              aria-pressed={r.ms === rangeMs}
              onClick={() => setRangeMs(r.ms)}
              data-testid={`range-${r.label.replace(' ', '')}`}
            >
              {r.label}
            </button>
          ))}
        </div>
      </header>
      <div class="charts">
        {CHARTS.map((spec) => (
          <TelemetryChart key={spec.metric} thingName={thingName} spec={spec} rangeMs={rangeMs} />
        ))}
      </div>
    </section>
  );
}
