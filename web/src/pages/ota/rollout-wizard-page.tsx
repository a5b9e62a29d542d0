import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, enc } from '../../api/api-client.ts';
import type { Me, ReleasePage, ReleaseSummary, Rollout } from '../../api/types.ts';
import { navigate } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useStores } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { describeOtaError, detailProblems, errorCode } from './ota-errors.ts';
import { OtaNav } from './ota-nav.tsx';
import { PreviewPanel } from './preview-panel.tsx';
import {
  cumulativePercents,
  draftProblems,
  localToEpoch,
  newRolloutDraft,
  type RolloutDraft,
  STEP_TITLES,
  specOf,
  WIZARD_STEPS,
  type WizardStep,
} from './rollout-draft.ts';
import { SpecSummary } from './spec-summary.tsx';
import { usePreview } from './use-preview.ts';
import { WizardPhases } from './wizard-phases.tsx';
import { WizardRelease } from './wizard-release.tsx';
import { WizardSafety } from './wizard-safety.tsx';
import { WizardTargets } from './wizard-targets.tsx';

/**
 * The rollout wizard (`rollouts:manage`): release → targets → phases → safety → review, with the fleet's count of
 * the devices each choice reaches beside every step (debounced `POST /api/rollouts/preview`). Creating is refused
 * while the preview lists problems or is not yet for the spec as it stands.
 */
export function RolloutWizardPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const stores = useStores();
  const releases = useResource(() => api.get<ReleasePage>('/api/releases', { limit: 200 }), []);
  const [draft, setDraft] = useState<RolloutDraft | null>(null);
  const [step, setStep] = useState<WizardStep>('release');
  const [round, setRound] = useState(0);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ code?: string; lines: string[] } | null>(null);

  useEffect(() => {
    if (!releases.data || draft) return;
    const wanted = query.get('releaseId');
    const release = releases.data.items.find((r) => r.id === wanted && r.signatureOk);
    setDraft(newRolloutDraft(release));
    if (release) setStep('targets');
  }, [releases.data]);

  const problems = draft ? draftProblems(draft, localToEpoch) : [];
  const spec = draft && problems.length === 0 ? specOf(draft, localToEpoch) : null;
  const preview = usePreview(spec, round);

  if (!can(me, 'rollouts:manage')) return <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', '')} />;
  if (releases.error && !releases.data) return <ErrorState error={releases.error} onRetry={releases.reload} />;
  if (!draft || !releases.data) return <Loading />;

  const set = (patch: Partial<RolloutDraft>) => {
    setDraft({ ...draft, ...patch });
    setRefusal(null);
  };
  const release = releases.data.items.find((r) => r.id === draft.releaseId);
  const pick = (r: ReleaseSummary) => {
    const auto = !draft.name || (release && draft.name === `${release.name} ${release.version}`);
    set({
      releaseId: r.id,
      name: auto ? `${r.name} ${r.version}` : draft.name,
      kinds: release ? draft.kinds : [...r.deviceKinds],
    });
  };
  const at = WIZARD_STEPS.indexOf(step);
  const p = preview.preview;
  const canCreate = spec !== null && preview.current && p !== null && p.problems.length === 0 && p.devices > 0 && !busy;
  const reachedStores = stores.filter((s) => p?.byStore.some((b) => b.storeId === s.id));

  const create = async () => {
    if (!spec || !canCreate) return;
    setBusy(true);
    setRefusal(null);
    try {
      const rollout = await api.post<Rollout>('/api/rollouts', spec);
      toast('success', `Rollout “${rollout.name}” created.`);
      navigate(`/updates/rollouts/${enc(rollout.id)}`);
    } catch (err) {
      setRefusal({ code: errorCode(err), lines: [describeOtaError(err), ...detailProblems(err)] });
      if (errorCode(err) === 'ROLLOUT_DOWNGRADE') setStep('safety');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page ota" data-testid="rollout-wizard">
      <PageHeader
        title="New rollout"
        subtitle={release ? `${release.name} ${release.version}` : 'Pick a release, then who gets it and how'}
      />
      <OtaNav me={me} active="rollouts" />
      <nav class="wizard-steps" aria-label="Steps" data-testid="wizard-steps">
        {WIZARD_STEPS.map((s, i) => {
          const n = problems.filter((x) => x.step === s).length;
          return (
            <button
              key={s}
              type="button"
              class={`wizard-step-tab ${s === step ? 'active' : ''}`}
              aria-current={s === step ? 'step' : undefined}
              onClick={() => setStep(s)}
              data-testid={`wizard-tab-${s}`}
              data-problems={n}
            >
              <span class="wizard-step-number">{i + 1}</span> {STEP_TITLES[s]}
              {n ? <span class="badge badge-bad">{n}</span> : null}
            </button>
          );
        })}
      </nav>
      <div class="wizard-layout">
        <div class="wizard-main">
          {step === 'release' ? (
            <WizardRelease
              draft={draft}
              releases={releases.data.items}
              onPick={pick}
              onName={(name) => set({ name })}
            />
          ) : step === 'targets' ? (
            <WizardTargets draft={draft} set={set} stores={stores} release={release} />
          ) : step === 'phases' ? (
            <WizardPhases phases={draft.phases} onChange={(phases) => set({ phases })} preview={p} />
          ) : step === 'safety' ? (
            <WizardSafety
              draft={draft}
              set={set}
              windowStores={reachedStores.length ? reachedStores : stores.filter((s) => draft.storeIds.includes(s.id))}
              canEditWindows={can(me, 'rollouts:manage')}
              onWindowsChanged={() => setRound(round + 1)}
            />
          ) : spec ? (
            <div class="stack" data-testid="wizard-review">
              <section class="panel">
                <header class="panel-header">
                  <h2>{spec.name ?? `${release?.name} ${release?.version}`}</h2>
                </header>
                <ol class="review-phases">
                  {draft.phases.map((ph, i) => (
                    <li key={i}>
                      <strong>{ph.name}</strong>:{' '}
                      {ph.size === 'devices'
                        ? `a canary of ${ph.amount}`
                        : `${ph.amount} % more, until ${cumulativePercents(draft.phases)[i]} % of the target`}
                      ,{' '}
                      {ph.start === 'immediately'
                        ? 'with the rollout'
                        : ph.start === 'at'
                          ? `at ${ph.at.replace('T', ' ')}`
                          : `after ${ph.successPercent} % of the previous phase succeeded`}{' '}
                      — <span class="tabular">{p?.perPhase[i] ?? '—'}</span> devices
                    </li>
                  ))}
                </ol>
              </section>
              <SpecSummary spec={spec} />
            </div>
          ) : (
            <p class="form-error">Fix the problems of the earlier steps first.</p>
          )}
          {problems.filter((x) => x.step === step).length ? (
            <ul class="form-error" role="alert" data-testid="step-problems">
              {problems
                .filter((x) => x.step === step)
                .map((x, i) => (
                  <li key={i}>{x.message}</li>
                ))}
            </ul>
          ) : null}
          {refusal ? (
            <div class="form-error" role="alert" data-testid="create-error" data-code={refusal.code}>
              {refusal.lines.map((l, i) => (
                <div key={i}>{l}</div>
              ))}
            </div>
          ) : null}
          <div class="row-actions wizard-buttons">
            {at > 0 ? (
              <button
                type="button"
                class="btn"
                onClick={() => setStep(WIZARD_STEPS[at - 1]!)}
                data-testid="wizard-back"
              >
                Back
              </button>
            ) : null}
            {step !== 'review' ? (
              <button
                type="button"
                class="btn btn-primary"
                disabled={step === 'release' && !draft.releaseId}
                onClick={() => setStep(WIZARD_STEPS[at + 1]!)}
                data-testid="wizard-next"
              >
                Next: {STEP_TITLES[WIZARD_STEPS[at + 1]!]}
              </button>
            ) : (
              <button
                type="button"
                class="btn btn-primary"
                disabled={!canCreate}
                onClick={create}
                data-testid="wizard-create"
                title={canCreate ? undefined : 'Waiting for a preview without problems'}
              >
                {busy ? 'Creating…' : `Create rollout for ${p?.devices ?? '…'} devices`}
              </button>
            )}
            <a class="btn btn-ghost" href="/updates">
              Cancel
            </a>
          </div>
        </div>
        <PreviewPanel
          state={preview}
          phases={draft.phases}
          stores={stores}
          localProblems={problems.map((x) => `${STEP_TITLES[x.step]}: ${x.message}`)}
        />
      </div>
    </div>
  );
}
