import { api, enc } from '../../api/api-client.ts';
import type { GalleryVersionPage, Me, StoreVision } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Pager } from '../../components/pager.tsx';
import { Badge } from '../../components/status.tsx';
import { BuildAction } from './build-action.tsx';
import { useVisionLive } from './use-vision-live.ts';
import { useVisionStore, VisionNav } from './vision-nav.tsx';
import { VERSION_STATE_LABELS } from './vision-view.ts';

const PAGE = 20;

/**
 * A store's gallery versions, newest first: what each holds, the model it was embedded with, its state on the way
 * to the carts (published, rolling out, live, stopped) with links to its release and rollout; "Build gallery now".
 */
export function VersionsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useVisionStore(query);
  const offset = Number(query.get('offset') ?? 0);
  const versions = useResource(
    () =>
      storeId
        ? api.get<GalleryVersionPage>(`/api/stores/${enc(storeId)}/gallery/versions`, { limit: PAGE, offset })
        : Promise.resolve(null),
    [storeId, offset],
  );
  const vision = useResource(
    () => (storeId ? api.get<StoreVision>(`/api/stores/${enc(storeId)}/vision`) : Promise.resolve(null)),
    [storeId],
  );
  useVisionLive(
    storeId,
    ['gallery'],
    () => {
      versions.reload();
      vision.reload();
    },
    { carts: true },
  );
  const releases = can(me, 'releases:read');

  return (
    <div class="page vision" data-testid="versions-page">
      <PageHeader
        title="Gallery versions"
        subtitle="Each build is a signed gallery release rolled out to the store's carts"
      />
      <VisionNav me={me} active="versions" stores={stores} storeId={storeId} />
      {storeId ? (
        <section class="panel panel-body">
          <BuildAction
            me={me}
            storeId={storeId}
            vision={vision.data ?? undefined}
            onBuilt={() => {
              versions.reload();
              vision.reload();
            }}
          />
        </section>
      ) : null}
      {versions.error && !versions.data ? (
        <ErrorState error={versions.error} onRetry={versions.reload} />
      ) : !versions.data ? (
        <Loading />
      ) : versions.data.items.length === 0 ? (
        <Empty>No gallery built for this store yet.</Empty>
      ) : (
        <section class="panel panel-flush">
          <div class="table-scroll">
            <table class="table" data-testid="versions-table">
              <thead>
                <tr>
                  <th>Version</th>
                  <th>State</th>
                  <th class="num">Products</th>
                  <th class="num">Photos</th>
                  <th>Left out</th>
                  <th>Model</th>
                  <th>Built</th>
                  <th>Release / rollout</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.items.map((v) => {
                  const state = VERSION_STATE_LABELS[v.state];
                  return (
                    <tr key={v.version} data-testid="version-row" data-version={v.version} data-state={v.state}>
                      <td class="tabular">
                        <strong>v{v.version}</strong>
                      </td>
                      <td>
                        <Badge tone={state.tone} testId="version-state">
                          {state.label}
                        </Badge>
                      </td>
                      <td class="num tabular" data-field="products">
                        {v.products}
                      </td>
                      <td class="num tabular">{v.photos}</td>
                      <td class="small" title={v.leftOut.map((l) => `${l.sku}: ${l.reason}`).join('\n')}>
                        {v.leftOut.length === 0
                          ? '—'
                          : `${v.leftOut.length} (${v.leftOut.map((l) => l.sku).join(', ')})`}
                      </td>
                      <td class="small">
                        {v.model.name}@{v.model.version}
                      </td>
                      <td class="small">
                        {absoluteTime(v.createdAt)}
                        <br />
                        <span class="muted">
                          {v.trigger === 'manual' ? `by ${v.createdBy ?? '—'}` : 'automatic (enrolment changed)'}
                        </span>
                      </td>
                      <td class="small">
                        {releases ? (
                          <a href={`/updates/releases/${enc(v.releaseId)}`} data-testid="version-release">
                            {v.releaseName}@{v.releaseVersion}
                          </a>
                        ) : (
                          <span>
                            {v.releaseName}@{v.releaseVersion}
                          </span>
                        )}
                        <br />
                        {v.rolloutId ? (
                          <a href={`/updates/rollouts/${enc(v.rolloutId)}`} data-testid="version-rollout">
                            Rollout
                          </a>
                        ) : (
                          <span class="muted">no carts to roll out to</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager
            total={versions.data.total}
            limit={PAGE}
            offset={offset}
            onChange={(next) => setQuery({ offset: next || null })}
          />
        </section>
      )}
    </div>
  );
}
