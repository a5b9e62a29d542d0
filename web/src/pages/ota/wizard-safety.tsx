import { JOB_FAILURE_TYPES } from '../../../../protocol/jobs-status.ts';
import type { Store } from '../../api/types.ts';
import { FAILURE_TYPE_LABELS } from './ota-labels.ts';
import type { RolloutDraft } from './rollout-draft.ts';
import { StoreWindowsList } from './store-windows-list.tsx';

function NumberField({
  label,
  value,
  onChange,
  min,
  max,
  unit,
  testId,
  hint,
}: {
  label: string;
  value: number;
  onChange: (n: number) => void;
  min: number;
  max: number;
  unit?: string;
  testId: string;
  hint?: string;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <span class="input-unit">
        <input
          type="number"
          min={min}
          max={max}
          value={Number.isFinite(value) ? value : ''}
          onInput={(e) => onChange(Number((e.currentTarget as HTMLInputElement).value))}
          data-testid={testId}
        />
        {unit ? <span>{unit}</span> : null}
      </span>
      {hint ? <small class="hint">{hint}</small> : null}
    </label>
  );
}

/** A limit that can be off (`null`): a checkbox and the number. */
function OptionalLimit({
  label,
  value,
  onChange,
  fallback,
  min,
  max,
  unit,
  testId,
}: {
  label: string;
  value: number | null;
  onChange: (n: number | null) => void;
  fallback: number;
  min: number;
  max: number;
  unit: string;
  testId: string;
}) {
  return (
    <div class="field">
      <label class="check">
        <input
          type="checkbox"
          checked={value !== null}
          onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked ? fallback : null)}
          data-testid={`${testId}-on`}
        />
        {label}
      </label>
      {value !== null ? (
        <span class="input-unit">
          <input
            type="number"
            min={min}
            max={max}
            value={Number.isFinite(value) ? value : ''}
            onInput={(e) => onChange(Number((e.currentTarget as HTMLInputElement).value))}
            data-testid={testId}
          />
          <span>{unit}</span>
        </span>
      ) : (
        <small class="hint">no limit</small>
      )}
    </div>
  );
}

/**
 * Step 4: how carefully. The rate and bandwidth (AWS `maximumPerMinute`; a token bucket per store), when to abort
 * (AWS `abortConfig`: failure types, a threshold once enough devices finished — and, unlike AWS, devices in the
 * middle of it roll back too), retries per failure type, the in-progress timeout, the stores' maintenance windows,
 * downgrades, and what the agent's health check gets.
 */
export function WizardSafety({
  draft,
  set,
  windowStores,
  canEditWindows,
  onWindowsChanged,
}: {
  draft: RolloutDraft;
  set: (patch: Partial<RolloutDraft>) => void;
  /** The stores the preview says the rollout reaches. */
  windowStores: Store[];
  canEditWindows: boolean;
  onWindowsChanged: () => void;
}) {
  return (
    <fieldset class="panel wizard-step" data-testid="wizard-safety">
      <header class="panel-header">
        <h2>Safety</h2>
      </header>
      <h3 class="sublegend">Pace</h3>
      <div class="form-grid">
        <OptionalLimit
          label="Limit the rate"
          value={draft.ratePerMinute}
          onChange={(ratePerMinute) => set({ ratePerMinute })}
          fallback={60}
          min={1}
          max={10000}
          unit="devices a minute"
          testId="safety-rate"
        />
        <OptionalLimit
          label="Cap each store’s download bandwidth"
          value={draft.storeBandwidthKbps}
          onChange={(storeBandwidthKbps) => set({ storeBandwidthKbps })}
          fallback={2000}
          min={64}
          max={10_000_000}
          unit="kbit/s"
          testId="safety-bandwidth"
        />
      </div>
      <h3 class="sublegend">Abort automatically</h3>
      <div class="form-grid">
        <div class="field">
          <span>Counting</span>
          <div class="checks">
            {JOB_FAILURE_TYPES.map((f) => (
              <label key={f} class="check">
                <input
                  type="checkbox"
                  checked={draft.abortFailureTypes.includes(f)}
                  onChange={(e) =>
                    set({
                      abortFailureTypes: (e.currentTarget as HTMLInputElement).checked
                        ? [...draft.abortFailureTypes, f]
                        : draft.abortFailureTypes.filter((x) => x !== f),
                    })
                  }
                  data-testid={`safety-abort-${f}`}
                />
                {FAILURE_TYPE_LABELS[f]}
              </label>
            ))}
          </div>
        </div>
        <NumberField
          label="When they pass"
          value={draft.abortThresholdPercent}
          onChange={(abortThresholdPercent) => set({ abortThresholdPercent })}
          min={0}
          max={100}
          unit="% of finished devices"
          testId="safety-abort-threshold"
        />
        <NumberField
          label="Once at least"
          value={draft.abortMinFinished}
          onChange={(abortMinFinished) => set({ abortMinFinished })}
          min={1}
          max={100000}
          unit="devices finished"
          testId="safety-abort-min"
        />
      </div>
      <p class="hint">An abort cancels queued devices and stops those in the middle of the update: they roll back.</p>
      <h3 class="sublegend">Retries and timeouts</h3>
      <div class="form-grid">
        <NumberField
          label="Retry a failed device"
          value={draft.retriesFailed}
          onChange={(retriesFailed) => set({ retriesFailed })}
          min={0}
          max={10}
          unit="times"
          testId="safety-retries-failed"
        />
        <NumberField
          label="Retry a timed-out device"
          value={draft.retriesTimedOut}
          onChange={(retriesTimedOut) => set({ retriesTimedOut })}
          min={0}
          max={10}
          unit="times"
          testId="safety-retries-timed-out"
        />
        <NumberField
          label="Time out a device in progress after"
          value={draft.inProgressTimeoutMinutes}
          onChange={(inProgressTimeoutMinutes) => set({ inProgressTimeoutMinutes })}
          min={1}
          max={10080}
          unit="min"
          testId="safety-timeout"
        />
      </div>
      <h3 class="sublegend">On the device</h3>
      <div class="form-grid">
        <NumberField
          label="Health check must pass within"
          value={draft.healthCheckTimeoutSeconds}
          onChange={(healthCheckTimeoutSeconds) => set({ healthCheckTimeoutSeconds })}
          min={10}
          max={3600}
          unit="s"
          testId="safety-health-timeout"
        />
        <NumberField
          label="Trial boots before rolling back"
          value={draft.maxTrialBoots}
          onChange={(maxTrialBoots) => set({ maxTrialBoots })}
          min={1}
          max={10}
          testId="safety-trial-boots"
        />
        <label class="field">
          <span>Start (empty: when created)</span>
          <input
            type="datetime-local"
            value={draft.startAt}
            onInput={(e) => set({ startAt: (e.currentTarget as HTMLInputElement).value })}
            data-testid="safety-start-at"
          />
        </label>
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.allowDowngrade}
          onChange={(e) => set({ allowDowngrade: (e.currentTarget as HTMLInputElement).checked })}
          data-testid="safety-downgrade"
        />
        Allow a downgrade (devices on a newer version install this older one)
      </label>
      <h3 class="sublegend">Maintenance windows</h3>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.useMaintenanceWindows}
          onChange={(e) => set({ useMaintenanceWindows: (e.currentTarget as HTMLInputElement).checked })}
          data-testid="safety-windows"
        />
        Queue devices only inside their store’s maintenance windows
      </label>
      {draft.useMaintenanceWindows ? (
        <StoreWindowsList stores={windowStores} editable={canEditWindows} onChanged={onWindowsChanged} />
      ) : null}
      <p class="hint">
        Whatever the windows, a cart never installs during a shopper’s session and a speaker never during an
        announcement: the device waits for its gate.
      </p>
    </fieldset>
  );
}
