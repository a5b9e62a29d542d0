import type { PolicyRepository } from '../policy/policy-repository.ts';
import { defaultTemplates, PENDING_APPROVAL_POLICY_NAME, pendingApprovalPolicy } from './provisioning-template.ts';
import type { ProvisioningTemplateRepository } from './template-repository.ts';

/**
 * What provisioning needs on a data dir, created when missing (by the server at start and by fleetctl): the
 * connect-only policy for things pending approval, and the default templates (`cart-default`, `speaker-default`).
 */
export function ensureProvisioningDefaults(
  templates: ProvisioningTemplateRepository,
  policies: PolicyRepository,
): void {
  if (!policies.get(PENDING_APPROVAL_POLICY_NAME)) policies.put(PENDING_APPROVAL_POLICY_NAME, pendingApprovalPolicy());
  for (const template of defaultTemplates()) {
    if (!templates.get(template.name)) templates.put(template);
  }
}
