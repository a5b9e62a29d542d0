import { useEffect, useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { Me, PlanogramEntry, VisionSettings, VisionSettingsBody } from '../../api/types.ts';
import { absoluteTime, nameOf } from '../../app/format.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { categoryTree, useCategories } from '../catalog/use-categories.ts';
import { errorCode } from '../ota/ota-errors.ts';
import { useVisionStore, VisionNav } from './vision-nav.tsx';

/** SKUs typed as a list (commas, spaces or lines). */
function skuList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/**
 * The store's vision settings: whether its carts may contribute photos of barcode-confirmed drops, and the planogram
 * (which categories and products are shelved in each zone: the fusion's location prior). Edited with `vision:manage`
 * (HQ; the API gives store managers no write here), read by everyone else.
 */
export function SettingsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId } = useVisionStore(query);
  const settings = useResource(
    () => (storeId ? api.get<VisionSettings>(`/api/stores/${enc(storeId)}/vision/settings`) : Promise.resolve(null)),
    [storeId],
  );
  const categories = useCategories();
  const editable = can(me, 'vision:manage');
  const zones = stores.find((s) => s.id === storeId)?.zones ?? [];
  const [draft, setDraft] = useState<VisionSettingsBody | null>(null);
  const [skuText, setSkuText] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<{ code?: string; text: string } | null>(null);

  useEffect(() => {
    const s = settings.data;
    if (!s) return;
    setDraft({ contributions: s.contributions, planogram: s.planogram });
    setSkuText(Object.fromEntries(s.planogram.map((p) => [p.zoneId, p.skus.join(', ')])));
    setRefusal(null);
  }, [settings.data]);

  const entry = (zoneId: string): PlanogramEntry =>
    draft?.planogram.find((p) => p.zoneId === zoneId) ?? { zoneId, categoryIds: [], skus: [] };
  const setEntry = (zoneId: string, change: Partial<PlanogramEntry>) => {
    if (!draft) return;
    const next = { ...entry(zoneId), ...change };
    const others = draft.planogram.filter((p) => p.zoneId !== zoneId);
    const keep = next.categoryIds.length > 0 || next.skus.length > 0;
    setDraft({ ...draft, planogram: keep ? [...others, next] : others });
  };

  const save = async () => {
    if (!draft || !storeId) return;
    setSaving(true);
    setRefusal(null);
    try {
      await api.put<VisionSettings>(`/api/stores/${enc(storeId)}/vision/settings`, draft);
      toast('success', 'Vision settings saved.');
      settings.reload();
    } catch (err) {
      setRefusal({ code: errorCode(err), text: describeError(err) });
    } finally {
      setSaving(false);
    }
  };

  const tree = categoryTree(categories.data ?? []);
  return (
    <div class="page vision" data-testid="vision-settings-page">
      <PageHeader title="Recognition settings" subtitle="Photos from the carts, and where products are shelved" />
      <VisionNav me={me} active="settings" stores={stores} storeId={storeId} />
      {settings.error && !settings.data ? (
        <ErrorState error={settings.error} onRetry={settings.reload} />
      ) : !settings.data || !draft ? (
        <Loading />
      ) : (
        <>
          <section class="panel">
            <header class="panel-header">
              <h2>Contributed photos</h2>
            </header>
            <div class="panel-body">
              <label class="checkbox">
                <input
                  type="checkbox"
                  checked={draft.contributions}
                  disabled={!editable}
                  onChange={(e) => setDraft({ ...draft, contributions: (e.currentTarget as HTMLInputElement).checked })}
                  data-testid="settings-contributions"
                />{' '}
                Carts of this store send a photo of each barcode-confirmed drop; it joins the gallery at its next build
              </label>
              <p class="muted small">
                Last changed {absoluteTime(settings.data.updatedAt)}
                {settings.data.updatedBy ? ` by ${settings.data.updatedBy}` : ''}
              </p>
            </div>
          </section>
          <section class="panel panel-flush">
            <header class="panel-header">
              <h2>Planogram</h2>
              <span class="muted small">What is shelved in each zone: a cart there finds those products likelier</span>
            </header>
            <div class="table-scroll">
              <table class="table" data-testid="settings-planogram">
                <thead>
                  <tr>
                    <th>Zone</th>
                    <th>Categories (with their subcategories)</th>
                    <th>Products (SKUs)</th>
                  </tr>
                </thead>
                <tbody>
                  {zones.map((zone) => {
                    const e = entry(zone.id);
                    return (
                      <tr key={zone.id} data-testid="planogram-zone" data-zone={zone.id}>
                        <td>
                          {zone.name}
                          <br />
                          <span class="muted small">{zone.kind}</span>
                        </td>
                        <td>
                          {editable ? (
                            <select
                              multiple
                              size={Math.min(6, Math.max(3, tree.length))}
                              aria-label={`Categories in ${zone.name}`}
                              data-testid="planogram-categories"
                              onChange={(ev) =>
                                setEntry(zone.id, {
                                  categoryIds: Array.from((ev.currentTarget as HTMLSelectElement).selectedOptions).map(
                                    (o) => o.value,
                                  ),
                                })
                              }
                            >
                              {tree.map(({ category, depth }) => (
                                <option
                                  key={category.id}
                                  value={category.id}
                                  selected={e.categoryIds.includes(category.id)}
                                >
                                  {'  '.repeat(depth)}
                                  {nameOf(category.name)}
                                </option>
                              ))}
                            </select>
                          ) : (
                            <span class="small">
                              {e.categoryIds
                                .map((id) =>
                                  nameOf(categories.data?.find((c) => c.id === id)?.name ?? { zh: id, en: id }),
                                )
                                .join(', ') || '—'}
                            </span>
                          )}
                        </td>
                        <td>
                          {editable ? (
                            <textarea
                              rows={2}
                              value={skuText[zone.id] ?? ''}
                              aria-label={`Products in ${zone.name}`}
                              data-testid="planogram-skus"
                              onInput={(ev) => {
                                const text = (ev.currentTarget as HTMLTextAreaElement).value;
                                setSkuText({ ...skuText, [zone.id]: text });
                                setEntry(zone.id, { skus: skuList(text) });
                              }}
                            />
                          ) : (
                            <span class="small">{e.skus.join(', ') || '—'}</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
          {editable ? (
            <div class="upload-actions">
              <button
                type="button"
                class="btn btn-primary"
                disabled={saving}
                onClick={save}
                data-testid="settings-save"
              >
                Save settings
              </button>
              <span class="muted small">A planogram change rebuilds the gallery (its products' zones).</span>
            </div>
          ) : (
            <p class="muted small" data-testid="settings-read-only">
              Only HQ changes these settings.
            </p>
          )}
          {refusal ? (
            <div class="form-error" role="alert" data-testid="settings-error" data-code={refusal.code}>
              {refusal.text}
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}
