import type { RolloutPreview } from '../../api/types.ts';
import { cumulativePercents, newPhase, type PhaseDraft } from './rollout-draft.ts';

const START_LABELS: Record<PhaseDraft['start'], string> = {
  immediately: 'with the rollout',
  at: 'at a time',
  'after-success': 'when the previous phase succeeded',
};

/**
 * Step 3: the phases. A canary counts devices; a wave is a percentage of the whole target (they add up and may not
 * pass 100 %). Each starts with the rollout, at a time, or once enough of the previous phase succeeded (hawkBit's
 * success threshold). The preview's count per phase is shown next to it.
 */
export function WizardPhases({
  phases,
  onChange,
  preview,
}: {
  phases: PhaseDraft[];
  onChange: (phases: PhaseDraft[]) => void;
  preview: RolloutPreview | null;
}) {
  const cumulative = cumulativePercents(phases);
  const setPhase = (i: number, patch: Partial<PhaseDraft>) =>
    onChange(phases.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const move = (i: number, by: number) => {
    const next = [...phases];
    const [p] = next.splice(i, 1);
    next.splice(i + by, 0, p!);
    onChange(next);
  };
  return (
    <fieldset class="panel wizard-step" data-testid="wizard-phases">
      <header class="panel-header">
        <h2>Phases</h2>
        <span class="muted small">
          Waves add up to{' '}
          <strong data-testid="phases-total">{cumulative.filter((c) => c !== null).at(-1) ?? 0} %</strong> of the target
        </span>
      </header>
      <ol class="phase-editor">
        {phases.map((p, i) => (
          <li key={i} data-testid={`phase-${i}`}>
            <div class="phase-fields">
              <label class="field phase-name">
                <span>Name</span>
                <input
                  value={p.name}
                  maxLength={64}
                  onInput={(e) => setPhase(i, { name: (e.currentTarget as HTMLInputElement).value })}
                  data-testid={`phase-name-${i}`}
                />
              </label>
              <div class="field phase-size">
                <span>Size</span>
                <span class="input-unit">
                  <input
                    type="number"
                    min={p.size === 'devices' ? 1 : 0.1}
                    max={p.size === 'devices' ? 1000 : 100}
                    step={p.size === 'devices' ? 1 : 'any'}
                    value={Number.isFinite(p.amount) ? p.amount : ''}
                    onInput={(e) => setPhase(i, { amount: Number((e.currentTarget as HTMLInputElement).value) })}
                    aria-label="Size"
                    data-testid={`phase-amount-${i}`}
                  />
                  <select
                    value={p.size}
                    onChange={(e) =>
                      setPhase(i, { size: (e.currentTarget as HTMLSelectElement).value as PhaseDraft['size'] })
                    }
                    aria-label="Unit"
                    data-testid={`phase-size-${i}`}
                  >
                    <option value="devices">devices (a canary)</option>
                    <option value="percent">% of the target, in all</option>
                  </select>
                </span>
                {cumulative[i] !== null ? (
                  <small class="hint">until {cumulative[i]} % of the target has had it</small>
                ) : null}
              </div>
              <label class="field phase-start">
                <span>Starts</span>
                <select
                  value={p.start}
                  onChange={(e) =>
                    setPhase(i, { start: (e.currentTarget as HTMLSelectElement).value as PhaseDraft['start'] })
                  }
                  data-testid={`phase-start-${i}`}
                >
                  {(Object.keys(START_LABELS) as PhaseDraft['start'][])
                    .filter((k) => i > 0 || k !== 'after-success')
                    .map((k) => (
                      <option key={k} value={k}>
                        {START_LABELS[k]}
                      </option>
                    ))}
                </select>
              </label>
              {p.start === 'at' ? (
                <label class="field">
                  <span>At (your time)</span>
                  <input
                    type="datetime-local"
                    value={p.at}
                    onInput={(e) => setPhase(i, { at: (e.currentTarget as HTMLInputElement).value })}
                    data-testid={`phase-at-${i}`}
                  />
                </label>
              ) : p.start === 'after-success' ? (
                <label class="field phase-success">
                  <span>Succeeded before it</span>
                  <span class="input-unit">
                    <input
                      type="number"
                      min={1}
                      max={100}
                      value={Number.isFinite(p.successPercent) ? p.successPercent : ''}
                      onInput={(e) =>
                        setPhase(i, { successPercent: Number((e.currentTarget as HTMLInputElement).value) })
                      }
                      data-testid={`phase-success-${i}`}
                    />
                    <span>%</span>
                  </span>
                </label>
              ) : null}
            </div>
            <div class="phase-side">
              <span class="phase-count" data-testid={`phase-count-${i}`} data-count={preview?.perPhase[i] ?? ''}>
                <strong class="tabular">{preview?.perPhase[i] ?? '—'}</strong> devices
              </span>
              <button type="button" class="btn btn-small btn-ghost" disabled={i === 0} onClick={() => move(i, -1)}>
                ↑
              </button>
              <button
                type="button"
                class="btn btn-small btn-ghost"
                disabled={i === phases.length - 1}
                onClick={() => move(i, 1)}
              >
                ↓
              </button>
              <button
                type="button"
                class="btn btn-small btn-danger-ghost"
                disabled={phases.length === 1}
                onClick={() => onChange(phases.filter((_, j) => j !== i))}
                data-testid={`phase-remove-${i}`}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ol>
      <div class="row-actions">
        <button
          type="button"
          class="btn"
          disabled={phases.length >= 10}
          onClick={() => onChange([...phases, newPhase(phases.length, phases.at(-1))])}
          data-testid="phase-add"
        >
          Add a phase
        </button>
      </div>
    </fieldset>
  );
}
