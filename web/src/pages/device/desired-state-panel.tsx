import { useEffect, useState } from 'preact/hooks';
import { DESIRED_KEYS, type DesiredKey } from '../../../../protocol/desired-state.ts';
import { ApiError, api, describeError, enc } from '../../api/api-client.ts';
import type { DeviceDetail, Shadow } from '../../api/types.ts';
import { toast } from '../../app/toasts.ts';

/**
 * The settings an operator may change on this kind of device, from the table the fleet checks them against
 * (protocol/desired-state.ts): its keys, labels and ranges.
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
  const desired = device.shadow?.desired ?? null;
  const reported = device.shadow?.reported ?? null;
  const settings = Object.entries(DESIRED_KEYS[device.kind]);
  const pending = settings.some(([key]) => typeof desired?.[key] === 'number' && desired[key] !== reported?.[key]);
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
      {settings.map(([key, spec]) => (
        <Setting
          key={key}
          thingName={device.thingName}
          name={key}
          spec={spec}
          desired={desired?.[key]}
          reported={reported?.[key]}
          canEdit={canEdit}
          onShadow={onShadow}
        />
      ))}
      {canEdit ? null : <p class="muted small">Your role can view settings but not change them.</p>}
    </section>
  );
}

/**
 * One slider: shows desired and reported, and writes `desired` for that one key. No `version` is sent: every report
 * of the device bumps the shadow version (a cart reports its zone as it moves), so a version check would refuse most
 * changes with 409 while touching nothing anyone else wrote.
 */
function Setting({
  thingName,
  name,
  spec,
  desired,
  reported,
  canEdit,
  onShadow,
}: {
  thingName: string;
  name: string;
  spec: DesiredKey;
  desired: unknown;
  reported: unknown;
  canEdit: boolean;
  onShadow: (shadow: Shadow) => void;
}) {
  const middle = Math.round((spec.minimum + spec.maximum) / 2);
  const current = typeof desired === 'number' ? desired : typeof reported === 'number' ? reported : middle;
  const [value, setValue] = useState(current);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const unit = spec.unit;

  useEffect(() => {
    if (!dirty) setValue(current);
  }, [current, dirty]);

  async function save() {
    setBusy(true);
    try {
      const shadow = await api.patch<Shadow>(`/api/devices/${enc(thingName)}/shadow`, { desired: { [name]: value } });
      onShadow(shadow);
      setDirty(false);
      toast('success', `${spec.label} set to ${value}${unit}. The device applies it when it is connected.`);
    } catch (err) {
      toast('error', describeError(err));
      if (err instanceof ApiError && err.code === 'SHADOW_VERSION_CONFLICT') setDirty(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="setting">
      <label class="setting-label" for={`desired-${name}-value`}>
        {spec.label}
      </label>
      <div class="setting-row">
        <input
          id={`desired-${name}-value`}
          type="range"
          min={spec.minimum}
          max={spec.maximum}
          step={1}
          value={value}
          disabled={!canEdit || busy}
          onInput={(e) => {
            setValue(Number(e.currentTarget.value));
            setDirty(true);
          }}
          data-testid={`desired-${name}`}
        />
        <output class="setting-value tabular">
          {value}
          {unit}
        </output>
      </div>
      <p class="muted small">
        Reported by the device:{' '}
        <strong class="tabular">{typeof reported === 'number' ? `${reported}${unit}` : '—'}</strong>
        {typeof desired === 'number' ? (
          <>
            {' '}
            · desired{' '}
            <strong class="tabular">
              {desired}
              {unit}
            </strong>
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
      ) : null}
    </div>
  );
}
