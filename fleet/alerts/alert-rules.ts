import { Ajv, type ErrorObject } from 'ajv';
import { type AlertRule, AlertRulesBody, alertRuleProblems } from '../../protocol/api/alert-rules.ts';
import { FleetError } from '../../protocol/errors.ts';

// The rule shape, the defaults and the rule selection are the API contract's (protocol/api/alert-rules.ts), shared
// with the console's rule editor. What is here is the fleet's gate: every problem of a set at once, not the first.
const ajv = new Ajv({ allErrors: true, useDefaults: true, allowUnionTypes: true, strict: true });
const validate = ajv.compile<AlertRule[]>(AlertRulesBody);

/**
 * Validates a complete rule set and fills its defaults; bad input is refused as a whole (ALERT_RULES_INVALID) with
 * one `index.field: message` line per problem in `details`.
 */
export function parseAlertRules(value: unknown): AlertRule[] {
  // Defaults are filled into a copy: the caller's objects stay as they were.
  const rules = structuredClone(value);
  const problems = validate(rules)
    ? alertRuleProblems(rules).map((p) => `${p.path}: ${p.message}`)
    : (validate.errors ?? []).map(describe);
  if (problems.length > 0) {
    throw new FleetError('ALERT_RULES_INVALID', `invalid alert rules: ${problems.join('; ')}`, problems);
  }
  return rules as AlertRule[];
}

function describe(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  const where = segments.join('.') || '(root)';
  const extra =
    error.keyword === 'additionalProperties'
      ? ` ('${error.params.additionalProperty}')`
      : error.keyword === 'enum'
        ? ` (${(error.params.allowedValues as unknown[]).join(', ')})`
        : '';
  return `${where}: ${error.message ?? 'invalid'}${extra}`;
}
