import { GlobPattern, type GlobToken, globTokens } from './glob-pattern.ts';
import {
  asList,
  type PolicyAction,
  type PolicyDocument,
  type PolicyStatement,
  thingAttributeOf,
} from './policy-document.ts';

/** What the evaluator knows about one MQTT connection; it fills the policy variables. */
export interface ConnectionContext {
  clientId: string;
  /** The thing named like the client id, if it is attached to the connection's certificate. */
  attachedThingName: string | undefined;
  thingTypeName: string | undefined;
  /** The attached thing's attributes (`iot:Connection.Thing.Attributes[name]`); only read while a thing is attached. */
  thingAttributes: ReadonlyMap<string, string>;
  certificateCommonName: string | undefined;
  sourceIp: string | undefined;
  region: string;
  accountId: string;
}

interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  /** Matched against the action name in lower case (IAM action names are case-insensitive). */
  actions: GlobPattern[];
  /** `null` where a variable could not be resolved. */
  resources: (GlobPattern | null)[];
  negated: boolean;
  conditionHolds: boolean;
}

/**
 * Decides iot:Connect / Publish / Subscribe / Receive for one connection against the policies attached to its
 * certificate. Policies are compiled once per connection (variables substituted), and decisions per resource are
 * cached, because Receive is checked on every delivery.
 *
 * Variables are substituted in `Resource`/`NotResource` and in `Condition` values, as AWS IoT does ("policy
 * variables that can be used in AWS IoT Core policies in the Resource or Condition block",
 * https://docs.aws.amazon.com/iot/latest/developerguide/iot-policy-variables.html).
 *
 * Unresolvable variables (no attached thing, an attribute the thing does not have): IAM says a resource or condition
 * value with a variable that has no value matches nothing
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value), and AWS
 * IoT's thing policy examples say such a variable "won't be resolved and will result in an access denied error"
 * (https://docs.aws.amazon.com/iot/latest/developerguide/thing-policy-examples.html). So an Allow never matches on
 * it. For a Deny this implementation fails safe instead: the statement is treated as matching, so a variable that
 * cannot be resolved can never open access. The same holds for `NotResource` (with an unresolved entry an Allow
 * never applies and a Deny always does) and for a negated condition (`StringNotEquals` against an unresolved value
 * never holds for an Allow, though "not equal to nothing" would).
 */
export class ConnectionAuthorizer {
  private readonly statements: CompiledStatement[];
  private readonly cache = new Map<string, boolean>();
  private static readonly CACHE_LIMIT = 2048;

  constructor(
    policies: PolicyDocument[],
    private readonly context: ConnectionContext,
  ) {
    this.statements = policies.flatMap((p) => asList(p.Statement).map((s) => compile(s, context)));
  }

  canConnect(): boolean {
    return this.decide('iot:Connect', `client/${this.context.clientId}`);
  }

  canPublish(topic: string, retain = false): boolean {
    if (!this.decide('iot:Publish', `topic/${topic}`)) return false;
    return !retain || this.decide('iot:RetainPublish', `topic/${topic}`);
  }

  /** The filter is matched as a literal string: MQTT's `+` and `#` have no meaning in a policy. */
  canSubscribe(topicFilter: string): boolean {
    return this.decide('iot:Subscribe', `topicfilter/${topicFilter}`);
  }

  canReceive(topic: string): boolean {
    return this.decide('iot:Receive', `topic/${topic}`);
  }

  private decide(action: PolicyAction, resource: string): boolean {
    const key = `${action} ${resource}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const arn = `arn:aws:iot:${this.context.region}:${this.context.accountId}:${resource}`;
    const lowerAction = action.toLowerCase();
    let allowed = false;
    let denied = false;
    for (const statement of this.statements) {
      if (!statement.conditionHolds || !statement.actions.some((a) => a.test(lowerAction))) continue;
      const applies = statement.negated
        ? // An unresolved NotResource entry would exclude nothing, widening an Allow and narrowing a Deny.
          statement.resources.includes(null)
          ? statement.effect === 'Deny'
          : !statement.resources.some((r) => r?.test(arn))
        : statement.resources.some((r) => (r === null ? statement.effect === 'Deny' : r.test(arn)));
      if (!applies) continue;
      if (statement.effect === 'Deny') {
        denied = true;
        break;
      }
      allowed = true;
    }
    const decision = allowed && !denied;
    if (this.cache.size >= ConnectionAuthorizer.CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, decision);
    return decision;
  }
}

function compile(statement: PolicyStatement, context: ConnectionContext): CompiledStatement {
  const negated = statement.NotResource !== undefined;
  const patterns = asList(negated ? statement.NotResource : statement.Resource);
  return {
    effect: statement.Effect,
    // IAM action names are case-insensitive.
    actions: asList(statement.Action).map((a) => new GlobPattern(globTokens(a.toLowerCase()))),
    resources: patterns.map((pattern) => compileResource(pattern, context)),
    negated,
    conditionHolds: evaluateCondition(statement, context),
  };
}

/** `${variable}` or one of the fixed escapes `$(*)`, `$(?)`, `$($)`. */
const VARIABLE = /\$\{([^}]+)\}|\$\((\*|\?|\$)\)/g;

function resolveVariable(name: string, context: ConnectionContext): string | undefined {
  switch (name) {
    case 'iot:ClientId':
      return context.clientId;
    case 'iot:Connection.Thing.ThingName':
      return context.attachedThingName;
    case 'iot:Connection.Thing.ThingTypeName':
      return context.attachedThingName === undefined ? undefined : context.thingTypeName;
    case 'iot:Connection.Thing.IsAttached':
      return String(context.attachedThingName !== undefined);
    case 'iot:Certificate.Subject.CommonName':
      return context.certificateCommonName;
    case 'aws:SourceIp':
      return context.sourceIp;
  }
  const attribute = thingAttributeOf(name);
  // AWS: "The client ID of the MQTT/WebSocket connection must be the same as the thing name" for thing attributes.
  if (attribute === undefined || context.attachedThingName === undefined) return undefined;
  return context.thingAttributes.get(attribute);
}

/**
 * Compiles a pattern for this connection: the text between variables is read by `text` (an IAM glob for resources
 * and `StringLike`, literal for `StringEquals`); a variable's value and an escape are matched literally (a client id
 * of "a*" is not a wildcard). `null` when a variable cannot be resolved. The regex is assembled piece by piece, so no
 * value can change how the rest of the pattern is read.
 */
function compilePattern(
  pattern: string,
  context: ConnectionContext,
  text: (part: string) => string = globSource,
  flags = 's',
): RegExp | null {
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    source += text(pattern.slice(last, match.index));
    last = match.index + match[0].length;
    const [, name, literal] = match;
    if (literal !== undefined) {
      source += escapeRegExp(literal);
      continue;
    }
    const value = name === undefined ? undefined : resolveVariable(name, context);
    if (value === undefined) return null;
    source += escapeRegExp(value);
  }
  source += text(pattern.slice(last));
  return new RegExp(`^${source}$`, flags);
}

/**
 * A resource pattern for this connection as a {@link GlobPattern} (no RegExp: see glob-pattern.ts): IAM glob text,
 * variables' values and escapes literal; `null` when a variable cannot be resolved.
 */
function compileResource(pattern: string, context: ConnectionContext): GlobPattern | null {
  const tokens: GlobToken[] = [];
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    tokens.push(...globTokens(pattern.slice(last, match.index)));
    last = match.index + match[0].length;
    const [, name, literal] = match;
    if (literal !== undefined) {
      tokens.push(literal);
      continue;
    }
    const value = name === undefined ? undefined : resolveVariable(name, context);
    if (value === undefined) return null;
    tokens.push(value);
  }
  tokens.push(...globTokens(pattern.slice(last)));
  return new GlobPattern(tokens);
}

/** IAM glob: `*` any run of characters (across `/`), `?` exactly one; everything else literal. */
function globSource(glob: string): string {
  let source = '';
  for (const c of glob) {
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type ConditionOperator = keyof NonNullable<PolicyStatement['Condition']>;

function evaluateCondition(statement: PolicyStatement, context: ConnectionContext): boolean {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const [key, expected] of Object.entries(entries ?? {})) {
      const actual = resolveVariable(key, context);
      const values = asList(expected).map((value) =>
        compileConditionValue(operator as ConditionOperator, value, context),
      );
      if (!conditionMatches(operator as ConditionOperator, actual, values, statement.Effect)) return false;
    }
  }
  return true;
}

function compileConditionValue(operator: ConditionOperator, value: string, context: ConnectionContext): RegExp | null {
  switch (operator) {
    case 'StringLike':
    case 'StringNotLike':
      return compilePattern(value, context);
    case 'Bool':
      return compilePattern(value, context, escapeRegExp, 'si');
    default:
      return compilePattern(value, context, escapeRegExp);
  }
}

/**
 * Several values of one key are OR-ed (IAM). A value whose variable cannot be resolved, or a negated operator on a
 * key the connection does not have, matches nothing for an Allow; for a Deny the condition holds (fail-safe, see
 * {@link ConnectionAuthorizer}).
 */
function conditionMatches(
  operator: ConditionOperator,
  actual: string | undefined,
  values: (RegExp | null)[],
  effect: PolicyStatement['Effect'],
): boolean {
  const unresolved = values.includes(null);
  if (unresolved && effect === 'Deny') return true;
  const matches = (value: string) => values.some((pattern) => pattern?.test(value) ?? false);
  switch (operator) {
    case 'Bool':
    case 'StringEquals':
    case 'StringLike':
      return actual !== undefined && matches(actual);
    // IAM lets a negated operator match a key absent from the request. Here an absent key (a thing without that
    // attribute, a connection with no thing attached) never matches an Allow, so `StringNotEquals` on an attribute
    // cannot grant to every device that lacks it; a Deny's condition holds (fail-safe, like an unresolved value).
    case 'StringNotEquals':
    case 'StringNotLike':
      if (actual === undefined) return effect === 'Deny';
      return !unresolved && !matches(actual);
    default:
      return false;
  }
}
