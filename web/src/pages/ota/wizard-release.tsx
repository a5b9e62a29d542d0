import type { ReleaseSummary } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { KindLabel } from '../../components/status.tsx';
import { SignatureBadge } from './ota-badges.tsx';
import { COMPONENT_LABELS } from './ota-labels.ts';
import type { RolloutDraft } from './rollout-draft.ts';

/** Step 1: which release, and the rollout's name. A release whose signature is not OK cannot be picked. */
export function WizardRelease({
  draft,
  releases,
  onPick,
  onName,
}: {
  draft: RolloutDraft;
  releases: ReleaseSummary[];
  onPick: (release: ReleaseSummary) => void;
  onName: (name: string) => void;
}) {
  return (
    <fieldset class="panel wizard-step" data-testid="wizard-release">
      <header class="panel-header">
        <h2>Which release</h2>
      </header>
      <div class="table-scroll">
        <table class="table">
          <tbody>
            {releases.map((r) => (
              <tr
                key={r.id}
                class={`clickable ${draft.releaseId === r.id ? 'row-selected' : ''} ${r.signatureOk ? '' : 'row-disabled'}`}
                onClick={() => r.signatureOk && onPick(r)}
                data-testid="wizard-release-row"
                data-release={r.id}
              >
                <td>
                  <input
                    type="radio"
                    name="release"
                    checked={draft.releaseId === r.id}
                    disabled={!r.signatureOk}
                    onChange={() => onPick(r)}
                    aria-label={`${r.name} ${r.version}`}
                  />
                </td>
                <td>
                  <strong>{r.name}</strong> <span class="mono">{r.version}</span>
                  <div class="muted small">{COMPONENT_LABELS[r.component]}</div>
                </td>
                <td>
                  {r.deviceKinds.map((k) => (
                    <KindLabel key={k} kind={k} />
                  ))}
                  <div class="muted small">
                    {r.hardwareModels.length ? r.hardwareModels.join(', ') : 'any model'} · from{' '}
                    <span class="mono">{r.upgradeFrom}</span>
                  </div>
                </td>
                <td>
                  <SignatureBadge ok={r.signatureOk} />
                </td>
                <td class="muted nowrap">{relativeTime(r.publishedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <label class="field">
        <span>Rollout name</span>
        <input
          value={draft.name}
          maxLength={120}
          placeholder="cart-runtime 1.4.0"
          onInput={(e) => onName((e.currentTarget as HTMLInputElement).value)}
          data-testid="wizard-name"
        />
      </label>
    </fieldset>
  );
}
