import type { CampaignRecord, OptRecord } from '../../../../protocol/api/broadcast-schedule.ts';
import { api, enc } from '../../api/api-client.ts';
import type { Me } from '../../api/types.ts';
import { can } from '../../app/session.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { StoreSelect } from '../commerce/store-select.tsx';
import { describeBroadcastError } from './broadcast-errors.ts';
import { BroadcastNav } from './broadcast-nav.tsx';
import { useBroadcastStore } from './broadcast-store.ts';
import { canEditCampaign } from './campaign-draft.ts';
import { ENTRY_LABELS, OPT_LABELS } from './campaign-labels.ts';
import { LayerChip } from './layer-style.tsx';
import { parseRule } from './rrule-builder.ts';
import { SlotOverridesPanel } from './slot-overrides-panel.tsx';

/** A rule as words where the builder understands it (`Daily 10:00`), the raw RRULE otherwise. */
export function ruleText(rule: string): string {
  const d = parseRule(rule);
  if (d.mode === 'custom' || d.mode === 'every') return rule;
  const days = d.days.length && d.days.length < 7 ? ` ${d.days.join(' ')}` : '';
  return `${d.mode === 'weekly' ? 'Weekly' : 'Daily'}${days} at ${d.times}`;
}

/** Whether the store plays the campaign, given HQ's policy and the store's decision. */
function inStore(c: CampaignRecord, opt: OptRecord | undefined): boolean {
  const policy = c.campaign.optPolicy;
  return policy === 'mandatory' || (policy === 'opt_out' ? opt?.decision !== 'out' : opt?.decision === 'in');
}

/**
 * The campaigns that reach a store, with HQ's opt policy and the store's decision: a store manager opts in or out
 * where HQ allows (PUT .../opt), and adds store campaigns.
 */
export function CampaignsPage({ me, query }: { me: Me; query: URLSearchParams }) {
  const { stores, storeId, setStoreId } = useBroadcastStore(query);
  const data = useResource(async () => {
    if (!storeId) return undefined;
    const [campaigns, opts] = await Promise.all([
      api.get<CampaignRecord[]>('/api/broadcast/campaigns', { storeId }),
      api.get<OptRecord[]>(`/api/broadcast/stores/${enc(storeId)}/opts`),
    ]);
    return { campaigns, opts };
  }, [storeId]);
  const writer = can(me, 'campaigns:write');

  const decide = async (c: CampaignRecord, decision: 'in' | 'out' | null) => {
    if (!storeId) return;
    try {
      await api.put(`/api/broadcast/stores/${enc(storeId)}/campaigns/${enc(c.campaign.id)}/opt`, { decision });
      toast(
        'success',
        decision === 'out' ? `“${c.campaign.name}” will not play here.` : `“${c.campaign.name}” plays here.`,
      );
      data.reload();
    } catch (err) {
      toast('error', describeBroadcastError(err));
    }
  };

  return (
    <div class="page broadcast" data-testid="campaigns-page">
      <PageHeader
        title="Campaigns"
        subtitle="Announcements and presence promos that reach the store, and whether it plays them"
        actions={
          writer ? (
            <a
              class="btn btn-primary"
              href={`/broadcast/campaigns/new${storeId ? `?storeId=${enc(storeId)}` : ''}`}
              data-testid="campaign-create"
            >
              <Icon name="plus" size={16} /> {me.storeIds === null ? 'New campaign' : 'New store campaign'}
            </a>
          ) : null
        }
      />
      <BroadcastNav me={me} active="campaigns" storeId={storeId ?? undefined} />
      <section class="filters">
        <StoreSelect stores={stores} value={storeId ?? ''} onChange={setStoreId} all={null} />
      </section>
      {data.error && !data.data ? (
        <ErrorState error={data.error} onRetry={data.reload} />
      ) : !data.data ? (
        <Loading />
      ) : data.data.campaigns.length === 0 ? (
        <Empty>No campaign reaches this store.</Empty>
      ) : (
        <section class="panel panel-flush">
          <div class="table-scroll">
            <table class="table" data-testid="campaigns-table">
              <thead>
                <tr>
                  <th>Campaign</th>
                  <th>Layer</th>
                  <th>When</th>
                  <th>Enters</th>
                  <th>In this store</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {data.data.campaigns.map((r) => {
                  const c = r.campaign;
                  const opt = data.data?.opts.find((o) => o.campaignId === c.id);
                  const playing = inStore(r, opt);
                  const owner = r.ownerStoreId === null;
                  return (
                    <tr key={c.id} data-testid="campaign-row" data-id={c.id}>
                      <td>
                        <strong>{c.name}</strong>
                        <div class="muted small">
                          {c.kind === 'promo' ? `Presence promo · ${c.promo?.productId ?? ''}` : 'Announcement'} ·{' '}
                          {c.assets.length} audio
                        </div>
                      </td>
                      <td>
                        <LayerChip layer={c.layer} />
                      </td>
                      <td class="small">
                        {ruleText(c.recurrence.rule)}
                        <div class="muted">
                          {c.recurrence.validFrom} – {c.recurrence.validUntil ?? 'no end'}
                        </div>
                      </td>
                      <td class="small">{ENTRY_LABELS[c.entry]}</td>
                      <td class="small" data-testid="campaign-status" data-playing={playing}>
                        <span class={`badge ${playing ? 'badge-ok' : 'badge-idle'}`}>
                          {playing ? 'Plays' : 'Not playing'}
                        </span>
                        {owner ? <div class="muted">{OPT_LABELS[c.optPolicy]}</div> : null}
                      </td>
                      <td class="row-actions">
                        {writer && owner && c.optPolicy === 'opt_out' ? (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() => decide(r, playing ? 'out' : null)}
                            data-testid={playing ? 'campaign-opt-out' : 'campaign-opt-back'}
                          >
                            {playing ? 'Opt out' : 'Opt back in'}
                          </button>
                        ) : null}
                        {writer && owner && c.optPolicy === 'opt_in' ? (
                          <button
                            type="button"
                            class="btn btn-small"
                            onClick={() => decide(r, playing ? null : 'in')}
                            data-testid={playing ? 'campaign-opt-leave' : 'campaign-opt-in'}
                          >
                            {playing ? 'Leave' : 'Opt in'}
                          </button>
                        ) : null}
                        <a
                          class="btn btn-small"
                          href={`/broadcast/campaigns/${enc(c.id)}${storeId ? `?storeId=${enc(storeId)}` : ''}`}
                          data-testid="campaign-open"
                        >
                          {writer && canEditCampaign(me, r) ? 'Edit' : 'View'}
                        </a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {storeId && writer ? <SlotOverridesPanel storeId={storeId} /> : null}
    </div>
  );
}
