import { useEffect, useState } from 'preact/hooks';
import { CAMPAIGN_KINDS, type CampaignBody, type CampaignRecord } from '../../../../protocol/api/broadcast-schedule.ts';
import { ENTRY_MODES } from '../../../../protocol/broadcast/layers.ts';
import { ApiError, api, enc } from '../../api/api-client.ts';
import type { Me } from '../../api/types.ts';
import { navigate } from '../../app/router.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { AssetPicker } from './asset-picker.tsx';
import { describeBroadcastError } from './broadcast-errors.ts';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import {
  type CampaignDraft,
  campaignDraftOf,
  canEditCampaign,
  DEFAULT_PROMO,
  newCampaignDraft,
} from './campaign-draft.ts';
import { ENTRY_LABELS } from './campaign-labels.ts';
import { PromoFields } from './campaign-promo-fields.tsx';
import { CampaignWhere } from './campaign-where.tsx';
import { LAYER_LABELS } from './layer-style.tsx';
import { newId } from './new-id.ts';
import { RecurrenceFields } from './recurrence-fields.tsx';
import { buildRule } from './rrule-builder.ts';
import { storeToday } from './store-day.ts';

/** The campaign editor (issue 9 item 3): assets, recurrence, dates and exceptions, layer, entry, caps, targets, policy. */
export function CampaignPage({ me, id, query }: { me: Me; id: string | null; query: URLSearchParams }) {
  const { stores, storeId } = useBroadcastStore(query);
  const record = useResource(
    () => (id ? api.get<CampaignRecord>(`/api/broadcast/campaigns/${enc(id)}`) : Promise.resolve(null)),
    [id],
  );
  const timeZone = stores.find((s) => s.id === storeId)?.timeZone ?? 'Asia/Shanghai';
  const [draft, setDraft] = useState<CampaignDraft | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [draftOf, setDraftOf] = useState<string | null>(null);
  useEffect(() => {
    // A new campaign waits for the stores (its store and zone come from them); then the draft is made once per
    // campaign: the stores arriving, or the record loading again, must not reset what the person has typed.
    if (record.data === undefined || (!id && !storeId)) return;
    const key = id ?? 'new';
    if (draftOf === key) return;
    setDraftOf(key);
    setDraft(record.data ? campaignDraftOf(record.data) : newCampaignDraft(me, storeId, storeToday(timeZone)));
  }, [record.data, storeId, id]);

  if (record.error) return <ErrorState error={record.error} onRetry={record.reload} />;
  if (!draft) return <Loading />;
  const editable = can(me, 'campaigns:write') && canEditCampaign(me, record.data ?? null);
  const hq = me.storeIds === null;
  const b = draft.body;
  const set = (patch: Partial<CampaignBody>) => setDraft({ ...draft, body: { ...b, ...patch } });
  const storeCampaign = b.layer === 'store_campaign';

  const save = async () => {
    const built = buildRule(draft.recurrence);
    if ('problem' in built) return setProblems([`Recurrence: ${built.problem}`]);
    const exceptions = draft.exceptions
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const campaignId = b.id || newId(b.name, 'campaign');
    const body: CampaignBody = {
      ...b,
      id: campaignId,
      name: b.name.trim(),
      recurrence: { ...b.recurrence, rule: built.rule, exceptions },
      optPolicy: storeCampaign ? 'mandatory' : b.optPolicy,
      promo: b.kind === 'promo' ? { ...DEFAULT_PROMO, ...b.promo } : null,
    };
    setSaving(true);
    setProblems([]);
    try {
      await api.put<CampaignRecord>(`/api/broadcast/campaigns/${enc(campaignId)}`, body);
      toast('success', `Campaign “${body.name}” saved.`);
      navigate(`/broadcast/campaigns${storeId ? `?storeId=${enc(storeId)}` : ''}`);
    } catch (err) {
      const details =
        err instanceof ApiError && Array.isArray(err.details)
          ? (err.details as { message?: string; field?: string }[]).map((d) =>
              d.field ? `${d.field}: ${d.message}` : String(d.message ?? JSON.stringify(d)),
            )
          : [];
      setProblems([describeBroadcastError(err), ...details]);
    } finally {
      setSaving(false);
    }
  };

  const num = (v: string) => (v.trim() === '' ? null : Number(v));

  return (
    <div class="page broadcast" data-testid="campaign-page">
      <PageHeader
        title={record.data ? b.name : 'New campaign'}
        subtitle={record.data ? LAYER_LABELS[b.layer] : undefined}
      />
      <BroadcastNav me={me} active="campaigns" storeId={storeId ?? undefined} />
      <fieldset class="panel campaign-form" disabled={!editable}>
        <header class="panel-header">
          <h2>What</h2>
        </header>
        <div class="form-grid">
          <label class="field">
            <span>Name</span>
            <input
              value={b.name}
              onInput={(e) => set({ name: (e.currentTarget as HTMLInputElement).value })}
              data-testid="campaign-name"
            />
          </label>
          <label class="field">
            <span>Kind</span>
            <select
              value={b.kind}
              onChange={(e) => {
                const kind = (e.currentTarget as HTMLSelectElement).value as CampaignBody['kind'];
                set({
                  kind,
                  promo: kind === 'promo' ? (b.promo ?? DEFAULT_PROMO) : null,
                  speakers: { ...b.speakers, roles: [kind === 'promo' ? 'promo' : 'broadcast'] },
                });
              }}
              data-testid="campaign-kind"
            >
              {CAMPAIGN_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k === 'promo' ? 'Presence promo (promo speakers)' : 'Announcement'}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Layer</span>
            <select
              value={b.layer}
              onChange={(e) => {
                const layer = (e.currentTarget as HTMLSelectElement).value as CampaignBody['layer'];
                set({
                  layer,
                  stores:
                    layer === 'store_campaign'
                      ? { all: false, regions: [], tags: [], storeIds: storeId ? [storeId] : [] }
                      : b.stores,
                });
              }}
              data-testid="campaign-layer"
            >
              {(hq ? (['hq_campaign', 'holiday', 'store_campaign'] as const) : (['store_campaign'] as const)).map(
                (l) => (
                  <option key={l} value={l}>
                    {LAYER_LABELS[l]}
                  </option>
                ),
              )}
            </select>
          </label>
          <label class="field">
            <span>Priority within the layer (0–100)</span>
            <input
              type="number"
              min={0}
              max={100}
              value={b.priority ?? 50}
              onInput={(e) => set({ priority: Number((e.currentTarget as HTMLInputElement).value) })}
            />
          </label>
        </div>
        <div class="field">
          <span>Audio (rotated, one per play)</span>
          <AssetPicker
            value={b.assets}
            onChange={(assets) => set({ assets })}
            storeId={storeCampaign ? (b.stores.storeIds[0] ?? storeId ?? undefined) : 'chain'}
            kinds={['speech', 'jingle']}
            testId="campaign-assets"
          />
        </div>
      </fieldset>

      <fieldset class="panel campaign-form" disabled={!editable}>
        <header class="panel-header">
          <h2>When</h2>
          <span class="muted small">Store-local time in every store</span>
        </header>
        <RecurrenceFields draft={draft.recurrence} onChange={(recurrence) => setDraft({ ...draft, recurrence })} />
        <div class="form-grid">
          <label class="field">
            <span>From</span>
            <input
              type="date"
              value={b.recurrence.validFrom}
              onInput={(e) =>
                set({ recurrence: { ...b.recurrence, validFrom: (e.currentTarget as HTMLInputElement).value } })
              }
              data-testid="campaign-from"
            />
          </label>
          <label class="field">
            <span>Until (empty: no end)</span>
            <input
              type="date"
              value={b.recurrence.validUntil ?? ''}
              onInput={(e) =>
                set({
                  recurrence: { ...b.recurrence, validUntil: (e.currentTarget as HTMLInputElement).value || null },
                })
              }
              data-testid="campaign-until"
            />
          </label>
          <label class="field">
            <span>Except (dates YYYY-MM-DD, or one occurrence YYYY-MM-DDTHH:MM)</span>
            <input
              value={draft.exceptions}
              placeholder="2026-12-25, 2027-01-01"
              onInput={(e) => setDraft({ ...draft, exceptions: (e.currentTarget as HTMLInputElement).value })}
              data-testid="campaign-exceptions"
            />
          </label>
        </div>
      </fieldset>

      <fieldset class="panel campaign-form" disabled={!editable}>
        <header class="panel-header">
          <h2>How</h2>
        </header>
        <div class="form-grid">
          <label class="field">
            <span>Enters</span>
            <select
              value={b.entry}
              onChange={(e) => set({ entry: (e.currentTarget as HTMLSelectElement).value as CampaignBody['entry'] })}
              data-testid="campaign-entry"
            >
              {ENTRY_MODES.map((m) => (
                <option key={m} value={m}>
                  {ENTRY_LABELS[m]}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>May start up to (seconds late)</span>
            <input
              type="number"
              min={0}
              max={3600}
              value={b.maxDelayMs / 1000}
              onInput={(e) =>
                set({ maxDelayMs: Math.round(Number((e.currentTarget as HTMLInputElement).value) * 1000) })
              }
            />
          </label>
          <label class="field">
            <span>At most per hour (empty: no cap)</span>
            <input
              type="number"
              min={1}
              max={60}
              value={b.caps.maxPerHour ?? ''}
              onInput={(e) =>
                set({ caps: { ...b.caps, maxPerHour: num((e.currentTarget as HTMLInputElement).value) } })
              }
              data-testid="campaign-max-per-hour"
            />
          </label>
          <label class="field">
            <span>Minimum gap between its plays (minutes)</span>
            <input
              type="number"
              min={1}
              value={b.caps.minGapMinutes ?? ''}
              onInput={(e) =>
                set({ caps: { ...b.caps, minGapMinutes: num((e.currentTarget as HTMLInputElement).value) } })
              }
            />
          </label>
        </div>
        {b.kind === 'promo' ? <PromoFields draft={draft} set={set} /> : null}
      </fieldset>

      <CampaignWhere draft={draft} set={set} stores={stores} editable={editable} />

      {problems.length ? (
        <div class="form-error" role="alert" data-testid="campaign-problems">
          {problems.map((p) => (
            <div key={p}>{p}</div>
          ))}
        </div>
      ) : null}
      {editable ? (
        <div class="row-actions">
          <button
            type="button"
            class="btn btn-primary"
            disabled={saving || !b.name.trim() || b.assets.length === 0}
            onClick={save}
            data-testid="campaign-save"
          >
            {saving ? 'Saving…' : 'Save campaign'}
          </button>
          <a class="btn" href={`/broadcast/campaigns${storeId ? `?storeId=${enc(storeId)}` : ''}`}>
            Cancel
          </a>
        </div>
      ) : null}
    </div>
  );
}
