import { asList, type PolicyAction, type PolicyDocument, type PolicyStatement } from './policy-document.ts';

/** What the evaluator knows about one MQTT connection; it fills the policy variables. */
export interface ConnectionContext {
  clientId: string;
  /** The thing named like the client id, if it is attached to the connection's certificate. */
  attachedThingName: string | undefined;
  thingTypeName: string | undefined;
  certificateCommonName: string | undefined;
  sourceIp: string | undefined;
  region: string;
  accountId: string;
}

interface CompiledStatement {
  effect: 'Allow' | 'Deny';
  actions: RegExp[];
  /** `null` where a variable could not be resolved. */
  resources: (RegExp | null)[];
  negated: boolean;
  conditionHolds: boolean;
}

/**
 * Decides iot:Connect / Publish / Subscribe / Receive for one connection against the policies attached to its
 * certificate. Policies are compiled once per connection (variables substituted), and decisions per resource are
 * cached, because Receive is checked on every delivery.
 *
 * Unresolvable variables: AWS leaves the `${...}` text in place, so an Allow never matches. For a Deny this
 * implementation fails safe: the statement is treated as matching, so a variable that cannot be resolved can never
 * open access. The same holds for `NotResource`: with an unresolved entry an Allow never applies and a Deny always
 * does.
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
    let allowed = false;
    let denied = false;
    for (const statement of this.statements) {
      if (!statement.conditionHolds || !statement.actions.some((a) => a.test(action))) continue;
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
    actions: asList(statement.Action).map((a) => new RegExp(globSource(a), 'i')),
    resources: patterns.map((pattern) => compileResource(pattern, context)),
    negated,
    conditionHolds: evaluateCondition(statement.Condition, context),
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
    default:
      return undefined;
  }
}

/**
 * Compiles a resource pattern for this connection: the text between variables is an IAM glob; a variable's value
 * and an escape are matched literally (a client id of "a*" is not a wildcard). `null` when a variable cannot be
 * resolved. The regex is assembled piece by piece, so no value can change how the rest of the pattern is read.
 */
function compileResource(pattern: string, context: ConnectionContext): RegExp | null {
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(VARIABLE)) {
    source += globSource(pattern.slice(last, match.index));
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
  source += globSource(pattern.slice(last));
  return new RegExp(`^${source}$`, 's');
}

/** IAM glob: `*` any run of characters (across `/`), `?` exactly one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globSource(glob)}$`, 's');
}

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

function evaluateCondition(condition: PolicyStatement['Condition'], context: ConnectionContext): boolean {
  if (condition === undefined) return true;
  for (const [operator, entries] of Object.entries(condition)) {
    for (const [key, expected] of Object.entries(entries ?? {})) {
      const actual = resolveVariable(key, context);
      const values = asList(expected as string | string[]);
      if (!conditionMatches(operator, actual, values)) return false;
    }
  }
  return true;
}

function conditionMatches(operator: string, actual: string | undefined, values: string[]): boolean {
  switch (operator) {
    case 'Bool':
      return actual !== undefined && values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringEquals':
      return actual !== undefined && values.includes(actual);
    // IAM: a negated operator matches when the key is absent from the request.
    case 'StringNotEquals':
      return actual === undefined || !values.includes(actual);
    case 'StringLike':
      return actual !== undefined && values.some((v) => globToRegExp(v).test(actual));
    case 'StringNotLike':
      return actual === undefined || !values.some((v) => globToRegExp(v).test(actual));
    default:
      return false;
  }
}
