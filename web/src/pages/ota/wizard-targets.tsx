import { DEVICE_KINDS } from '../../../../protocol/api/devices.ts';
import type { ReleaseSummary, Store } from '../../api/types.ts';
import type { RolloutDraft } from './rollout-draft.ts';

const KIND_LABELS = { cart: 'Carts', speaker: 'Speakers' } as const;

function toggle<T>(list: T[], value: T, on: boolean): T[] {
  return on ? [...list, value] : list.filter((x) => x !== value);
}

/**
 * Step 2: which devices. Every criterion given must hold; one left empty means "any". The fleet resolves them
 * against its inventory and the release's own rules (kind, model, upgrade path), and the preview says who is in.
 */
export function WizardTargets({
  draft,
  set,
  stores,
  release,
}: {
  draft: RolloutDraft;
  set: (patch: Partial<RolloutDraft>) => void;
  stores: Store[];
  release: ReleaseSummary | undefined;
}) {
  const regions = [...new Set(stores.map((s) => s.region).filter((r): r is string => Boolean(r)))];
  return (
    <fieldset class="panel wizard-step" data-testid="wizard-targets">
      <header class="panel-header">
        <h2>Which devices</h2>
        <span class="muted small">Every criterion must hold; an empty one means any</span>
      </header>
      {regions.length ? (
        <div class="field">
          <span>Regions</span>
          <div class="checks">
            {regions.map((r) => (
              <label key={r} class="check">
                <input
                  type="checkbox"
                  checked={draft.regions.includes(r)}
                  onChange={(e) =>
                    set({ regions: toggle(draft.regions, r, (e.currentTarget as HTMLInputElement).checked) })
                  }
                  data-testid={`target-region-${r}`}
                />
                {r}
              </label>
            ))}
          </div>
        </div>
      ) : null}
      <div class="field">
        <span>Stores</span>
        <div class="checks">
          {stores.map((s) => (
            <label key={s.id} class="check">
              <input
                type="checkbox"
                checked={draft.storeIds.includes(s.id)}
                onChange={(e) =>
                  set({ storeIds: toggle(draft.storeIds, s.id, (e.currentTarget as HTMLInputElement).checked) })
                }
                data-testid={`target-store-${s.id}`}
              />
              {s.name}
            </label>
          ))}
        </div>
      </div>
      <div class="form-grid">
        <div class="field">
          <span>Device kinds</span>
          <div class="checks">
            {DEVICE_KINDS.map((k) => (
              <label key={k} class="check">
                <input
                  type="checkbox"
                  checked={draft.kinds.includes(k)}
                  onChange={(e) =>
                    set({ kinds: toggle(draft.kinds, k, (e.currentTarget as HTMLInputElement).checked) })
                  }
                  data-testid={`target-kind-${k}`}
                />
                {KIND_LABELS[k]}
              </label>
            ))}
          </div>
        </div>
        <label class="field">
          <span>Device tags</span>
          <input
            value={draft.tags}
            placeholder="pilot, aisle-7"
            onInput={(e) => set({ tags: (e.currentTarget as HTMLInputElement).value })}
            data-testid="target-tags"
          />
        </label>
        <label class="field">
          <span>Hardware models</span>
          <input
            value={draft.hardwareModels}
            placeholder={release?.hardwareModels.join(', ') || 'SC-200'}
            list="release-models"
            onInput={(e) => set({ hardwareModels: (e.currentTarget as HTMLInputElement).value })}
            data-testid="target-models"
          />
          <datalist id="release-models">
            {release?.hardwareModels.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        </label>
        <label class="field">
          <span>Current version of {release?.name ?? 'the release'} (range)</span>
          <input
            value={draft.currentVersions}
            placeholder="<1.4.0"
            onInput={(e) => set({ currentVersions: (e.currentTarget as HTMLInputElement).value })}
            data-testid="target-current"
          />
        </label>
      </div>
      <label class="field">
        <span>Only these devices (thing names, one per line)</span>
        <textarea
          rows={3}
          class="mono"
          value={draft.thingNames}
          placeholder="cart-xuhui-001"
          onInput={(e) => set({ thingNames: (e.currentTarget as HTMLTextAreaElement).value })}
          data-testid="target-things"
        />
      </label>
    </fieldset>
  );
}
