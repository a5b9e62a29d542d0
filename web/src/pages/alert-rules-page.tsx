import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api, describeError } from '../api/api-client.ts';
import type { AlertCause, AlertRule, AlertSeverity, DeviceKind, Me, Store } from '../api/types.ts';
import { CAUSE_LABELS } from '../app/alert-actions.ts';
import { can } from '../app/session.ts';
import { storeName, useStores } from '../app/stores-cache.ts';
import { toast } from '../app/toasts.ts';
import { useResource } from '../app/use-resource.ts';
import { Icon } from '../components/icons.tsx';
import { Modal } from '../components/modal.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../components/page-state.tsx';
import { Badge, SeverityBadge } from '../components/status.tsx';
import { useReconnect } from '../live/live-feed.ts';

/** The two views of the alerts area: the alerts themselves and the rules that raise them. */
export function AlertsViewTabs({ current }: { current: 'alerts' | 'rules' }) {
  return (
    <nav class="segmented" aria-label="Alerts view">
      <a href="/alerts" class={current === 'alerts' ? 'active' : ''} data-testid="alerts-view-alerts">
        Alerts
      </a>
      <a href="/alerts/rules" class={current === 'rules' ? 'active' : ''} data-testid="alerts-view-rules">
        Rules
      </a>
    </nav>
  );
}

const CAUSES: AlertCause[] = ['battery-low', 'offline', 'temperature-high', 'fault'];

/** What each cause means, in the words of docs/operations.md (the engine is fleet/alerts/). */
const CAUSE_HELP: Record<AlertCause, string> = {
  'battery-low': 'Opens when the battery is below the threshold and the device is not charging.',
  offline: 'Opens when a device has been offline for the whole period.',
  'temperature-high': 'Opens when the device temperature is above the threshold.',
  fault: 'Opens when a device reports a fault code.',
};

/** Defaults for a new rule of a cause (those of a fresh fleet). */
const CAUSE_DEFAULTS: Record<AlertCause, Pick<AlertRule, 'threshold' | 'clearThreshold' | 'forSeconds'>> = {
  'battery-low': { threshold: 20, clearThreshold: 25, forSeconds: 60 },
  offline: { threshold: 300, clearThreshold: null, forSeconds: 30 },
  'temperature-high': { threshold: 60, clearThreshold: 55, forSeconds: 30 },
  fault: { threshold: null, clearThreshold: null, forSeconds: 0 },
};

const FIELD_LABELS: Record<string, string> = {
  id: 'Rule id',
  threshold: 'Opens at',
  clearThreshold: 'Clears at',
  forSeconds: 'Minimum duration',
  deviceKind: 'Device kind',
  storeId: 'Store',
  severity: 'Severity',
};

interface DraftRule {
  /** Client-side identity: survives edits of the rule id. */
  key: number;
  rule: AlertRule;
}

/** A problem the server reported, attached to the rule (and field) it is about. */
interface Problem {
  key: number | null;
  field: string | null;
  message: string;
}

let nextKey = 1;
const toDraft = (rules: AlertRule[]): DraftRule[] => rules.map((rule) => ({ key: nextKey++, rule }));

function num(n: number | null): string {
  return n === null ? '–' : String(n);
}

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = seconds / 60;
  if (seconds < 7200 && Number.isInteger(minutes)) return `${minutes} min`;
  const hours = seconds / 3600;
  if (Number.isInteger(hours)) return `${hours} h`;
  return `${seconds} s`;
}

function subject(kind: DeviceKind | null): string {
  return kind === 'cart' ? 'Cart' : kind === 'speaker' ? 'Speaker' : 'Device';
}

export function scopeLabel(rule: Pick<AlertRule, 'deviceKind' | 'storeId'>, stores: Store[]): string {
  const kinds = rule.deviceKind === 'cart' ? 'Carts' : rule.deviceKind === 'speaker' ? 'Speakers' : null;
  if (rule.storeId === null) return kinds ? `All ${kinds.toLowerCase()}` : 'All devices';
  const store = storeName(stores, rule.storeId);
  return kinds ? `${kinds} in ${store}` : `All devices in ${store}`;
}

const severityWord = (s: AlertSeverity) => (s === 'critical' ? 'critical' : 'warning');

/** The rule as one sentence a store manager reads: "Cart battery below 20 % for 60 s → warning; clears at 25 %". */
export function ruleSentence(rule: AlertRule): string {
  const who = subject(rule.deviceKind);
  const hold = rule.forSeconds > 0 ? ` for ${duration(rule.forSeconds)}` : '';
  const sev = severityWord(rule.severity);
  switch (rule.cause) {
    case 'battery-low':
      return `${who} battery below ${num(rule.threshold)} %${hold} → ${sev}; clears at ${num(rule.clearThreshold)} % or when charging`;
    case 'temperature-high':
      return `${who} temperature above ${num(rule.threshold)} °C${hold} → ${sev}; clears below ${num(rule.clearThreshold)} °C`;
    case 'offline':
      return `${who} offline for ${rule.threshold === null ? '–' : duration(rule.threshold)} → ${sev}; clears when back online${hold}`;
    case 'fault':
      return `${who} reports a fault${rule.forSeconds > 0 ? ` not cleared within ${duration(rule.forSeconds)}` : ''} → ${sev}; clears when the device clears it`;
  }
}

/** The open and clear conditions with their units, as short facts. */
function ruleFacts(rule: AlertRule): { label: string; value: string }[] {
  const hold = rule.forSeconds > 0 ? duration(rule.forSeconds) : 'at once';
  switch (rule.cause) {
    case 'battery-low':
      return [
        { label: 'Opens below', value: `${num(rule.threshold)} %` },
        { label: 'Clears at', value: `${num(rule.clearThreshold)} %` },
        { label: 'Minimum duration', value: hold },
      ];
    case 'temperature-high':
      return [
        { label: 'Opens above', value: `${num(rule.threshold)} °C` },
        { label: 'Clears below', value: `${num(rule.clearThreshold)} °C` },
        { label: 'Minimum duration', value: hold },
      ];
    case 'offline':
      return [
        { label: 'Offline for', value: rule.threshold === null ? '–' : `${rule.threshold} s` },
        { label: 'Clears', value: 'back online' },
        { label: 'Online for', value: hold },
      ];
    case 'fault':
      return [
        { label: 'Opens on', value: 'a fault code' },
        { label: 'Clears', value: 'fault cleared' },
        { label: 'Minimum duration', value: hold },
      ];
  }
}

const specificity = (r: AlertRule) => (r.storeId !== null ? 2 : 0) + (r.deviceKind !== null ? 1 : 0);

/** Within a cause: all devices, kind, store, store + kind; then store, kind and severity. */
function compareRules(a: AlertRule, b: AlertRule): number {
  return (
    specificity(a) - specificity(b) ||
    (a.storeId ?? '').localeCompare(b.storeId ?? '') ||
    (a.deviceKind ?? '').localeCompare(b.deviceKind ?? '') ||
    (a.severity === b.severity ? 0 : a.severity === 'warning' ? -1 : 1) ||
    a.id.localeCompare(b.id)
  );
}

function sameRule(a: AlertRule, b: AlertRule): boolean {
  return (Object.keys(a) as (keyof AlertRule)[]).every((k) => a[k] === b[k]);
}

/** Turns the server's `details` ("3.clearThreshold: message") into problems on the rules sent. */
function problemsFrom(err: unknown, sent: DraftRule[]): Problem[] {
  if (!(err instanceof ApiError)) return [{ key: null, field: null, message: describeError(err) }];
  const details = Array.isArray(err.details) ? err.details : [];
  if (err.code !== 'ALERT_RULES_INVALID' || details.length === 0)
    return [{ key: null, field: null, message: describeError(err) }];
  return details.map((d) => {
    const text = typeof d === 'string' ? d : JSON.stringify(d);
    const m = /^(\d+)(?:\.([A-Za-z]+))?: (.*)$/s.exec(text);
    if (!m) return { key: null, field: null, message: text };
    const draft = sent[Number(m[1])];
    return { key: draft?.key ?? null, field: m[2] ?? null, message: m[3]! };
  });
}

export function AlertRulesPage({ me }: { me: Me }) {
  const stores = useStores();
  const editor = can(me, 'alert-rules.write');
  const saved = useResource(() => api.get<AlertRule[]>('/api/alert-rules'), []);
  const [draft, setDraft] = useState<DraftRule[] | null>(null);
  const [baseline, setBaseline] = useState<Map<number, AlertRule>>(new Map());
  const [problems, setProblems] = useState<Problem[]>([]);
  const [editing, setEditing] = useState<DraftRule | 'new' | null>(null);
  const [saving, setSaving] = useState(false);

  // A fresh copy of the stored set whenever it loads (and nothing is being edited).
  const dirtyRef = useRef(false);
  useEffect(() => {
    if (!saved.data || dirtyRef.current) return;
    const d = toDraft(saved.data);
    setDraft(d);
    setBaseline(new Map(d.map((x) => [x.key, x.rule])));
  }, [saved.data]);
  useReconnect(() => {
    if (!dirtyRef.current) saved.reload();
  });

  const changes = useMemo(() => {
    if (!draft) return { added: 0, changed: 0, removed: 0 };
    let added = 0;
    let changed = 0;
    for (const d of draft) {
      const before = baseline.get(d.key);
      if (!before) added++;
      else if (!sameRule(before, d.rule)) changed++;
    }
    const kept = new Set(draft.map((d) => d.key));
    const removed = [...baseline.keys()].filter((k) => !kept.has(k)).length;
    return { added, changed, removed };
  }, [draft, baseline]);
  const dirty = changes.added + changes.changed + changes.removed > 0;
  dirtyRef.current = dirty;

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  if (saved.error && !saved.data) return <ErrorState error={saved.error} onRetry={saved.reload} />;

  function update(next: DraftRule[], touched?: number) {
    setDraft(next);
    if (touched !== undefined) setProblems((p) => p.filter((x) => x.key !== touched));
  }

  function discard() {
    if (!saved.data) return;
    const d = toDraft(saved.data);
    setDraft(d);
    setBaseline(new Map(d.map((x) => [x.key, x.rule])));
    setProblems([]);
  }

  async function save() {
    if (!draft) return;
    setSaving(true);
    const sent = draft;
    try {
      const rules = await api.put<AlertRule[]>(
        '/api/alert-rules',
        sent.map((d) => d.rule),
      );
      const d = toDraft(rules);
      dirtyRef.current = false;
      setDraft(d);
      setBaseline(new Map(d.map((x) => [x.key, x.rule])));
      setProblems([]);
      saved.mutate(() => rules);
      toast('success', 'Alert rules saved. They apply at once.');
    } catch (err) {
      setProblems(problemsFrom(err, sent));
    } finally {
      setSaving(false);
    }
  }

  const rules = draft ?? [];
  const byKey = new Map(rules.map((d) => [d.key, d]));
  const general = problems.filter((p) => p.key === null || !byKey.has(p.key));

  return (
    <div class="page" data-testid="alert-rules-page">
      <PageHeader
        title="Alert rules"
        subtitle="When the fleet raises an alert, how severe it is, and when it clears"
        actions={<AlertsViewTabs current="rules" />}
      />
      {editor ? (
        <section class={`rules-bar${dirty ? ' rules-bar-dirty' : ''}`} data-testid="rules-bar">
          <div class="rules-bar-status" data-testid="rules-status" data-dirty={dirty ? 'true' : 'false'}>
            {dirty ? (
              <>
                <span class="dot dot-warn" />
                <strong>Unsaved changes</strong>
                <span class="muted small">
                  {[
                    changes.added ? `${changes.added} added` : '',
                    changes.changed ? `${changes.changed} changed` : '',
                    changes.removed ? `${changes.removed} removed` : '',
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </>
            ) : (
              <span class="muted small">
                {rules.length} {rules.length === 1 ? 'rule' : 'rules'} · saved. Changes apply when you save the whole
                set.
              </span>
            )}
          </div>
          <div class="row gap wrap">
            <button
              type="button"
              class="btn"
              onClick={() => setEditing('new')}
              disabled={!draft}
              data-testid="rules-add"
            >
              <Icon name="plus" size={16} /> Add rule
            </button>
            <button
              type="button"
              class="btn btn-ghost"
              onClick={discard}
              disabled={!dirty || saving}
              data-testid="rules-discard"
            >
              Discard
            </button>
            <button
              type="button"
              class="btn btn-primary"
              onClick={save}
              disabled={!dirty || saving}
              data-testid="rules-save"
            >
              {saving ? 'Saving…' : 'Save rules'}
            </button>
          </div>
        </section>
      ) : null}
      {problems.length > 0 ? (
        <div class="form-error rules-problems" role="alert" data-testid="rules-error">
          <strong>The server refused these rules; nothing was changed.</strong>
          <ul>
            {problems.map((p, i) => {
              const d = p.key === null ? undefined : byKey.get(p.key);
              return (
                <li key={i}>
                  {d ? (
                    <>
                      Rule <span class="mono">{d.rule.id}</span>
                      {p.field ? ` — ${FIELD_LABELS[p.field] ?? p.field}` : ''}:{' '}
                    </>
                  ) : null}
                  {p.message}
                </li>
              );
            })}
          </ul>
          {general.length === 0 ? <span class="small">The rules concerned are marked below.</span> : null}
        </div>
      ) : null}
      <p class="muted small rules-help">
        For each device and cause the most specific enabled rules apply: store + kind, then store, then kind, then all
        devices. Several rules of one scope are severity tiers of the same alert.
      </p>
      {!draft ? (
        <section class="panel">
          <Loading />
        </section>
      ) : (
        CAUSES.map((cause) => {
          const group = rules.filter((d) => d.rule.cause === cause).sort((a, b) => compareRules(a.rule, b.rule));
          return (
            <section class="panel panel-flush" key={cause} data-testid="rule-group" data-cause={cause}>
              <header class="panel-header">
                <div>
                  <h2>{CAUSE_LABELS[cause] ?? cause}</h2>
                  <p class="muted small">{CAUSE_HELP[cause]}</p>
                </div>
                <span class="muted small">
                  {group.length} {group.length === 1 ? 'rule' : 'rules'}
                </span>
              </header>
              {group.length === 0 ? (
                <Empty>No {CAUSE_LABELS[cause]?.toLowerCase() ?? cause} rules: these alerts are never raised.</Empty>
              ) : (
                <ul class="rule-list">
                  {group.map((d) => (
                    <RuleItem
                      key={d.key}
                      draft={d}
                      stores={stores}
                      status={!baseline.has(d.key) ? 'new' : sameRule(baseline.get(d.key)!, d.rule) ? null : 'changed'}
                      problems={problems.filter((p) => p.key === d.key)}
                      editor={editor}
                      onEdit={() => setEditing(d)}
                      onToggle={(enabled) =>
                        update(
                          rules.map((x) => (x.key === d.key ? { ...x, rule: { ...x.rule, enabled } } : x)),
                          d.key,
                        )
                      }
                      onDelete={() => {
                        update(
                          rules.filter((x) => x.key !== d.key),
                          d.key,
                        );
                      }}
                    />
                  ))}
                </ul>
              )}
            </section>
          );
        })
      )}
      {editing && draft ? (
        <RuleDialog
          initial={editing === 'new' ? null : editing.rule}
          problems={editing === 'new' ? [] : problems.filter((p) => p.key === editing.key)}
          stores={stores}
          takenIds={rules.filter((d) => editing === 'new' || d.key !== editing.key).map((d) => d.rule.id)}
          onClose={() => setEditing(null)}
          onApply={(rule) => {
            if (editing === 'new') update([...rules, { key: nextKey++, rule }]);
            else
              update(
                rules.map((x) => (x.key === editing.key ? { ...x, rule } : x)),
                editing.key,
              );
            setEditing(null);
          }}
        />
      ) : null}
    </div>
  );
}

function RuleItem({
  draft,
  stores,
  status,
  problems,
  editor,
  onEdit,
  onToggle,
  onDelete,
}: {
  draft: DraftRule;
  stores: Store[];
  status: 'new' | 'changed' | null;
  problems: Problem[];
  editor: boolean;
  onEdit: () => void;
  onToggle: (enabled: boolean) => void;
  onDelete: () => void;
}) {
  const { rule } = draft;
  return (
    <li
      class={`rule-item rule-${rule.severity}${rule.enabled ? '' : ' rule-disabled'}${problems.length ? ' rule-invalid' : ''}`}
      data-testid="rule-row"
      data-rule={rule.id}
      data-enabled={rule.enabled ? 'true' : 'false'}
    >
      <div class="rule-main">
        <div class="row gap wrap">
          <strong data-testid="rule-scope">{scopeLabel(rule, stores)}</strong>
          <SeverityBadge severity={rule.severity} />
          {rule.enabled || !editor ? null : <Badge tone="idle">Disabled</Badge>}
          {status === 'new' ? (
            <Badge tone="info">New</Badge>
          ) : status === 'changed' ? (
            <Badge tone="info">Edited</Badge>
          ) : null}
          <span class="mono muted small">{rule.id}</span>
        </div>
        <p class="rule-sentence" data-testid="rule-sentence">
          {ruleSentence(rule)}
        </p>
        <dl class="rule-facts small">
          {ruleFacts(rule).map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd class="tabular">{f.value}</dd>
            </div>
          ))}
        </dl>
        {problems.length ? (
          <ul class="rule-problems small" data-testid="rule-problems">
            {problems.map((p, i) => (
              <li key={i}>
                {p.field ? <strong>{FIELD_LABELS[p.field] ?? p.field}: </strong> : null}
                {p.message}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <div class="rule-side">
        {editor ? (
          <>
            <label class="check" title="Disabled rules are kept but ignored">
              <input
                type="checkbox"
                checked={rule.enabled}
                onChange={(e) => onToggle(e.currentTarget.checked)}
                data-testid="rule-enabled"
              />
              Enabled
            </label>
            <div class="row gap">
              <button type="button" class="btn btn-small" onClick={onEdit} data-testid="rule-edit">
                Edit
              </button>
              <button
                type="button"
                class="btn btn-small btn-ghost btn-danger-ghost"
                onClick={onDelete}
                aria-label={`Delete rule ${rule.id}`}
                data-testid="rule-delete"
              >
                Delete
              </button>
            </div>
          </>
        ) : (
          <Badge tone={rule.enabled ? 'ok' : 'idle'} testId="rule-enabled-state">
            {rule.enabled ? 'Enabled' : 'Disabled'}
          </Badge>
        )}
      </div>
    </li>
  );
}

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

function RuleDialog({
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
      ...CAUSE_DEFAULTS['battery-low'],
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
                set({ cause: next, ...CAUSE_DEFAULTS[next] });
              }}
              data-testid="rule-cause"
            >
              {CAUSES.map((c) => (
                <option key={c} value={c}>
                  {CAUSE_LABELS[c] ?? c}
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
                max={86400}
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
            The offline period is in seconds (at most 7 days); a device that comes back earlier raises nothing.
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
