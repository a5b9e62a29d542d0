import { useState } from 'preact/hooks';
import { MAX_ENROLMENT_PHOTOS, MIN_ENROLMENT_PHOTOS } from '../../../../protocol/api/vision.ts';
import { ApiError, api, enc, upload } from '../../api/api-client.ts';
import type {
  EnrolledProduct,
  EnrolledProductSummary,
  Me,
  PhotoUpload,
  Product,
  StoreVision,
} from '../../api/types.ts';
import { nameOf } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, PageHeader } from '../../components/page-state.tsx';
import { Badge } from '../../components/status.tsx';
import { ProductPicker } from '../broadcast/product-picker.tsx';
import { BuildAction } from './build-action.tsx';
import { PHOTO_REFUSALS, type PhotoItem, photoContentType, photoItems, sendPhotos } from './photo-queue.ts';
import { useVisionStore, VisionNav } from './vision-nav.tsx';
import { notRecognisableText } from './vision-view.ts';

const ITEM_LABELS: Record<PhotoItem['state'], string> = {
  waiting: 'Waiting',
  sending: 'Sending',
  stored: 'Stored',
  existed: 'Already enrolled',
  refused: 'Refused',
};

/**
 * Enrol a product (`vision:enrol`): pick it from the catalog (name, SKU or barcode), upload 3–5 photos (each its own
 * request, progress and refusal), see it recognisable, then build the gallery now or let the automatic build run.
 */
export function EnrolPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useVisionStore(query);
  const [sku, setSku] = useState(query.get('sku') ?? '');
  const [picked, setPicked] = useState<Product | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [items, setItems] = useState<PhotoItem[]>([]);
  const [sending, setSending] = useState(false);
  const [status, setStatus] = useState<EnrolledProductSummary | null>(null);

  const vision = useResource(
    () => (storeId ? api.get<StoreVision>(`/api/stores/${enc(storeId)}/vision`) : Promise.resolve(null)),
    [storeId],
  );
  // The product as enrolled so far (404: not enrolled yet).
  const enrolled = useResource(
    () =>
      storeId && sku
        ? api
            .get<EnrolledProduct>(`/api/stores/${enc(storeId)}/gallery/products/${enc(sku)}`)
            .catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err)))
        : Promise.resolve(null),
    [storeId, sku],
  );
  const current: EnrolledProductSummary | null = status ?? enrolled.data ?? null;

  if (!can(me, 'vision:enrol')) {
    return (
      <div class="page vision" data-testid="enrol-page">
        <PageHeader title="Enrol a product" />
        <ErrorState error={new ApiError(403, 'NOT_AUTHORIZED', 'Your role may not enrol products.')} />
      </div>
    );
  }

  const send = async () => {
    if (!storeId || !sku || files.length === 0) return;
    const queue = photoItems(files);
    setItems(queue);
    setSending(true);
    try {
      const product = await sendPhotos(
        queue,
        (index, onProgress) => {
          const file = files[index]!;
          return upload<PhotoUpload>(
            `/api/stores/${enc(storeId)}/gallery/products/${enc(sku)}/photos`,
            file,
            photoContentType(file),
            onProgress,
          );
        },
        setItems,
      );
      if (product) setStatus(product);
      vision.reload();
    } finally {
      setSending(false);
    }
  };

  const have = current?.enrolmentPhotos ?? 0;
  return (
    <div class="page vision" data-testid="enrol-page">
      <PageHeader
        title="Enrol a product"
        subtitle={`${MIN_ENROLMENT_PHOTOS}–${MAX_ENROLMENT_PHOTOS} photos of the product make it recognisable on the store's carts, without retraining`}
      />
      <VisionNav me={me} active="enrol" stores={stores} storeId={storeId} />
      <section class="panel">
        <header class="panel-header">
          <h2>1 · Product</h2>
          <span class="muted small">Search the catalog by name, SKU or barcode</span>
        </header>
        <div class="panel-body form-grid">
          <div class="field">
            <span>Product</span>
            <ProductPicker
              value={sku}
              testId="enrol-product"
              placeholder="Name, SKU or barcode"
              onPick={(product, next) => {
                setPicked(product);
                setSku(product ? product.sku : '');
                if (next !== sku) {
                  setStatus(null);
                  setItems([]);
                }
              }}
            />
          </div>
          <p class="small" data-testid="enrol-picked" data-sku={sku}>
            {sku ? (
              <>
                Picked: <strong>{picked ? nameOf(picked.name) : sku}</strong> <span class="muted">{sku}</span>
              </>
            ) : (
              <span class="muted">Nothing picked yet</span>
            )}
          </p>
        </div>
      </section>
      <section class="panel">
        <header class="panel-header">
          <h2>2 · Photos</h2>
          <span class="muted small">
            JPEG or PNG, up to 8 MB each; the product alone, from above, as the basket camera sees it
          </span>
        </header>
        <div class="panel-body">
          <p class="small" data-testid="enrol-photo-count">
            {sku ? `${have} of ${MAX_ENROLMENT_PHOTOS} photos enrolled` : 'Pick a product first'}
          </p>
          <div class="upload-actions">
            <input
              type="file"
              multiple
              accept="image/jpeg,image/png"
              disabled={!sku || sending}
              data-testid="enrol-files"
              onChange={(e) => {
                setFiles(Array.from((e.currentTarget as HTMLInputElement).files ?? []));
                setItems([]);
              }}
            />
            <button
              type="button"
              class="btn btn-primary"
              disabled={!sku || files.length === 0 || sending}
              onClick={send}
              data-testid="enrol-upload"
            >
              {files.length > 1 ? `Upload ${files.length} photos` : 'Upload photo'}
            </button>
          </div>
          {items.length > 0 ? (
            <ul class="vision-uploads" data-testid="enrol-uploads">
              {items.map((item, i) => (
                <li
                  key={`${i}-${item.name}`}
                  class={`vision-upload vision-upload-${item.state}`}
                  data-testid="enrol-upload-item"
                  data-state={item.state}
                  data-code={item.code ?? undefined}
                >
                  <span class="vision-upload-name">{item.name}</span>
                  {item.state === 'sending' ? (
                    <span class="upload-progress">
                      <progress max={1} value={item.fraction} />
                      <span class="tabular">{Math.round(item.fraction * 100)}%</span>
                    </span>
                  ) : (
                    <span class="small">{ITEM_LABELS[item.state]}</span>
                  )}
                  {item.state === 'refused' ? (
                    <span class="form-error small" role="alert">
                      <code>{item.code}</code> {PHOTO_REFUSALS[item.code ?? ''] ?? ''}
                      {item.message ? ` (${item.message})` : ''}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </section>
      <section class="panel">
        <header class="panel-header">
          <h2>3 · Recognisable</h2>
        </header>
        <div class="panel-body">
          {!sku ? (
            <span class="muted">Pick a product first.</span>
          ) : current ? (
            <p data-testid="enrol-status" data-recognisable={String(current.recognisable)}>
              {current.recognisable ? <Badge tone="ok">Recognisable</Badge> : <Badge tone="warn">Not yet</Badge>}{' '}
              <span class="small">
                {current.recognisable
                  ? current.inGalleryVersion
                    ? `In gallery v${current.inGalleryVersion}; new photos join the next build.`
                    : 'It joins the next gallery build.'
                  : notRecognisableText(current)}
              </span>
            </p>
          ) : (
            <p class="muted" data-testid="enrol-status" data-recognisable="false">
              Not enrolled yet.
            </p>
          )}
          {storeId ? (
            <BuildAction
              me={me}
              storeId={storeId}
              vision={vision.data ?? undefined}
              onBuilt={() => {
                vision.reload();
                enrolled.reload();
                setStatus(null);
              }}
            />
          ) : null}
          {storeId ? (
            <p class="small">
              <a href={`/recognition/versions?storeId=${enc(storeId)}`} data-testid="enrol-versions-link">
                Gallery versions and their rollouts
              </a>
              {' · '}
              <a href={`/recognition?storeId=${enc(storeId)}`}>The gallery</a>
            </p>
          ) : null}
        </div>
      </section>
    </div>
  );
}
