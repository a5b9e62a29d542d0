import { DEVICE_KINDS } from '../../../../protocol/api/devices.ts';
import { ARTIFACT_MEDIA_TYPES, OTA_COMPONENTS } from '../../../../protocol/ota/release.ts';
import type { DeviceKind, OtaComponent } from '../../api/types.ts';
import { COMPONENT_LABELS } from './ota-labels.ts';
import { problemsAt, type ReleaseDraft, type ReleaseField, type ReleaseProblem } from './release-draft.ts';

function Problem({ problems, field }: { problems: ReleaseProblem[]; field: ReleaseField }) {
  const messages = problemsAt(problems, field);
  if (!messages.length) return null;
  return (
    <small class="hint hint-bad" role="alert" data-testid={`problem-${field}`}>
      {messages.join('; ')}
    </small>
  );
}

const KIND_LABELS: Record<DeviceKind, string> = { cart: 'Carts', speaker: 'Speakers' };

/**
 * The manifest's fields. `problems` are the form's own and the fleet's refusals, each shown at its field; a
 * `disabled` form is one an offline signature already covers (it is published as signed).
 */
export function ReleaseManifestForm({
  draft,
  onChange,
  problems,
  disabled,
}: {
  draft: ReleaseDraft;
  onChange: (draft: ReleaseDraft) => void;
  problems: ReleaseProblem[];
  disabled: boolean;
}) {
  const set = (patch: Partial<ReleaseDraft>) => onChange({ ...draft, ...patch });
  const input = (field: keyof ReleaseDraft) => (e: Event) =>
    set({ [field]: (e.currentTarget as HTMLInputElement).value } as Partial<ReleaseDraft>);
  return (
    <fieldset class="panel" disabled={disabled} data-testid="release-manifest">
      <header class="panel-header">
        <h2>2. Manifest</h2>
        <span class="muted small">
          Signed with the artifact’s sha256 and size; devices check both before installing
        </span>
      </header>
      <div class="form-grid">
        <label class="field">
          <span>Component</span>
          <select
            value={draft.component}
            onChange={(e) => set({ component: (e.currentTarget as HTMLSelectElement).value as OtaComponent })}
            data-testid="release-component"
          >
            {OTA_COMPONENTS.map((c) => (
              <option key={c} value={c}>
                {COMPONENT_LABELS[c]} ({ARTIFACT_MEDIA_TYPES[c]})
              </option>
            ))}
          </select>
          <Problem problems={problems} field="component" />
        </label>
        <label class="field">
          <span>Name</span>
          <input
            value={draft.name}
            placeholder="cart-runtime"
            maxLength={64}
            onInput={input('name')}
            data-testid="release-name"
          />
          <Problem problems={problems} field="name" />
        </label>
        <label class="field">
          <span>Version</span>
          <input
            value={draft.version}
            placeholder="1.4.0"
            maxLength={64}
            onInput={input('version')}
            data-testid="release-version"
          />
          <Problem problems={problems} field="version" />
        </label>
        <label class="field">
          <span>Upgrades from (version range)</span>
          <input
            value={draft.upgradeFrom}
            placeholder=">=1.2.0 <2.0.0"
            maxLength={200}
            onInput={input('upgradeFrom')}
            data-testid="release-upgrade-from"
          />
          <small class="hint">node-semver’s syntax; * is any version. A device outside it rejects the update.</small>
          <Problem problems={problems} field="upgradeFrom" />
        </label>
        <div class="field">
          <span>Device kinds</span>
          <div class="checks">
            {DEVICE_KINDS.map((k) => (
              <label key={k} class="check">
                <input
                  type="checkbox"
                  checked={draft.deviceKinds.includes(k)}
                  onChange={(e) =>
                    set({
                      deviceKinds: (e.currentTarget as HTMLInputElement).checked
                        ? [...draft.deviceKinds, k]
                        : draft.deviceKinds.filter((x) => x !== k),
                    })
                  }
                  data-testid={`release-kind-${k}`}
                />
                {KIND_LABELS[k]}
              </label>
            ))}
          </div>
          <Problem problems={problems} field="deviceKinds" />
        </div>
        <label class="field">
          <span>Hardware models (empty: any)</span>
          <input
            value={draft.hardwareModels}
            placeholder="SC-200, SC-300"
            onInput={input('hardwareModels')}
            data-testid="release-models"
          />
          <Problem problems={problems} field="hardwareModels" />
        </label>
      </div>
      <label class="field">
        <span>Notes</span>
        <textarea rows={3} value={draft.notes} maxLength={2000} onInput={input('notes')} data-testid="release-notes" />
        <Problem problems={problems} field="notes" />
      </label>
      <div class="field">
        <span>
          Metadata (JSON, signed with the manifest
          {draft.component === 'model' ? ': the model’s tensors, opset and self-test, protocol/ota/model.ts' : ''})
        </span>
        <textarea
          rows={draft.component === 'model' ? 6 : 2}
          class="mono"
          value={draft.metadata}
          placeholder={
            draft.component === 'model'
              ? '{ "schema": 1, "opset": 17, "input": {…}, "output": {…}, "embeddingSize": 128, "selfTest": {…} }'
              : '{}'
          }
          onInput={input('metadata')}
          aria-label="Metadata"
          data-testid="release-metadata"
        />
        <label class="btn btn-small metadata-file">
          Load from a file…
          <input
            type="file"
            accept=".json,application/json"
            class="visually-hidden"
            onChange={async (e) => {
              const file = (e.currentTarget as HTMLInputElement).files?.[0];
              if (file) set({ metadata: await file.text() });
            }}
            data-testid="release-metadata-file"
          />
        </label>
        <Problem problems={problems} field="metadata" />
      </div>
      <Problem problems={problems} field="form" />
    </fieldset>
  );
}
