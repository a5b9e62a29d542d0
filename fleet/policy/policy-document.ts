import { z } from 'zod';
import { FleetError } from '../../protocol/errors.ts';
import { deviceTopicResources } from '../../protocol/topics.ts';
import { THING_ATTRIBUTE_NAMES } from '../registry/thing-attributes.ts';

/**
 * AWS IoT Core policy documents (IAM conventions): `Version`, `Statement[]` of `Effect`, `Action`, `Resource` or
 * `NotResource`, and an optional `Condition`. Default deny; an explicit Deny in any attached policy beats every
 * Allow. Anything this implementation would have to ignore is rejected instead, so a policy never grants more than
 * its author wrote.
 */
export const POLICY_ACTIONS = [
  'iot:Connect',
  'iot:Publish',
  'iot:Subscribe',
  'iot:Receive',
  'iot:RetainPublish',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/**
 * Condition keys the evaluator can resolve for an MQTT connection, besides
 * `iot:Connection.Thing.Attributes[name]` for each of the registry's {@link THING_ATTRIBUTE_NAMES}.
 */
export const CONDITION_KEYS = [
  'iot:ClientId',
  'iot:Connection.Thing.ThingName',
  'iot:Connection.Thing.ThingTypeName',
  'iot:Connection.Thing.IsAttached',
  'iot:Certificate.Subject.CommonName',
  'aws:SourceIp',
] as const;
export const CONDITION_OPERATORS = ['Bool', 'StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'] as const;

const ATTRIBUTE_VARIABLE = /^iot:Connection\.Thing\.Attributes\[([^\]]*)\]$/;

/** `iot:Connection.Thing.Attributes[storeId]` → `storeId`; `undefined` for any other name. */
export function thingAttributeOf(variable: string): string | undefined {
  return ATTRIBUTE_VARIABLE.exec(variable)?.[1];
}

function isConditionKey(key: string): boolean {
  const attribute = thingAttributeOf(key);
  if (attribute !== undefined) return (THING_ATTRIBUTE_NAMES as readonly string[]).includes(attribute);
  return (CONDITION_KEYS as readonly string[]).includes(key);
}

// A key this evaluator cannot resolve would be absent on every request, and IAM's negated operators match an absent
// key: `StringNotEquals` on a misspelt attribute would grant to everyone. Such a key is refused instead.
const conditionKey = z.string().refine(isConditionKey, {
  message: `not a condition key of this broker (${CONDITION_KEYS.join(', ')}, ${THING_ATTRIBUTE_NAMES.map((n) => `iot:Connection.Thing.Attributes[${n}]`).join(', ')})`,
});

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
/** An action is one of POLICY_ACTIONS (any case, as in IAM) or a wildcard pattern such as `iot:*` or `iot:Pub*`. */
const actionPattern = z
  .string()
  .regex(/^iot:[A-Za-z*?]+$/, 'actions look like "iot:Publish" or "iot:*"')
  .refine(
    (action) => {
      const re = new RegExp(`^${action.replaceAll('*', '.*').replaceAll('?', '.')}$`, 'i');
      return POLICY_ACTIONS.some((known) => re.test(known));
    },
    { message: `not an action of this broker (${POLICY_ACTIONS.join(', ')})` },
  );

const statementSchema = z
  .strictObject({
    Sid: z.string().optional(),
    Effect: z.enum(['Allow', 'Deny']),
    Action: z.union([actionPattern, z.array(actionPattern).min(1)]),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.partialRecord(z.enum(CONDITION_OPERATORS), z.record(conditionKey, stringOrList)).optional(),
  })
  .refine((s) => (s.Resource === undefined) !== (s.NotResource === undefined), {
    message: 'a statement has exactly one of Resource and NotResource',
  });

export const PolicyDocumentSchema = z.strictObject({
  Version: z.literal('2012-10-17'),
  Statement: z.union([statementSchema, z.array(statementSchema).min(1)]),
});

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;
export type PolicyStatement = z.infer<typeof statementSchema>;

/** AWS IoT policy names: 1-128 characters of `[\w+=,.@-]`. */
export const POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;

/** AWS IoT's limit on a policy document. */
export const MAX_POLICY_BYTES = 2048 * 10;

/** Validates a policy document, throwing `POLICY_INVALID` with every problem listed. */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  // JSON.stringify(undefined) is undefined: a missing document is reported by the schema below, not a TypeError.
  const text = typeof input === 'string' ? input : (JSON.stringify(input) ?? '');
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw new FleetError('POLICY_INVALID', `policy document exceeds ${MAX_POLICY_BYTES} bytes`);
  }
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new FleetError('POLICY_INVALID', 'policy document is not valid JSON');
    }
  }
  const result = PolicyDocumentSchema.safeParse(value);
  if (!result.success) {
    const problems = describeIssues(result.error.issues);
    throw new FleetError('POLICY_INVALID', `invalid policy document: ${problems.join('; ')}`, problems);
  }
  return result.data;
}

/**
 * One line per problem. A failed string-or-list (or statement-or-list) union names the problems of the shape the
 * author wrote rather than zod's bare "Invalid input".
 */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      // Drop the branches that failed only because the value has the other shape (a list, not an object, ...).
      const meant = issue.errors.filter(
        (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (meant.length === 1) return describeIssues(meant[0] as z.core.$ZodIssue[], path);
    }
    if (issue.code === 'invalid_key') return issue.issues.map((i) => `${path.map(String).join('.')}: ${i.message}`);
    return [`${path.map(String).join('.') || '(root)'}: ${issue.message}`];
  });
}

/** The list form of a statement's string-or-list field. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The default device policy: a device may connect only with its own thing name as client id (and only while the
 * certificate is attached to that thing), and touch only its own topics: its shadows (classic and named), its jobs,
 * its data streams and its commands. Lifecycle events (`$aws/events/...`) are for operators' policies.
 */
export function defaultDevicePolicy(): PolicyDocument {
  return devicePolicyWithTopics(deviceTopicResources('${iot:Connection.Thing.ThingName}'));
}

/** The default policy's shape around a set of topic resources (also how earlier defaults are rebuilt to compare). */
export function devicePolicyWithTopics(topics: {
  publish: string[];
  subscribe: string[];
  receive: string[];
}): PolicyDocument {
  const thing = '${iot:Connection.Thing.ThingName}';
  const arn = (kind: string, name: string) => `arn:aws:iot:*:*:${kind}/${name}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iot:Connect'],
        Resource: [arn('client', thing)],
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      {
        Effect: 'Allow',
        Action: ['iot:Publish'],
        Resource: topics.publish.map((t) => arn('topic', t)),
      },
      {
        Effect: 'Allow',
        Action: ['iot:Subscribe'],
        Resource: topics.subscribe.map((t) => arn('topicfilter', t)),
      },
      {
        Effect: 'Allow',
        Action: ['iot:Receive'],
        Resource: topics.receive.map((t) => arn('topic', t)),
      },
    ],
  };
}

export const DEFAULT_DEVICE_POLICY_NAME = 'DeviceDefault';
