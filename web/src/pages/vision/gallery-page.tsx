import { api, enc } from '../../api/api-client.ts';
import type { EnrolledProductPage, EnrolledProductSummary, Me, StoreVision } from '../../api/types.ts';
import { nameOf, relativeTime } from '../../app/format.ts';
import { setQuery } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { Pager } from '../../components/pager.tsx';
import { Badge } from '../../components/status.tsx';
import { GalleryPhotos } from './gallery-photos.tsx';
import { useVisionLive } from './use-vision-live.ts';
import { useVisionStore, VisionNav } from './vision-nav.tsx';
import { notRecognisableText } from './vision-view.ts';

const PAGE = 20;

/**
 * A store's gallery (issue 11 item 8): the enrolled products with their photos, whether each is recognisable (and
 * why not yet), where the photos came from (enrolment or the store's carts), delete a photo (`vision:enrol`).
 */
export function GalleryPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useVisionStore(query);
  const offset = Number(query.get('offset') ?? 0);
  const filter = query.get('recognisable');
  const list = useResource(
    () =>
      storeId
        ? api.get<EnrolledProductPage>(`/api/stores/${enc(storeId)}/gallery/products`, {
            limit: PAGE,
            offset,
            recognisable: filter === null ? undefined : filter === 'true',
          })
        : Promise.resolve(null),
    [storeId, offset, filter],
  );
  const vision = useResource(
    () => (storeId ? api.get<StoreVision>(`/api/stores/${enc(storeId)}/vision`) : Promise.resolve(null)),
    [storeId],
  );
  useVisionLive(storeId, ['gallery'], () => {
    list.reload();
    vision.reload();
  });
  const refresh = () => {
    list.reload();
    vision.reload();
  };

  return (
    <div class="page vision" data-testid="gallery-page">
      <PageHeader
        title="Recognition"
        subtitle="The store's product gallery: what its carts' cameras can recognise"
        actions={
          can(me, 'vision:enrol') && storeId ? (
            <a class="btn btn-primary" href={`/recognition/enrol?storeId=${enc(storeId)}`} data-testid="enrol-link">
              Enrol a product
            </a>
          ) : null
        }
      />
      <VisionNav me={me} active="gallery" stores={stores} storeId={storeId} />
      {vision.data ? <GallerySummary vision={vision.data} /> : null}
      <section class="filters">
        <nav class="segmented" aria-label="Recognisable">
          {[
            [null, 'All'],
            ['true', 'Recognisable'],
            ['false', 'Not yet'],
          ].map(([value, label]) => (
            <button
              key={label}
              type="button"
              class={filter === value ? 'active' : ''}
              onClick={() => setQuery({ recognisable: value, offset: null })}
              data-testid={`gallery-filter-${value ?? 'all'}`}
            >
              {label}
            </button>
          ))}
        </nav>
      </section>
      {list.error && !list.data ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <Empty>No enrolled products{filter !== null ? ' match' : ' yet'}.</Empty>
      ) : (
        <>
          <div class="vision-products" data-testid="gallery-products">
            {list.data.items.map((p) => (
              <ProductCard key={p.sku} me={me} storeId={storeId!} product={p} onChanged={refresh} />
            ))}
          </div>
          <Pager
            total={list.data.total}
            limit={PAGE}
            offset={offset}
            onChange={(next) => setQuery({ offset: next || null })}
          />
        </>
      )}
    </div>
  );
}

function GallerySummary({ vision }: { vision: StoreVision }) {
  const latest = vision.latestVersion;
  return (
    <div class="cards vision-summary" data-testid="gallery-summary">
      <div class="card stat-card">
        <span class="stat-label">Recognisable products</span>
        <span class="stat-value tabular" data-testid="summary-recognisable">
          {vision.products.recognisable}
          <small> / {vision.products.enrolled} enrolled</small>
        </span>
      </div>
      <div class="card stat-card">
        <span class="stat-label">Latest gallery</span>
        <span class="stat-value tabular" data-testid="summary-version">
          {latest ? `v${latest.version}` : '—'}
          {latest ? <small> · {latest.products} products</small> : null}
        </span>
        <span class="stat-foot muted">
          {vision.changedSinceLatest
            ? vision.nextBuildAt
              ? `Changes pending: automatic build ${relativeTime(vision.nextBuildAt)}`
              : 'Changes pending: build to send them to the carts'
            : latest
              ? `Built ${relativeTime(latest.createdAt)}`
              : 'Nothing built yet'}
        </span>
      </div>
      <div class="card stat-card">
        <span class="stat-label">Model</span>
        <span class="stat-value vision-model" data-testid="summary-model">
          {vision.model ? `${vision.model.name}@${vision.model.version}` : 'none'}
        </span>
        <span class="stat-foot muted">
          {vision.model
            ? `${vision.model.embeddingSize}-d embeddings · ${vision.model.source === 'committed' ? 'committed model' : 'model release'}`
            : (vision.modelProblem ?? '')}
        </span>
      </div>
    </div>
  );
}

function ProductCard({
  me,
  storeId,
  product,
  onChanged,
}: {
  me: Me;
  storeId: string;
  product: EnrolledProductSummary;
  onChanged: () => void;
}) {
  return (
    <article
      class="panel vision-product"
      data-testid="gallery-product"
      data-sku={product.sku}
      data-recognisable={String(product.recognisable)}
    >
      <header class="panel-header">
        <div>
          <h2>{product.name ? nameOf(product.name) : product.sku}</h2>
          <span class="muted small">
            {product.sku}
            {product.plu ? ` · PLU ${product.plu}` : ''}
            {product.name?.zh && product.name.en ? ` · ${product.name.zh}` : ''}
          </span>
        </div>
        {product.recognisable ? (
          <Badge tone="ok" testId="product-status">
            Recognisable
          </Badge>
        ) : (
          <Badge tone="warn" testId="product-status">
            Not yet
          </Badge>
        )}
      </header>
      <div class="panel-body">
        {product.recognisable ? null : (
          <p class="vision-reason small" data-testid="product-reason">
            {notRecognisableText(product)}
          </p>
        )}
        <p class="muted small">
          <span data-testid="product-enrolment-photos">{product.enrolmentPhotos}</span> enrolment ·{' '}
          <span data-testid="product-contributed-photos">{product.contributedPhotos}</span> from carts ·{' '}
          {product.inGalleryVersion ? `in gallery v${product.inGalleryVersion}` : 'in no gallery yet'}
        </p>
        <GalleryPhotos
          me={me}
          storeId={storeId}
          sku={product.sku}
          version={product.updatedAt + product.enrolmentPhotos + product.contributedPhotos}
          onChanged={onChanged}
        />
      </div>
    </article>
  );
}
