import { z } from 'zod';
import { FleetError } from '../../protocol/errors.ts';
import {
  CLAIM_CLIENT_ID_PREFIX,
  HARDWARE_MODEL_PATTERN,
  HARDWARE_MODEL_RULE,
  isReservedThingName,
  isThingName,
  PROVISIONING_PARAMETERS,
  type ProvisioningParameter,
  provisioningTopics,
  RESERVED_THING_NAME_PREFIX,
  SERIAL_NUMBER_PATTERN,
  TEMPLATE_NAME_PATTERN,
  THING_NAME_CHARACTERS,
} from '../../protocol/topics.ts';
import { DEFAULT_DEVICE_POLICY_NAME, POLICY_NAME_PATTERN, type PolicyDocument } from '../policy/policy-document.ts';
import { DEVICE_KINDS, type DeviceKind } from '../registry/registry-types.ts';

/**
 * A fleet provisioning template, reduced to what this fleet provisions: one thing, named from the device's
 * parameters, its certificate activated, one policy attached (or, when the template wants a technician's approval,
 * a policy that allows connecting and nothing else until `approve()`).
 */
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** What each known parameter may hold. Values end up in thing names, registry columns and logs. */
const PARAMETER_RULES: Record<ProvisioningParameter, { pattern: RegExp; what: string }> = {
  SerialNumber: { pattern: SERIAL_NUMBER_PATTERN, what: '1-64 characters of [A-Za-z0-9_-]' },
  StoreId: { pattern: /^[a-z0-9][a-z0-9-]{0,63}$/, what: 'a store id (lower-case letters, digits and "-")' },
  DeviceKind: { pattern: new RegExp(`^(${DEVICE_KINDS.join('|')})$`), what: DEVICE_KINDS.join(' or ') },
  HardwareModel: { pattern: HARDWARE_MODEL_PATTERN, what: '1-64 characters of [A-Za-z0-9._-]' },
};

const DEFAULT_HARDWARE_MODEL: Record<DeviceKind, string> = { cart: 'SC-200', speaker: 'BX-100' };

export const ProvisioningTemplateSchema = z
  .strictObject({
    name: z.string().regex(TEMPLATE_NAME_PATTERN, 'template names are 1-36 characters of [0-9A-Za-z_-]'),
    description: z.string().max(500).default(''),
    enabled: z.boolean().default(true),
    /** The thing starts `pending-approval` with a connect-only policy until a technician approves it. */
    requiresApproval: z.boolean().default(false),
    /** The policy attached to the device's certificate (at once, or on approval). */
    policyName: z.string().regex(POLICY_NAME_PATTERN).default(DEFAULT_DEVICE_POLICY_NAME),
    /** e.g. `cart-{SerialNumber}`: every `{Name}` is a parameter of the template. */
    thingNamePattern: z.string().min(1).max(128),
    /** The kind of every thing this template makes; `null`: the `DeviceKind` parameter decides. */
    deviceKind: z.enum(DEVICE_KINDS).nullable().default(null),
    /** Used when the device sends no `HardwareModel`; `null`: the kind's usual model. */
    hardwareModel: z.string().regex(HARDWARE_MODEL_PATTERN, HARDWARE_MODEL_RULE).nullable().default(null),
    /** The parameters a device may send, and which it must send. */
    parameters: z.partialRecord(z.enum(PROVISIONING_PARAMETERS), z.strictObject({ required: z.boolean() })),
  })
  .superRefine((t, ctx) => {
    const placeholders = [...t.thingNamePattern.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
    for (const name of placeholders) {
      if (!(name in t.parameters)) {
        ctx.addIssue({
          code: 'custom',
          path: ['thingNamePattern'],
          message: `{${name}} is not a parameter of the template`,
        });
      } else if (!t.parameters[name as ProvisioningParameter]?.required) {
        ctx.addIssue({ code: 'custom', path: ['thingNamePattern'], message: `{${name}} must be a required parameter` });
      }
    }
    if (placeholders.length === 0) {
      // Every device of the template would ask for the same thing.
      ctx.addIssue({ code: 'custom', path: ['thingNamePattern'], message: 'needs at least one {Parameter}' });
    }
    if (!THING_NAME_CHARACTERS.test(t.thingNamePattern.replace(PLACEHOLDER, ''))) {
      ctx.addIssue({ code: 'custom', path: ['thingNamePattern'], message: 'literal parts must be [a-zA-Z0-9:_-]' });
    }
    if (isReservedThingName(t.thingNamePattern.split('{')[0] ?? '')) {
      ctx.addIssue({
        code: 'custom',
        path: ['thingNamePattern'],
        message: `thing names starting with '${RESERVED_THING_NAME_PREFIX}' are reserved for claim connections`,
      });
    }
    if (t.deviceKind === null && !t.parameters.DeviceKind?.required) {
      ctx.addIssue({
        code: 'custom',
        path: ['parameters'],
        message: 'without deviceKind, DeviceKind must be required',
      });
    }
  });

export type ProvisioningTemplate = z.infer<typeof ProvisioningTemplateSchema>;
export type ProvisioningTemplateInput = z.input<typeof ProvisioningTemplateSchema>;

/** Validates a template, throwing `PROVISIONING_TEMPLATE_INVALID` with every problem listed. */
export function parseProvisioningTemplate(input: unknown): ProvisioningTemplate {
  const result = ProvisioningTemplateSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FleetError('PROVISIONING_TEMPLATE_INVALID', `invalid template: ${problems.join('; ')}`, problems);
  }
  return result.data;
}

/** What RegisterThing creates for a device's parameters. */
export interface ResolvedRegistration {
  thingName: string;
  kind: DeviceKind;
  hardwareModel: string;
  storeId: string | null;
}

/**
 * Applies a template to a device's parameters: every parameter must be one the template allows and hold a valid
 * value, every required one must be there. Throws `PROVISIONING_PARAMETERS_INVALID` with every problem listed.
 * Whether the store exists is the caller's to check.
 */
export function resolveRegistration(
  template: ProvisioningTemplate,
  parameters: Record<string, string>,
): ResolvedRegistration {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(parameters)) {
    // Own keys only: `constructor` or `__proto__` is in every object, and has no rule.
    if (!Object.hasOwn(template.parameters, name)) {
      problems.push(`${name}: not a parameter of template '${template.name}'`);
      continue;
    }
    const rule = PARAMETER_RULES[name as ProvisioningParameter];
    if (!rule.pattern.test(value)) problems.push(`${name}: must be ${rule.what}`);
  }
  for (const [name, spec] of Object.entries(template.parameters)) {
    if (spec?.required && parameters[name] === undefined) problems.push(`${name}: required`);
  }
  const kind = (template.deviceKind ?? parameters.DeviceKind) as DeviceKind | undefined;
  if (template.deviceKind && parameters.DeviceKind && parameters.DeviceKind !== template.deviceKind) {
    problems.push(`DeviceKind: this template provisions ${template.deviceKind}s`);
  }
  const thingName = template.thingNamePattern.replace(PLACEHOLDER, (_m, name: string) => parameters[name] ?? '');
  if (problems.length === 0 && !isThingName(thingName)) {
    problems.push(`the thing name '${thingName}' is not 1-128 characters of [a-zA-Z0-9:_-]`);
  } else if (problems.length === 0 && isReservedThingName(thingName)) {
    problems.push(
      `the thing name '${thingName}' starts with '${RESERVED_THING_NAME_PREFIX}', reserved for claim connections`,
    );
  }
  if (problems.length > 0 || kind === undefined) {
    throw new FleetError(
      'PROVISIONING_PARAMETERS_INVALID',
      `invalid parameters: ${problems.join('; ') || 'no device kind'}`,
      problems,
    );
  }
  return {
    thingName,
    kind,
    hardwareModel: parameters.HardwareModel ?? template.hardwareModel ?? DEFAULT_HARDWARE_MODEL[kind],
    storeId: parameters.StoreId ?? null,
  };
}

/** Seeded on first start: a cart template that activates at once, a speaker template that waits for a technician. */
export function defaultTemplates(): ProvisioningTemplate[] {
  const parameters = {
    SerialNumber: { required: true },
    StoreId: { required: false },
    HardwareModel: { required: false },
  };
  return [
    parseProvisioningTemplate({
      name: 'cart-default',
      description: 'Smart carts: thing cart-{SerialNumber}, the DeviceDefault policy at once',
      thingNamePattern: 'cart-{SerialNumber}',
      deviceKind: 'cart',
      parameters,
    }),
    parseProvisioningTemplate({
      name: 'speaker-default',
      description: 'Speakers: thing spk-{SerialNumber}; a technician approves each one once it is mounted',
      requiresApproval: true,
      thingNamePattern: 'spk-{SerialNumber}',
      deviceKind: 'speaker',
      parameters,
    }),
  ];
}

export const PENDING_APPROVAL_POLICY_NAME = 'ProvisioningPendingApproval';

/** A thing pending approval may connect as itself, and nothing else: no publish, subscribe or receive. */
export function pendingApprovalPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iot:Connect'],
        Resource: ['arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}'],
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
    ],
  };
}

export function claimPolicyName(templateName: string): string {
  return `ProvisioningClaim-${templateName}`;
}

/**
 * AWS's claim policy example for one template: connect (here only as `provision-*`), and publish, subscribe and
 * receive on the provisioning topics; nothing else.
 */
export function claimPolicy(templateName: string): PolicyDocument {
  const topics = provisioningTopics.claimResources(templateName);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iot:Connect'], Resource: [`arn:aws:iot:*:*:client/${CLAIM_CLIENT_ID_PREFIX}*`] },
      {
        Effect: 'Allow',
        Action: ['iot:Publish', 'iot:Receive'],
        Resource: topics.map((t) => `arn:aws:iot:*:*:topic/${t}`),
      },
      { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: topics.map((t) => `arn:aws:iot:*:*:topicfilter/${t}`) },
    ],
  };
}
