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

type Resolved = { ok: true; value: string } | { ok: false };

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
    actions: asList(statement.Action).map((a) => globToRegExp(a)),
    resources: patterns.map((pattern) => {
      const resolved = substitute(pattern, context);
      return resolved.ok ? globToRegExp(resolved.value, true) : null;
    }),
    negated,
    conditionHolds: evaluateCondition(statement.Condition, context),
  };
}

const VARIABLE = /\$\{([^}]+)\}|\$\((\*|\?|\$)\)/g;
/** Marks the positions of escaped literals (`$(*)`) so that the glob compiler does not treat them as wildcards. */
const LITERAL_MARK = '\u0000';

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

function substitute(pattern: string, context: ConnectionContext): Resolved {
  let ok = true;
  const value = pattern.replace(VARIABLE, (_, name: string | undefined, literal: string | undefined) => {
    if (literal !== undefined) return LITERAL_MARK + literal;
    const resolved = name === undefined ? undefined : resolveVariable(name, context);
    if (resolved === undefined) {
      ok = false;
      return '';
    }
    // A substituted value is matched literally: a client id of "a*" must not become a wildcard.
    return [...resolved].map((c) => (c === '*' || c === '?' ? LITERAL_MARK + c : c)).join('');
  });
  return ok ? { ok: true, value } : { ok: false };
}

/** IAM glob: `*` any run of characters (across `/`), `?` exactly one; everything else literal. */
export function globToRegExp(glob: string, honourLiteralMarks = false): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (honourLiteralMarks && c === LITERAL_MARK) {
      i++;
      source += escapeRegExp(glob[i] ?? '');
    } else if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += escapeRegExp(c);
  }
  return new RegExp(`^${source}$`, 's');
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
