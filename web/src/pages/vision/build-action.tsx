import { useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { GalleryBuildResult, Me, StoreVision } from '../../api/types.ts';
import { relativeTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { errorCode } from '../ota/ota-errors.ts';

const NOOP_TEXT = {
  unchanged: 'Nothing changed since the latest version: no new version was built.',
  'no-recognisable-products': 'No product is recognisable yet (each needs 3 photos): nothing to build.',
} as const;

/**
 * "Build gallery now" (`vision:enrol`, POST .../gallery/builds), or what the automatic build will do: the fleet
 * rebuilds by itself shortly after enrolment changes (debounced), so the button is for not waiting.
 */
export function BuildAction({
  me,
  storeId,
  vision,
  onBuilt,
}: {
  me: Me;
  storeId: string;
  vision: StoreVision | undefined;
  onBuilt: (result: GalleryBuildResult) => void;
}) {
  const [state, setState] = useState<
    | { kind: 'idle' }
    | { kind: 'building' }
    | { kind: 'done'; result: GalleryBuildResult }
    | { kind: 'failed'; err: unknown }
  >({ kind: 'idle' });
  const build = async () => {
    setState({ kind: 'building' });
    try {
      const result = await api.post<GalleryBuildResult>(`/api/stores/${enc(storeId)}/gallery/builds`, {});
      setState({ kind: 'done', result });
      onBuilt(result);
    } catch (err) {
      setState({ kind: 'failed', err });
    }
  };
  const pending = vision?.changedSinceLatest
    ? vision.nextBuildAt
      ? `Enrolment changed: the automatic build runs ${relativeTime(vision.nextBuildAt)}.`
      : 'Enrolment changed since the latest version.'
    : 'The gallery is up to date with the enrolled products.';
  return (
    <div class="vision-build" data-testid="build-action">
      <span class="muted small" data-testid="build-pending">
        {pending}
      </span>
      {can(me, 'vision:enrol') ? (
        <button
          type="button"
          class="btn btn-primary"
          disabled={state.kind === 'building'}
          onClick={build}
          data-testid="build-now"
        >
          {state.kind === 'building' ? 'Building…' : 'Build gallery now'}
        </button>
      ) : null}
      {state.kind === 'building' ? (
        <span class="upload-progress" data-testid="build-state" data-state="building">
          <span class="spinner" /> Embedding and signing…
        </span>
      ) : state.kind === 'done' ? (
        <span class="small" data-testid="build-state" data-state={state.result.built ? 'built' : 'noop'}>
          {state.result.built && state.result.version
            ? `Built gallery v${state.result.version.version} with ${state.result.version.products} products${
                state.result.version.rolloutId ? ', rolling out to the carts' : ''
              }.`
            : NOOP_TEXT[state.result.reason ?? 'unchanged']}
        </span>
      ) : state.kind === 'failed' ? (
        <span
          class="form-error"
          role="alert"
          data-testid="build-state"
          data-state="failed"
          data-code={errorCode(state.err)}
        >
          Build failed: {describeError(state.err)}
        </span>
      ) : null}
    </div>
  );
}
