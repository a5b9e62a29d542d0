import { ruleSpecificity } from '../../../../protocol/api/alert-rules.ts';
import { ApiError, describeError } from '../../api/api-client.ts';
import type { AlertRule } from '../../api/types.ts';

/** A rule being edited. */
export interface DraftRule {
  /** Client-side identity: survives edits of the rule id. */
  key: number;
  rule: AlertRule;
}

/** A problem the server reported, attached to the rule (and field) it is about. */
export interface Problem {
  key: number | null;
  field: string | null;
  message: string;
}

let nextKey = 1;
export const newDraftKey = (): number => nextKey++;
export const toDraft = (rules: AlertRule[]): DraftRule[] => rules.map((rule) => ({ key: newDraftKey(), rule }));

export function sameRule(a: AlertRule, b: AlertRule): boolean {
  return (Object.keys(a) as (keyof AlertRule)[]).every((k) => a[k] === b[k]);
}

/**
 * Within a cause, in the order the engine prefers them (protocol/api/alert-rules.ts): all devices, kind, store,
 * store + kind; then store, kind and severity.
 */
export function compareRules(a: AlertRule, b: AlertRule): number {
  return (
    ruleSpecificity(a) - ruleSpecificity(b) ||
    (a.storeId ?? '').localeCompare(b.storeId ?? '') ||
    (a.deviceKind ?? '').localeCompare(b.deviceKind ?? '') ||
    (a.severity === b.severity ? 0 : a.severity === 'warning' ? -1 : 1) ||
    a.id.localeCompare(b.id)
  );
}

/** How the draft differs from what is saved. */
export function countChanges(
  draft: DraftRule[],
  baseline: Map<number, AlertRule>,
): { added: number; changed: number; removed: number } {
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
}

/** Turns the server's `details` ("3.clearThreshold: message") into problems on the rules sent. */
export function problemsFrom(err: unknown, sent: DraftRule[]): Problem[] {
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
