import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { DeviceDetail, Shadow } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';

/** The settings an operator may change per kind (protocol/desired-state.ts). */
const SETTINGS = {
  cart: { key: 'brightness', label: 'Screen brightness' },
  speaker: { key: 'volume', label: 'Volume' },
} as const;

/**
 * One slider per setting: shows desired and reported, and writes `desired` for that one key. No `version` is sent:
 * every report of the device bumps the shadow version (a cart reports its zone as it moves), so a version check
 * would refuse most changes with 409 while touching nothing anyone else wrote.
 */
export function DesiredStatePanel({
  device,
  canEdit,
  onShadow,
}: {
  device: DeviceDetail;
  canEdit: boolean;
  onShadow: (shadow: Shadow) => void;
}) {
  const setting = SETTINGS[device.kind];
  const desired = device.shadow?.desired?.[setting.key];
  const reported = device.shadow?.reported?.[setting.key];
  const current = typeof desired === 'number' ? desired : typeof reported === 'number' ? reported : 50;
  const [value, setValue] = useState(current);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    if (!dirty) setValue(current);
  }, [current, dirty]);

  const pending = typeof desired === 'number' && desired !== reported;

  async function save() {
    setBusy(true);
    try {
      const shadow = await api.patch<Shadow>(`/api/devices/${enc(device.thingName)}/shadow`, {
        desired: { [setting.key]: value },
      });
      onShadow(shadow);
      setDirty(false);
      toast('success', `${setting.label} set to ${value}%. The device applies it when it is connected.`);
    } catch (err) {
      toast('error', describeError(err));
      if (err instanceof ApiError && err.code === 'SHADOW_VERSION_CONFLICT') setDirty(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="panel" data-testid="desired-panel">
      <header class="panel-header">
        <h2>Settings</h2>
        {pending ? (
          <span class="badge badge-info" data-testid="desired-pending">
            Waiting for device
          </span>
        ) : null}
      </header>
      <div class="setting">
        <label class="setting-label" for="desired-value">
          {setting.label}
        </label>
        <div class="setting-row">
          <input
            id="desired-value"
            type="range"
            min={0}
            max={100}
            step={1}
            value={value}
            disabled={!canEdit || busy}
            onInput={(e) => {
              setValue(Number(e.currentTarget.value));
              setDirty(true);
            }}
            data-testid={`desired-${setting.key}`}
          />
          <output class="setting-value tabular">{value}%</output>
        </div>
        <p class="muted small">
          Reported by the device: <strong class="tabular">{typeof reported === 'number' ? `${reported}%` : '—'}</strong>
          {typeof desired === 'number' ? (
            <>
              {' '}
              · desired <strong class="tabular">{desired}%</strong>
            </>
          ) : null}
        </p>
        {canEdit ? (
          <div class="row gap">
            <button
              type="button"
              class="btn btn-primary btn-small"
              disabled={!dirty || busy}
              onClick={save}
              data-testid="desired-save"
            >
              {busy ? 'Saving…' : 'Apply'}
            </button>
            {dirty ? (
              <button type="button" class="btn btn-ghost btn-small" onClick={() => setDirty(false)}>
                Cancel
              </button>
            ) : null}
          </div>
        ) : (
          <p class="muted small">Your role can view settings but not change them.</p>
        )}
      </div>
    </section>
  );
}
