import type { ErrorCode } from '../../protocol/errors.ts';
import { defaultDevicePolicy, type PolicyDocument, parsePolicyDocument } from '../policy/policy-document.ts';
import { ConnectionAuthorizer } from '../policy/policy-evaluator.ts';
import type { PolicyRepository } from '../policy/policy-repository.ts';
import type { Thing } from '../registry/registry-types.ts';
import { thingAttributes } from '../registry/thing-attributes.ts';
import type { ThingRepository } from '../registry/thing-repository.ts';
import type { CertificateRecord, CertificateRepository } from './certificate-repository.ts';

export interface ConnectAttempt {
  clientId: string;
  /** From the TLS peer certificate; `null` on the development plain listener. */
  certificateId: string | null;
  sourceIp: string | undefined;
}

export type ThingIdentification =
  | { ok: true; thingName: string; certificateId: string }
  | { ok: false; code: ErrorCode; reason: string };

export type AuthenticationResult =
  | { ok: true; authorizer: ConnectionAuthorizer; certificateId: string | null; thingName: string | undefined }
  | { ok: false; code: ErrorCode; reason: string };

/**
 * Turns a connection's certificate and client id into a policy decision-maker, the way AWS IoT Core does: the
 * certificate must be registered and ACTIVE; the policies attached to it decide everything else;
 * `${iot:Connection.Thing.ThingName}` resolves only when the client id names a thing attached to the certificate.
 */
export class DeviceAuthenticator {
  constructor(
    private readonly certificates: CertificateRepository,
    private readonly policies: PolicyRepository,
    private readonly things: ThingRepository,
    private readonly aws: { region: string; accountId: string },
  ) {}

  authenticate(attempt: ConnectAttempt): AuthenticationResult {
    if (attempt.certificateId === null) return this.authenticatePlain(attempt);
    const checked = this.activeCertificate(attempt.certificateId);
    if (!checked.ok) return checked;
    const certificate = checked.certificate;
    const attached = this.certificates.thingsOf(certificate.certificateId).includes(attempt.clientId);
    const thing = attached ? this.things.get(attempt.clientId) : undefined;
    const documents = this.policies.policiesOf(certificate.certificateId).map((p) => parsePolicyDocument(p.document));
    const authorizer = this.authorizerFor(documents, attempt, thing, certificate.subjectCn);
    if (!authorizer.canConnect()) {
      return { ok: false, code: 'POLICY_DENIED', reason: `policy does not allow iot:Connect as '${attempt.clientId}'` };
    }
    return {
      ok: true,
      authorizer,
      certificateId: certificate.certificateId,
      thingName: attached ? attempt.clientId : undefined,
    };
  }

  /**
   * The thing a client certificate speaks for where there is no client id (the device HTTPS endpoint): the
   * certificate must pass the same checks as at an MQTT CONNECT (registered, ACTIVE), and be attached to exactly one
   * registered thing, as `fleetctl devices add` and fleet provisioning make them.
   */
  identifyThing(certificateId: string): ThingIdentification {
    const checked = this.activeCertificate(certificateId);
    if (!checked.ok) return checked;
    const attached = this.certificates.thingsOf(certificateId);
    const thing = attached.length === 1 && attached[0] !== undefined ? this.things.get(attached[0]) : undefined;
    if (!thing) {
      return { ok: false, code: 'NOT_AUTHORIZED', reason: 'certificate is not attached to exactly one thing' };
    }
    return { ok: true, thingName: thing.thingName, certificateId };
  }

  private activeCertificate(
    certificateId: string,
  ): { ok: true; certificate: CertificateRecord } | { ok: false; code: ErrorCode; reason: string } {
    const certificate = this.certificates.get(certificateId);
    if (!certificate) {
      return { ok: false, code: 'CERTIFICATE_UNKNOWN', reason: 'certificate is not registered with this fleet' };
    }
    if (certificate.status === 'REVOKED') {
      return { ok: false, code: 'CERTIFICATE_REVOKED', reason: 'certificate has been revoked' };
    }
    if (certificate.status !== 'ACTIVE') {
      return { ok: false, code: 'CERTIFICATE_INACTIVE', reason: `certificate is ${certificate.status}` };
    }
    return { ok: true, certificate };
  }

  /**
   * Development listener (loopback, off by default): no certificate, so the client id must name a registered thing
   * that has an ACTIVE certificate; the thing then gets the default device policy.
   */
  private authenticatePlain(attempt: ConnectAttempt): AuthenticationResult {
    const thing = this.things.get(attempt.clientId);
    if (!thing)
      return { ok: false, code: 'THING_NOT_FOUND', reason: 'plain listener: client id is not a registered thing' };
    if (!this.certificates.certificatesOf(thing.thingName).some((c) => c.status === 'ACTIVE')) {
      return { ok: false, code: 'CERTIFICATE_REVOKED', reason: 'plain listener: the thing has no active certificate' };
    }
    const authorizer = this.authorizerFor([defaultDevicePolicy()], attempt, thing, undefined);
    return { ok: true, authorizer, certificateId: null, thingName: thing.thingName };
  }

  private authorizerFor(
    documents: PolicyDocument[],
    attempt: ConnectAttempt,
    /** The thing named like the client id and attached to the certificate. */
    attachedThing: Thing | undefined,
    commonName: string | undefined,
  ): ConnectionAuthorizer {
    return new ConnectionAuthorizer(documents, {
      clientId: attempt.clientId,
      attachedThingName: attachedThing?.thingName,
      thingTypeName: attachedThing?.kind,
      thingAttributes: attachedThing ? thingAttributes(attachedThing) : new Map(),
      certificateCommonName: commonName,
      sourceIp: attempt.sourceIp,
      region: this.aws.region,
      accountId: this.aws.accountId,
    });
  }
}
