import { z } from 'zod';
import { FleetError } from '../../protocol/errors.ts';
import { DEVICE_KINDS, type DeviceKind } from '../registry/registry-types.ts';

export const ALERT_CAUSES = ['battery-low', 'offline', 'temperature-high', 'fault'] as const;
export type AlertCause = (typeof ALERT_CAUSES)[number];
export const ALERT_SEVERITIES = ['warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Node's timers hold at most 2^31-1 ms (24.8 days); longer delays fire at once. */
const MAX_OFFLINE_SECONDS = 7 * 86_400;

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
export const AlertRuleSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'rule ids are lower-case letters, digits and "-"'),
    cause: z.enum(ALERT_CAUSES),
    deviceKind: z.enum(DEVICE_KINDS).nullable().default(null),
    storeId: z.string().min(1).max(64).nullable().default(null),
    severity: z.enum(ALERT_SEVERITIES).default('warning'),
    threshold: z.number().finite().nullable().default(null),
    clearThreshold: z.number().finite().nullable().default(null),
    forSeconds: z.number().int().min(0).max(86_400).default(0),
    enabled: z.boolean().default(true),
  })
  .superRefine((rule, ctx) => {
    const problem = (path: 'threshold' | 'clearThreshold', message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    const { threshold: open, clearThreshold: clear } = rule;
    switch (rule.cause) {
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
  });

export const AlertRulesSchema = z
  .array(AlertRuleSchema)
  .max(500)
  .superRefine((rules, ctx) => {
    const ids = new Set<string>();
    const tiers = new Set<string>();
    rules.forEach((rule, index) => {
      if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id '${rule.id}'` });
      ids.add(rule.id);
      if (!rule.enabled) return;
      // Two enabled rules for the same scope and severity would make the alert's severity ambiguous.
      const tier = `${rule.cause}|${rule.deviceKind}|${rule.storeId}|${rule.severity}`;
      if (tiers.has(tier))
        ctx.addIssue({
          code: 'custom',
          path: [index],
          message: `another enabled ${rule.severity} '${rule.cause}' rule has the same deviceKind and storeId`,
        });
      tiers.add(tier);
    });
  });

export type AlertRule = z.infer<typeof AlertRuleSchema>;
export type AlertRuleInput = z.input<typeof AlertRuleSchema>;

/** Validates a complete rule set; bad input is refused as a whole with one line per problem. */
export function parseAlertRules(value: unknown): AlertRule[] {
  const result = AlertRulesSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new FleetError('ALERT_RULES_INVALID', `invalid alert rules: ${problems.join('; ')}`, problems);
  }
  return result.data;
}

/** The rules a fresh fleet starts with (seeded once; after that the stored set is the truth). */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = parseAlertRules([
  {
    id: 'cart-battery-low',
    cause: 'battery-low',
    deviceKind: 'cart',
    severity: 'warning',
    threshold: 20,
    clearThreshold: 25,
    forSeconds: 60,
  },
  {
    id: 'cart-battery-critical',
    cause: 'battery-low',
    deviceKind: 'cart',
    severity: 'critical',
    threshold: 10,
    clearThreshold: 15,
    forSeconds: 60,
  },
  {
    id: 'speaker-battery-low',
    cause: 'battery-low',
    deviceKind: 'speaker',
    severity: 'warning',
    threshold: 20,
    clearThreshold: 25,
    forSeconds: 60,
  },
  { id: 'offline', cause: 'offline', severity: 'warning', threshold: 300, forSeconds: 30 },
  {
    id: 'temperature-high',
    cause: 'temperature-high',
    severity: 'warning',
    threshold: 60,
    clearThreshold: 55,
    forSeconds: 30,
  },
  { id: 'fault', cause: 'fault', severity: 'warning', forSeconds: 0 },
]);

export function severityRank(severity: AlertSeverity): number {
  return severity === 'critical' ? 2 : 1;
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
    const specificity = (rule.storeId !== null ? 2 : 0) + (rule.deviceKind !== null ? 1 : 0);
    if (specificity > best) {
      best = specificity;
      chosen = [rule];
    } else if (specificity === best) chosen.push(rule);
  }
  return chosen;
}
