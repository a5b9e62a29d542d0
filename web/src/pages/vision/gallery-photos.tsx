import { useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { EnrolledProduct, GalleryPhoto, Me } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';

export function photoUrl(storeId: string, photo: Pick<GalleryPhoto, 'id'>): string {
  return `/api/stores/${enc(storeId)}/gallery/photos/${enc(photo.id)}`;
}

/** The photo's small JPEG the fleet makes for lists (the photo itself may be a phone's 4 MB). */
export function thumbnailUrl(storeId: string, photo: Pick<GalleryPhoto, 'id'>): string {
  return `${photoUrl(storeId, photo)}/thumbnail`;
}

/**
 * A product's photos as thumbnails (the fleet's small JPEG of each; the browser caches them: the fleet answers
 * `immutable`), each a link to the photo itself, where each came from, and delete (`vision:enrol`).
 */
export function GalleryPhotos({
  me,
  storeId,
  sku,
  version,
  onChanged,
}: {
  me: Me;
  storeId: string;
  sku: string;
  /** Changes when the product's summary changed, so the photos load again. */
  version: number;
  onChanged: () => void;
}) {
  const product = useResource(
    () => api.get<EnrolledProduct>(`/api/stores/${enc(storeId)}/gallery/products/${enc(sku)}`),
    [storeId, sku, version],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const mayDelete = can(me, 'vision:enrol');

  const remove = async (photo: GalleryPhoto) => {
    setBusy(photo.id);
    try {
      await api.delete(`/api/stores/${enc(storeId)}/gallery/photos/${enc(photo.id)}`);
      toast('success', 'Photo deleted; the gallery drops it at its next build.');
      product.reload();
      onChanged();
    } catch (err) {
      toast('error', describeError(err));
    } finally {
      setBusy(null);
    }
  };

  if (!product.data) {
    return product.error ? (
      <span class="muted small">{describeError(product.error)}</span>
    ) : (
      <span class="muted small">Loading photos…</span>
    );
  }
  return (
    <ul class="vision-photos" data-testid="gallery-photos">
      {product.data.photos.map((photo) => (
        <li
          key={photo.id}
          class="vision-photo"
          data-testid="gallery-photo"
          data-photo={photo.id}
          data-source={photo.source}
        >
          <a href={photoUrl(storeId, photo)} target="_blank" rel="noreferrer">
            <img
              src={thumbnailUrl(storeId, photo)}
              alt={`${sku}, ${photo.source} ${photo.id}`}
              width={88}
              height={88}
              loading="lazy"
              title={`${photo.width}×${photo.height} · added ${absoluteTime(photo.addedAt)}${photo.addedBy ? ` by ${photo.addedBy}` : ''}`}
            />
          </a>
          <span class={`vision-photo-source small ${photo.source === 'contribution' ? 'from-cart' : ''}`}>
            {photo.source === 'contribution' ? `Cart ${photo.thingName ?? ''}` : 'Enrolment'}
          </span>
          {mayDelete ? (
            <button
              type="button"
              class="btn btn-small btn-danger-ghost"
              disabled={busy !== null}
              onClick={() => remove(photo)}
              data-testid="delete-photo"
              aria-label={`Delete photo ${photo.id}`}
            >
              Delete
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
