import { DEVICE_KINDS, type DeviceKind } from './devices.ts';
import { type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { ID_PATTERN } from './parameters.ts';

/**
 * Alert rules: their shape, the defaults of a fresh fleet, and how a device's rules are chosen. The fleet's engine
 * (fleet/alerts/) and the console's rule editor both use this module, so what the editor shows is what the engine
 * does.
 */

export const ALERT_CAUSES = ['battery-low', 'offline', 'temperature-high', 'fault'] as const;
export type AlertCause = (typeof ALERT_CAUSES)[number];
export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Node's timers hold at most 2^31-1 ms (24.8 days); longer delays would fire at once. */
export const MAX_OFFLINE_SECONDS = 7 * 86_400;
export const MAX_RULE_HOLD_SECONDS = 86_400;
export const MAX_ALERT_RULES = 500;

const ruleProperties = {
  id: { type: 'string', pattern: ID_PATTERN, description: 'lower-case letters, digits and "-"' },
  cause: oneOfValues(ALERT_CAUSES),
  /** `null`: every kind. */
  deviceKind: { ...nullable(oneOfValues(DEVICE_KINDS)), default: null },
  /** `null`: every store. */
  storeId: { type: ['string', 'null'], minLength: 1, maxLength: 64, default: null },
  severity: oneOfValues(ALERT_SEVERITIES, { default: 'warning' }),
  threshold: { type: ['number', 'null'], default: null },
  clearThreshold: { type: ['number', 'null'], default: null },
  forSeconds: integer({ minimum: 0, maximum: MAX_RULE_HOLD_SECONDS, default: 0 }),
  enabled: { type: 'boolean', default: true },
} as const;

/**
 * One alert rule. What `threshold`, `clearThreshold` and `forSeconds` mean depends on the cause:
 *
 * | cause | opens when | clears when |
 * |---|---|---|
 * | `battery-low` | `battery.percent` < threshold, not charging, for `forSeconds` | ≥ clearThreshold, or charging, for `forSeconds` |
 * | `temperature-high` | `temperature.c` > threshold for `forSeconds` | < clearThreshold for `forSeconds` |
 * | `offline` | offline for `threshold` seconds (the period) | online again for `forSeconds` |
 * | `fault` | a `fault` event with a code not cleared for `forSeconds` | `fault.cleared` with that code, held for `forSeconds` |
 *
 * The gap between threshold and clearThreshold is the hysteresis: a value wandering inside it changes nothing.
 */
export const AlertRuleSchema = object(ruleProperties);
export type AlertRule = FromSchema<typeof AlertRuleSchema>;

/** A rule as `PUT /api/alert-rules` takes it: only `id` and `cause` are required, the rest has defaults. */
export const AlertRuleInputSchema = object(ruleProperties, {
  optional: ['deviceKind', 'storeId', 'severity', 'threshold', 'clearThreshold', 'forSeconds', 'enabled'],
});
export type AlertRuleInput = FromSchema<typeof AlertRuleInputSchema>;

/** `PUT /api/alert-rules`: the whole set, validated as a whole. */
export const AlertRulesBody = { type: 'array', maxItems: MAX_ALERT_RULES, items: AlertRuleInputSchema } as const;
export const AlertRulesSchema = { type: 'array', items: AlertRuleSchema } as const;

type Thresholds = Pick<AlertRule, 'threshold' | 'clearThreshold' | 'forSeconds'>;

/** The thresholds a new rule of each cause starts with: those of a fresh fleet's rules. */
export const ALERT_CAUSE_DEFAULTS: Readonly<Record<AlertCause, Thresholds>> = {
  'battery-low': { threshold: 20, clearThreshold: 25, forSeconds: 60 },
  offline: { threshold: 300, clearThreshold: null, forSeconds: 30 },
  'temperature-high': { threshold: 60, clearThreshold: 55, forSeconds: 30 },
  fault: { threshold: null, clearThreshold: null, forSeconds: 0 },
};

const rule = (
  id: string,
  cause: AlertCause,
  scope: Partial<Pick<AlertRule, 'deviceKind' | 'severity'>> & Partial<Thresholds> = {},
): AlertRule => ({
  id,
  cause,
  deviceKind: null,
  storeId: null,
  severity: 'warning',
  ...ALERT_CAUSE_DEFAULTS[cause],
  enabled: true,
  ...scope,
});

/** The rules a fresh fleet starts with (seeded once; after that the stored set is the truth). */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  rule('cart-battery-low', 'battery-low', { deviceKind: 'cart' }),
  rule('cart-battery-critical', 'battery-low', {
    deviceKind: 'cart',
    severity: 'critical',
    threshold: 10,
    clearThreshold: 15,
  }),
  rule('speaker-battery-low', 'battery-low', { deviceKind: 'speaker' }),
  rule('offline', 'offline'),
  rule('temperature-high', 'temperature-high'),
  rule('fault', 'fault'),
];

/** Where a problem is: `3.clearThreshold` (rule 3's field), `3` (the rule), or `(root)`. */
export interface RuleProblem {
  path: string;
  message: string;
}

/**
 * What is wrong with a rule set that already matches {@link AlertRuleSchema}: thresholds that make no sense for the
 * cause, duplicate ids, and two enabled rules of one scope and severity (the alert's severity would be ambiguous).
 * Empty when the set is acceptable.
 */
export function alertRuleProblems(rules: readonly AlertRule[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const ids = new Set<string>();
  const tiers = new Set<string>();
  rules.forEach((r, index) => {
    const problem = (field: string | null, message: string) =>
      problems.push({ path: field ? `${index}.${field}` : String(index), message });
    const { threshold: open, clearThreshold: clear } = r;
    switch (r.cause) {
      case 'battery-low':
        if (open === null || open < 0 || open > 100) problem('threshold', 'a battery percentage (0-100) is required');
        else if (clear === null || clear < open || clear > 100)
          problem('clearThreshold', 'a battery percentage at or above threshold (and at most 100) is required');
        break;
      case 'temperature-high':
        if (open === null) problem('threshold', 'a temperature in °C is required');
        else if (clear === null || clear > open)
          problem('clearThreshold', 'a temperature at or below threshold is required');
        break;
      case 'offline':
        if (open === null || open <= 0 || open > MAX_OFFLINE_SECONDS)
          problem('threshold', `the offline period in seconds (1-${MAX_OFFLINE_SECONDS}) is required`);
        if (clear !== null) problem('clearThreshold', 'offline rules have no clearThreshold (use null)');
        break;
      case 'fault':
        if (open !== null) problem('threshold', 'fault rules have no threshold (use null)');
        if (clear !== null) problem('clearThreshold', 'fault rules have no clearThreshold (use null)');
        break;
    }
    if (ids.has(r.id)) problem('id', `duplicate id '${r.id}'`);
    ids.add(r.id);
    if (!r.enabled) return;
    const tier = `${r.cause}|${r.deviceKind}|${r.storeId}|${r.severity}`;
    if (tiers.has(tier))
      problem(null, `another enabled ${r.severity} '${r.cause}' rule has the same deviceKind and storeId`);
    tiers.add(tier);
  });
  return problems;
}

export function severityRank(severity: AlertSeverity): number {
  return severity === 'critical' ? 2 : 1;
}

/** How specific a rule's scope is: store + kind (3), store (2), kind (1), every device (0). */
export function ruleSpecificity(rule: Pick<AlertRule, 'deviceKind' | 'storeId'>): number {
  return (rule.storeId !== null ? 2 : 0) + (rule.deviceKind !== null ? 1 : 0);
}

/**
 * The enabled rules that apply to a device for one cause: those of the most specific scope that has any
 * (store + kind, then store, then kind, then the default). Several rules of that scope are severity tiers of the
 * same alert (escalation); rules of less specific scopes are ignored.
 */
export function selectRules(
  rules: readonly AlertRule[],
  cause: AlertCause,
  deviceKind: DeviceKind,
  storeId: string | null,
): AlertRule[] {
  let best = -1;
  let chosen: AlertRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled || rule.cause !== cause) continue;
    if (rule.deviceKind !== null && rule.deviceKind !== deviceKind) continue;
    if (rule.storeId !== null && rule.storeId !== storeId) continue;
    const specificity = ruleSpecificity(rule);
    if (specificity > best) {
      best = specificity;
      chosen = [rule];
    } else if (specificity === best) chosen.push(rule);
  }
  return chosen;
}
