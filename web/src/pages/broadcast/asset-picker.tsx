import { api } from '../../api/api-client.ts';
import type { ContentAsset, ContentPage } from '../../api/types.ts';
import { useResource } from '../../app/use-resource.ts';
import { duration } from './content-library-page.tsx';
import { KIND_LABELS } from './content-upload.tsx';

/** Assets from the library to pick, in the order picked (a campaign rotates them one per occurrence). */
export function AssetPicker({
  value,
  onChange,
  storeId,
  kinds,
  testId = 'asset-picker',
  single = false,
}: {
  value: string[];
  onChange: (sha256s: string[]) => void;
  /** Assets usable in this store (its own and HQ's); undefined: everything the user sees. */
  storeId?: string;
  kinds?: ContentAsset['kind'][];
  testId?: string;
  single?: boolean;
}) {
  const list = useResource(() => api.get<ContentPage>('/api/content', { storeId, limit: 200 }), [storeId]);
  const items = (list.data?.items ?? []).filter((a) => !kinds || kinds.includes(a.kind));
  return (
    <div class="asset-picker" data-testid={testId}>
      {list.data && items.length === 0 ? <div class="muted small">No audio in the library yet.</div> : null}
      {items.map((a) => {
        const index = value.indexOf(a.sha256);
        return (
          <label key={a.sha256} class={`asset-pick ${index >= 0 ? 'picked' : ''}`} data-sha256={a.sha256}>
            <input
              type={single ? 'radio' : 'checkbox'}
              name={testId}
              checked={index >= 0}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                if (single) onChange(on ? [a.sha256] : []);
                else onChange(on ? [...value, a.sha256] : value.filter((s) => s !== a.sha256));
              }}
              data-testid="asset-pick"
            />
            {index >= 0 && !single ? <span class="pick-order">{index + 1}</span> : null}
            <span class="asset-pick-title">{a.title}</span>
            <span class="muted small">
              {KIND_LABELS[a.kind]} · {duration(a.durationMs)}
            </span>
          </label>
        );
      })}
    </div>
  );
}
