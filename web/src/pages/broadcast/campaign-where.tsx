import { type CampaignBody, OPT_POLICIES, SPEAKER_ROLES } from '../../../../protocol/api/broadcast-schedule.ts';
import type { Store } from '../../api/types.ts';
import type { CampaignDraft } from './campaign-draft.ts';
import { OPT_LABELS, ROLE_LABELS } from './campaign-labels.ts';

/**
 * Where a campaign plays: the stores (all, regions, a list; a store campaign its own store only), the speaker roles,
 * and HQ's opt policy for the stores it targets.
 */
export function CampaignWhere({
  draft,
  set,
  stores,
  editable,
}: {
  draft: CampaignDraft;
  set: (patch: Partial<CampaignBody>) => void;
  stores: Store[];
  editable: boolean;
}) {
  const b = draft.body;
  const storeCampaign = b.layer === 'store_campaign';
  return (
    <fieldset class="panel campaign-form" disabled={!editable}>
      <header class="panel-header">
        <h2>Where</h2>
      </header>
      {storeCampaign ? (
        <label class="field">
          <span>Store</span>
          <select
            value={b.stores.storeIds[0] ?? ''}
            onChange={(e) =>
              set({
                stores: {
                  all: false,
                  regions: [],
                  tags: [],
                  storeIds: [(e.currentTarget as HTMLSelectElement).value],
                },
              })
            }
            data-testid="campaign-store"
          >
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <div class="field" data-testid="campaign-targets">
          <label class="check">
            <input
              type="checkbox"
              checked={b.stores.all}
              onChange={(e) => set({ stores: { ...b.stores, all: (e.currentTarget as HTMLInputElement).checked } })}
              data-testid="campaign-all-stores"
            />
            Every store of the chain
          </label>
          {b.stores.all ? null : (
            <>
              <span class="muted small">Regions</span>
              <div class="checks">
                {[...new Set(stores.map((s) => s.region).filter((r): r is string => Boolean(r)))].map((r) => (
                  <label key={r} class="check">
                    <input
                      type="checkbox"
                      checked={b.stores.regions.includes(r)}
                      onChange={(e) =>
                        set({
                          stores: {
                            ...b.stores,
                            regions: (e.currentTarget as HTMLInputElement).checked
                              ? [...b.stores.regions, r]
                              : b.stores.regions.filter((x) => x !== r),
                          },
                        })
                      }
                    />
                    {r}
                  </label>
                ))}
              </div>
              <span class="muted small">Stores</span>
              <div class="checks">
                {stores.map((s) => (
                  <label key={s.id} class="check">
                    <input
                      type="checkbox"
                      checked={b.stores.storeIds.includes(s.id)}
                      onChange={(e) =>
                        set({
                          stores: {
                            ...b.stores,
                            storeIds: (e.currentTarget as HTMLInputElement).checked
                              ? [...b.stores.storeIds, s.id]
                              : b.stores.storeIds.filter((x) => x !== s.id),
                          },
                        })
                      }
                      data-testid={`campaign-store-${s.id}`}
                    />
                    {s.name}
                  </label>
                ))}
              </div>
            </>
          )}
        </div>
      )}
      <div class="field">
        <span>Speakers</span>
        <div class="checks">
          {SPEAKER_ROLES.map((r) => (
            <label key={r} class="check">
              <input
                type="checkbox"
                checked={b.speakers.roles.includes(r)}
                onChange={(e) =>
                  set({
                    speakers: {
                      ...b.speakers,
                      roles: (e.currentTarget as HTMLInputElement).checked
                        ? [...b.speakers.roles, r]
                        : b.speakers.roles.filter((x) => x !== r),
                    },
                  })
                }
              />
              {ROLE_LABELS[r]}
            </label>
          ))}
        </div>
      </div>
      {storeCampaign ? null : (
        <label class="field">
          <span>Stores may</span>
          <select
            value={b.optPolicy}
            onChange={(e) =>
              set({ optPolicy: (e.currentTarget as HTMLSelectElement).value as CampaignBody['optPolicy'] })
            }
            data-testid="campaign-opt-policy"
          >
            {OPT_POLICIES.map((p) => (
              <option key={p} value={p}>
                {OPT_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
      )}
    </fieldset>
  );
}
