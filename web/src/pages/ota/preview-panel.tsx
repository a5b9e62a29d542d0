import type { Store } from '../../api/types.ts';
import { storeName } from '../../app/stores-cache.ts';
import { describeOtaError, detailProblems } from './ota-errors.ts';
import { EXCLUSION_LABELS } from './ota-labels.ts';
import type { PhaseDraft } from './rollout-draft.ts';
import type { PreviewState } from './use-preview.ts';

/**
 * How many devices the choices reach, from the fleet's own target resolution (`POST /api/rollouts/preview`): in all,
 * per phase, per store, who is left out and why, and the problems that would refuse the rollout.
 */
export function PreviewPanel({
  state,
  phases,
  stores,
  localProblems,
}: {
  state: PreviewState;
  phases: PhaseDraft[];
  stores: Store[];
  localProblems: string[];
}) {
  const p = state.preview;
  const status = localProblems.length
    ? 'incomplete'
    : state.error
      ? 'error'
      : state.updating
        ? 'updating'
        : p
          ? 'current'
          : 'idle';
  const serverProblems = state.current && p ? p.problems : [];
  const requestProblems = state.error ? [describeOtaError(state.error), ...detailProblems(state.error)] : [];
  return (
    <aside class="panel panel-flush preview-panel" data-testid="rollout-preview" data-state={status} aria-live="polite">
      <header class="panel-header">
        <h2>Reaches</h2>
        {status === 'updating' ? (
          <span class="muted small">
            <span class="spinner" /> counting…
          </span>
        ) : null}
      </header>
      <div class={`preview-count ${state.current ? '' : 'stale'}`}>
        <span class="preview-number tabular" data-testid="preview-devices" data-count={p?.devices ?? ''}>
          {p ? p.devices : '—'}
        </span>
        <span class="muted">device{p?.devices === 1 ? '' : 's'}</span>
      </div>
      {p ? (
        <>
          <h3 class="subhead">Per phase</h3>
          <ol class="preview-list">
            {p.perPhase.map((n, i) => (
              <li key={i} data-testid={`preview-phase-${i}`} data-count={n}>
                <span>{phases[i]?.name || `Phase ${i + 1}`}</span>
                <strong class="tabular">{n}</strong>
              </li>
            ))}
          </ol>
          {p.byStore.length ? (
            <>
              <h3 class="subhead">Per store</h3>
              <ul class="preview-list" data-testid="preview-stores">
                {p.byStore.map((s) => (
                  <li key={s.storeId} data-testid={`preview-store-${s.storeId}`} data-count={s.devices}>
                    <span>{storeName(stores, s.storeId)}</span>
                    <strong class="tabular">{s.devices}</strong>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {p.excluded.some((e) => e.devices > 0) ? (
            <>
              <h3 class="subhead">Left out</h3>
              <ul class="preview-list" data-testid="preview-excluded">
                {p.excluded
                  .filter((e) => e.devices > 0)
                  .map((e) => (
                    <li key={e.reason} data-testid={`preview-excluded-${e.reason}`} data-count={e.devices}>
                      <span>{EXCLUSION_LABELS[e.reason]}</span>
                      <strong class="tabular">{e.devices}</strong>
                    </li>
                  ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
      {localProblems.length || serverProblems.length || requestProblems.length ? (
        <ul class="form-error preview-problems" role="alert" data-testid="preview-problems">
          {[...localProblems, ...serverProblems, ...requestProblems].map((m, i) => (
            <li key={i}>{m}</li>
          ))}
        </ul>
      ) : null}
    </aside>
  );
}
