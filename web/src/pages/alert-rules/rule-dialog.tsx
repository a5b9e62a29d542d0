import { useState } from 'preact/hooks';
import {
  ALERT_CAUSE_DEFAULTS,
  ALERT_CAUSES,
  MAX_OFFLINE_SECONDS,
  MAX_RULE_HOLD_SECONDS,
} from '../../../../protocol/api/alert-rules.ts';
import type { AlertCause, AlertRule, AlertSeverity, DeviceKind, Store } from '../../api/types.ts';
import { CAUSE_LABELS } from '../../app/alert-actions.ts';
import { Modal } from '../../components/modal.tsx';
import type { Problem } from './rule-draft.ts';
import { ruleSentence, scopeLabel } from './rule-wording.ts';

function suggestId(rule: AlertRule, taken: string[]): string {
  const base = [rule.cause, rule.deviceKind, rule.storeId, rule.severity === 'critical' ? 'critical' : null]
    .filter(Boolean)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 58)
    .replace(/-$/, '');
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Reads a number input: empty is null (the server then says what is missing). */
const readNumber = (value: string): number | null => (value.trim() === '' ? null : Number(value));

/** Adds a rule or edits one; the set is validated by the server when it is saved. */
export function RuleDialog({
  initial,
  problems,
  stores,
  takenIds,
  onClose,
  onApply,
}: {
  initial: AlertRule | null;
  problems: Problem[];
  stores: Store[];
  takenIds: string[];
  onClose: () => void;
  onApply: (rule: AlertRule) => void;
}) {
  const [rule, setRule] = useState<AlertRule>(
    initial ?? {
      id: '',
      cause: 'battery-low',
      deviceKind: 'cart',
      storeId: null,
      severity: 'warning',
      ...ALERT_CAUSE_DEFAULTS['battery-low'],
      enabled: true,
    },
  );
  const [idTouched, setIdTouched] = useState(initial !== null);
  const id = idTouched ? rule.id : suggestId(rule, takenIds);
  const set = (patch: Partial<AlertRule>) => setRule((r) => ({ ...r, ...patch }));
  const fieldProblem = (field: string) => {
    const list = problems.filter((p) => p.field === field);
    return list.length ? (
      <span class="hint hint-bad" data-testid={`rule-field-problem-${field}`}>
        {list.map((p) => p.message).join('; ')}
      </span>
    ) : null;
  };
  const other = problems.filter(
    (p) => !p.field || !['id', 'threshold', 'clearThreshold', 'forSeconds'].includes(p.field),
  );
  const duplicate = takenIds.includes(id);
  const storeKnown = rule.storeId === null || stores.some((s) => s.id === rule.storeId);
  const { cause } = rule;
  const unit = cause === 'battery-low' ? '%' : cause === 'temperature-high' ? '°C' : 's';
  const preview: AlertRule = { ...rule, id };

  return (
    <Modal title={initial ? `Edit rule ${initial.id}` : 'New alert rule'} onClose={onClose} testId="rule-dialog">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          onApply(preview);
        }}
      >
        {other.length ? (
          <div class="form-error" data-testid="rule-dialog-problems">
            {other.map((p) => p.message).join('; ')}
          </div>
        ) : null}
        <div class="form-grid">
          <label class="field">
            <span>Cause</span>
            <select
              value={cause}
              onChange={(e) => {
                const next = e.currentTarget.value as AlertCause;
                set({ cause: next, ...ALERT_CAUSE_DEFAULTS[next] });
              }}
              data-testid="rule-cause"
            >
              {ALERT_CAUSES.map((c) => (
                <option key={c} value={c}>
                  {CAUSE_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Severity</span>
            <select
              value={rule.severity}
              onChange={(e) => set({ severity: e.currentTarget.value as AlertSeverity })}
              data-testid="rule-severity"
            >
              <option value="warning">Warning</option>
              <option value="critical">Critical</option>
            </select>
          </label>
          <label class="field">
            <span>Device kind</span>
            <select
              value={rule.deviceKind ?? ''}
              onChange={(e) => set({ deviceKind: (e.currentTarget.value || null) as DeviceKind | null })}
              data-testid="rule-kind"
            >
              <option value="">All kinds</option>
              <option value="cart">Carts</option>
              <option value="speaker">Speakers</option>
            </select>
          </label>
          <label class="field">
            <span>Store</span>
            <select
              value={rule.storeId ?? ''}
              onChange={(e) => set({ storeId: e.currentTarget.value || null })}
              data-testid="rule-store"
            >
              <option value="">All stores</option>
              {stores.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
              {storeKnown ? null : <option value={rule.storeId!}>{rule.storeId}</option>}
            </select>
          </label>
          {cause === 'fault' ? null : (
            <label class="field">
              <span>
                {cause === 'battery-low' ? 'Opens below' : cause === 'temperature-high' ? 'Opens above' : 'Offline for'}
              </span>
              <span class="input-unit">
                <input
                  type="number"
                  step="any"
                  value={rule.threshold ?? ''}
                  onInput={(e) => set({ threshold: readNumber(e.currentTarget.value) })}
                  data-testid="rule-threshold"
                />
                <span>{unit}</span>
              </span>
              {fieldProblem('threshold')}
            </label>
          )}
          {cause === 'battery-low' || cause === 'temperature-high' ? (
            <label class="field">
              <span>{cause === 'battery-low' ? 'Clears at or above' : 'Clears below'}</span>
              <span class="input-unit">
                <input
                  type="number"
                  step="any"
                  value={rule.clearThreshold ?? ''}
                  onInput={(e) => set({ clearThreshold: readNumber(e.currentTarget.value) })}
                  data-testid="rule-clear-threshold"
                />
                <span>{unit}</span>
              </span>
              {fieldProblem('clearThreshold')}
            </label>
          ) : null}
          <label class="field">
            <span>{cause === 'offline' ? 'Back online for (before it clears)' : 'Minimum duration'}</span>
            <span class="input-unit">
              <input
                type="number"
                min={0}
                max={MAX_RULE_HOLD_SECONDS}
                step={1}
                required
                value={rule.forSeconds}
                onInput={(e) => set({ forSeconds: readNumber(e.currentTarget.value) ?? 0 })}
                data-testid="rule-for-seconds"
              />
              <span>s</span>
            </span>
            {fieldProblem('forSeconds')}
          </label>
          <label class="field">
            <span>Rule id</span>
            <input
              required
              pattern="[a-z0-9][a-z0-9\-]{0,63}"
              title='Lower-case letters, digits and "-"'
              value={id}
              onInput={(e) => {
                setIdTouched(true);
                set({ id: e.currentTarget.value });
              }}
              class="mono"
              data-testid="rule-id"
            />
            {duplicate ? <span class="hint hint-bad">Another rule has this id.</span> : fieldProblem('id')}
          </label>
        </div>
        {cause === 'offline' ? (
          <p class="hint">
            The offline period is in seconds (at most {MAX_OFFLINE_SECONDS / 86_400} days); a device that comes back
            earlier raises nothing.
          </p>
        ) : null}
        <label class="check">
          <input
            type="checkbox"
            checked={rule.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
            data-testid="rule-enabled-input"
          />
          Enabled
        </label>
        <div class="rule-preview" data-testid="rule-preview">
          <span class="muted small">{scopeLabel(preview, stores)}</span>
          <span>{ruleSentence(preview)}</span>
        </div>
        <p class="hint">The rule takes effect when you save the rule set.</p>
        <div class="modal-actions">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={duplicate} data-testid="rule-apply">
            {initial ? 'Update rule' : 'Add rule'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
