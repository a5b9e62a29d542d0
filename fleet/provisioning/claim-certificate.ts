import { FleetError } from '../../protocol/errors.ts';
import { BUNDLE_FILES, writeBundle } from '../identity/certificate-bundle.ts';
import type { CertificateRepository } from '../identity/certificate-repository.ts';
import type { CertificateAuthority } from '../pki/certificate-authority.ts';
import type { PolicyRepository } from '../policy/policy-repository.ts';
import type { Database } from '../storage/database.ts';
import { claimPolicy, claimPolicyName } from './provisioning-template.ts';
import type { ProvisioningTemplateRepository } from './template-repository.ts';

export interface ClaimCertificate {
  templateName: string;
  certificateId: string;
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
  policyName: string;
}

/** The files of a claim bundle: the shared claim certificate, its key (0600), the fleet CA, and which template. */
export const CLAIM_BUNDLE_FILES = {
  certificate: BUNDLE_FILES.certificate,
  privateKey: BUNDLE_FILES.privateKey,
  ca: BUNDLE_FILES.ca,
  claim: 'claim.json',
};

/**
 * Issues a claim certificate for a template: shared by every device built with it, attached to no thing, with a
 * policy (`ProvisioningClaim-{template}`, created or refreshed here) that allows only the provisioning topics.
 */
export async function issueClaimCertificate(
  deps: {
    db: Database;
    ca: CertificateAuthority;
    certificates: CertificateRepository;
    policies: PolicyRepository;
    templates: ProvisioningTemplateRepository;
  },
  templateName: string,
): Promise<ClaimCertificate> {
  if (!deps.templates.get(templateName)) {
    throw new FleetError('PROVISIONING_TEMPLATE_NOT_FOUND', `no provisioning template '${templateName}'`);
  }
  const policyName = claimPolicyName(templateName);
  const issued = await deps.ca.issueClientCertificate(`provisioning-claim-${templateName}`);
  deps.db.transaction(() => {
    deps.policies.put(policyName, claimPolicy(templateName));
    deps.certificates.insert({
      certificateId: issued.certificateId,
      serialNumber: issued.serialNumber,
      subjectCn: `provisioning-claim-${templateName}`,
      certificatePem: issued.certificatePem,
      status: 'ACTIVE',
      notBefore: issued.notBefore.getTime(),
      notAfter: issued.notAfter.getTime(),
    });
    deps.policies.attach(policyName, issued.certificateId);
  })();
  return {
    templateName,
    certificateId: issued.certificateId,
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
    caPem: deps.ca.caPem,
    policyName,
  };
}

export function writeClaimBundle(dir: string, claim: ClaimCertificate): void {
  writeBundle(dir, claim, CLAIM_BUNDLE_FILES.claim, {
    templateName: claim.templateName,
    certificateId: claim.certificateId,
  });
}
