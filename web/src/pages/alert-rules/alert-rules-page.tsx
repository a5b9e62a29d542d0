import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ALERT_CAUSES } from '../../../../protocol/api/alert-rules.ts';
import { api } from '../../api/api-client.ts';
import type { AlertRule, Me } from '../../api/types.ts';
import { CAUSE_LABELS } from '../../app/alert-actions.ts';
import { can } from '../../app/session.ts';
import { useStores } from '../../app/stores-cache.ts';
import { toast } from '../../app/toasts.ts';
import { useResource } from '../../app/use-resource.ts';
import { Icon } from '../../components/icons.tsx';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/page-state.tsx';
import { useReconnect } from '../../live/live-feed.ts';
import { AlertsViewTabs } from '../alerts-view-tabs.tsx';
import { RuleDialog } from './rule-dialog.tsx';
import {
  compareRules,
  countChanges,
  type DraftRule,
  newDraftKey,
  type Problem,
  problemsFrom,
  sameRule,
  toDraft,
} from './rule-draft.ts';
import { RuleItem } from './rule-item.tsx';
import { CAUSE_HELP, FIELD_LABELS } from './rule-wording.ts';

/**
 * The alert rules: grouped by cause in the order the engine prefers them, edited as a draft and saved as a whole
 * set (the server validates the set; its problems are shown on the rules they are about).
 */
export function AlertRulesPage({ me }: { me: Me }) {
  const stores = useStores();
  const editor = can(me, 'alert-rules:write');
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

  const changes = useMemo(
    () => (draft ? countChanges(draft, baseline) : { added: 0, changed: 0, removed: 0 }),
    [draft, baseline],
  );
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
        ALERT_CAUSES.map((cause) => {
          const group = rules.filter((d) => d.rule.cause === cause).sort((a, b) => compareRules(a.rule, b.rule));
          return (
            <section class="panel panel-flush" key={cause} data-testid="rule-group" data-cause={cause}>
              <header class="panel-header">
                <div>
                  <h2>{CAUSE_LABELS[cause]}</h2>
                  <p class="muted small">{CAUSE_HELP[cause]}</p>
                </div>
                <span class="muted small">
                  {group.length} {group.length === 1 ? 'rule' : 'rules'}
                </span>
              </header>
              {group.length === 0 ? (
                <Empty>No {CAUSE_LABELS[cause].toLowerCase()} rules: these alerts are never raised.</Empty>
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
            if (editing === 'new') update([...rules, { key: newDraftKey(), rule }]);
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
