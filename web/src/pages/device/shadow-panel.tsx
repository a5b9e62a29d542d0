import { useState } from 'preact/hooks';
import type { Shadow } from '../../api/types.ts';
import { JsonView } from '../../components/json-view.tsx';

export function ShadowPanel({ shadow, namedShadows }: { shadow: Shadow | null; namedShadows: Record<string, Shadow> }) {
  const names = Object.keys(namedShadows);
  const [name, setName] = useState<string>('');
  const current = name ? namedShadows[name] : shadow;
  const deltaKeys = current?.delta ? Object.keys(current.delta).length : 0;
  return (
    <section class="panel" data-testid="shadow-panel">
      <header class="panel-header">
        <h2>Shadow</h2>
        <div class="row gap">
          {names.length ? (
            <select value={name} onChange={(e) => setName(e.currentTarget.value)} aria-label="Shadow">
              <option value="">Classic shadow</option>
              {names.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          ) : null}
          {current ? <span class="muted small tabular">version {current.version}</span> : null}
        </div>
      </header>
      {!current ? (
        <p class="muted small pad">The device has not reported any state yet.</p>
      ) : (
        <div class="shadow-grid">
          <div>
            <h3>Desired</h3>
            <JsonView value={current.desired} testId="shadow-desired" />
          </div>
          <div>
            <h3>Reported</h3>
            <JsonView value={current.reported} testId="shadow-reported" />
          </div>
          <div>
            <h3>
              Delta{' '}
              {deltaKeys ? (
                <span class="badge badge-warn">{deltaKeys} pending</span>
              ) : (
                <span class="badge badge-ok">in sync</span>
              )}
            </h3>
            <JsonView value={current.delta} testId="shadow-delta" />
          </div>
        </div>
      )}
    </section>
  );
}
