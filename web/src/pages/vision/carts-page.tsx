import { api, enc } from '../../api/api-client.ts';
import type { CartVision, Me, StoreVision } from '../../api/types.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Badge } from '../../components/status.tsx';
import { useVisionLive } from './use-vision-live.ts';
import { useVisionStore, VisionNav } from './vision-nav.tsx';
import { cartStanding, standingCounts } from './vision-view.ts';

function release(r: CartVision['model']): string {
  return r ? `${r.name}@${r.version}` : '—';
}

/**
 * Which model and gallery each cart of the store runs (from the store's vision view: each cart's `ota` shadow),
 * carts behind the store's latest gallery or able to do nothing but barcodes first.
 */
export function CartsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useVisionStore(query);
  const vision = useResource(
    () => (storeId ? api.get<StoreVision>(`/api/stores/${enc(storeId)}/vision`) : Promise.resolve(null)),
    [storeId],
  );
  useVisionLive(storeId, ['gallery'], vision.reload, { carts: true });
  const data = vision.data;
  const latest = data?.latestVersion ?? null;
  const order = { 'barcode-only': 0, behind: 1, updating: 2, 'no-gallery-yet': 3, current: 4 } as const;
  const carts = data
    ? [...data.carts].sort(
        (a, b) =>
          order[cartStanding(a, latest).standing] - order[cartStanding(b, latest).standing] ||
          a.thingName.localeCompare(b.thingName),
      )
    : [];
  const counts = data ? standingCounts(data.carts, latest) : null;

  return (
    <div class="page vision" data-testid="carts-page">
      <PageHeader title="Carts" subtitle="The embedder and gallery each cart runs" />
      <VisionNav me={me} active="carts" stores={stores} storeId={storeId} />
      {vision.error && !data ? (
        <ErrorState error={vision.error} onRetry={vision.reload} />
      ) : !data ? (
        <Loading />
      ) : (
        <>
          <p class="small" data-testid="carts-summary">
            Store model <strong>{data.model ? `${data.model.name}@${data.model.version}` : 'none'}</strong> · latest
            gallery <strong>{latest ? `v${latest.version}` : 'none'}</strong>
            {counts
              ? ` · ${counts.current} current, ${counts.behind} behind, ${counts.updating} updating, ${counts['barcode-only']} barcode only`
              : ''}
          </p>
          {carts.length === 0 ? (
            <Empty>No carts in this store.</Empty>
          ) : (
            <section class="panel panel-flush">
              <div class="table-scroll">
                <table class="table" data-testid="vision-carts">
                  <thead>
                    <tr>
                      <th>Cart</th>
                      <th>Standing</th>
                      <th>Model</th>
                      <th>Gallery</th>
                      <th>Update</th>
                    </tr>
                  </thead>
                  <tbody>
                    {carts.map((cart) => {
                      const s = cartStanding(cart, latest);
                      return (
                        <tr
                          key={cart.thingName}
                          class={s.tone === 'bad' || s.tone === 'warn' ? `row-${s.tone}` : ''}
                          data-testid="vision-cart"
                          data-thing={cart.thingName}
                          data-standing={s.standing}
                        >
                          <td>
                            <a href={`/devices/${enc(cart.thingName)}`}>{cart.thingName}</a>{' '}
                            <span
                              class={`dot dot-${cart.online ? 'ok' : 'bad'}`}
                              title={cart.online ? 'Online' : 'Offline'}
                            />
                          </td>
                          <td title={s.detail}>
                            <Badge tone={s.tone}>{s.label}</Badge> <span class="muted small">{s.detail}</span>
                          </td>
                          <td class="small" data-field="model">
                            {release(cart.model)}
                            {cart.model?.onTrial ? <span class="muted"> (on trial)</span> : null}
                          </td>
                          <td class="small" data-field="gallery">
                            {cart.galleryVersion ? `v${cart.galleryVersion}` : '—'}
                            {cart.gallery?.onTrial ? <span class="muted"> (on trial)</span> : null}
                          </td>
                          <td class="small">{cart.job ? `${cart.job.step} (${cart.job.jobId})` : '—'}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </section>
          )}
        </>
      )}
    </div>
  );
}
