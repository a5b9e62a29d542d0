import type { Store } from '../../api/types.ts';
import { Badge, SeverityBadge } from '../../components/status.tsx';
import type { DraftRule, Problem } from './rule-draft.ts';
import { FIELD_LABELS, ruleFacts, ruleSentence, scopeLabel } from './rule-wording.ts';

/** One rule in its cause's list: scope, severity, the sentence, its facts and problems; enable, edit, delete. */
export function RuleItem({
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
