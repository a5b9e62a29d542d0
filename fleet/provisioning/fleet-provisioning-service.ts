import type { Clock } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { type ErrorCode, FleetError, isFleetError } from '../../protocol/errors.ts';
import {
  type CreateCertificateFromCsrResponse,
  type CreateKeysAndCertificateResponse,
  isProvisioningRequestTopic,
  type ProvisioningErrorCode,
  type ProvisioningErrorResponse,
  type ProvisioningOperation,
  parseProvisioningTopic,
  provisioningError,
  provisioningTopics,
  type RegisterThingRequest,
  type RegisterThingResponse,
} from '../../protocol/topics.ts';
import type { ClientRequest, DeviceBroker } from '../broker/device-broker.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { CertificateRepository } from '../identity/certificate-repository.ts';
import type { CertificateAuthority, IssuedCertificate } from '../pki/certificate-authority.ts';
import type { PolicyRepository } from '../policy/policy-repository.ts';
import type { Thing } from '../registry/registry-types.ts';
import type { StoreRepository } from '../registry/store-repository.ts';
import type { ThingRepository } from '../registry/thing-repository.ts';
import type { Database } from '../storage/database.ts';
import type { CertificateRequestLimiter } from './certificate-request-limiter.ts';
import { type ClaimCertificate, issueClaimCertificate } from './claim-certificate.ts';
import type { OwnershipTokens } from './ownership-token.ts';
import { ensureProvisioningDefaults } from './provisioning-defaults.ts';
import {
  parseCreateKeysRequest,
  parseCsrRequest,
  parseRegisterThingRequest,
  RequestPayloadError,
} from './provisioning-requests.ts';
import {
  PENDING_APPROVAL_POLICY_NAME,
  type ProvisioningTemplateInput,
  parseProvisioningTemplate,
  resolveRegistration,
} from './provisioning-template.ts';
import type {
  ProvisionedCertificateRepository,
  ProvisioningTemplateRepository,
  StoredTemplate,
} from './template-repository.ts';

/** Certificates made over MQTT name no thing yet; the thing is attached at RegisterThing. */
const PROVISIONED_SUBJECT_CN = 'cartfleet-provisioned-device';

/** How the fleet's error codes read on `.../rejected`. */
const REJECTIONS: Partial<Record<ErrorCode, ProvisioningErrorCode>> = {
  PROVISIONING_TEMPLATE_NOT_FOUND: 'ResourceNotFound',
  PROVISIONING_TEMPLATE_DISABLED: 'TemplateDisabled',
  PROVISIONING_TOKEN_INVALID: 'InvalidCertificateOwnershipToken',
  PROVISIONING_PARAMETERS_INVALID: 'InvalidParameters',
  STORE_NOT_FOUND: 'InvalidParameters',
  PROVISIONING_CSR_INVALID: 'InvalidCertificateSigningRequest',
  THING_EXISTS: 'ResourceConflict',
  BAD_REQUEST: 'InvalidPayload',
  PAYLOAD_INVALID_JSON: 'InvalidPayload',
};

export interface FleetProvisioningDeps {
  db: Database;
  templates: ProvisioningTemplateRepository;
  provisioned: ProvisionedCertificateRepository;
  things: ThingRepository;
  stores: StoreRepository;
  certificates: CertificateRepository;
  policies: PolicyRepository;
  ca: CertificateAuthority;
  broker: DeviceBroker;
  tokens: OwnershipTokens;
  /** Throttles the MQTT API's certificate requests (not the in-process calls). */
  certificateRequests: CertificateRequestLimiter;
  bus: EventBus<FleetEvents>;
  /** Decides ownership-token expiry and the sweep of certificates whose token expired unused. */
  clock: Pick<Clock, 'now'>;
}

/**
 * AWS IoT Fleet Provisioning by claim over MQTT: CreateKeysAndCertificate, CreateCertificateFromCsr and
 * RegisterThing, answered on the asking connection's `accepted`/`rejected` topics. A certificate made here is
 * INACTIVE until RegisterThing, with a signed ownership token bound to it that works once and expires (unused
 * certificates are deleted once their token expired, as AWS does). Templates can hold a new thing
 * `pending-approval` (connect-only policy) until `approve()`.
 */
export class FleetProvisioningService {
  private off: (() => void) | undefined;

  constructor(
    private readonly deps: FleetProvisioningDeps,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.deps.tokens.start();
    ensureProvisioningDefaults(this.deps.templates, this.deps.policies);
    this.sweepExpired();
    this.off = this.deps.broker.onClientRequests(isProvisioningRequestTopic, (request) => {
      void this.onRequest(request);
    });
  }

  stop(): void {
    this.off?.();
    this.off = undefined;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Templates and approval (for the HTTP API and fleetctl)

  listTemplates(): StoredTemplate[] {
    return this.deps.templates.list();
  }

  getTemplate(name: string): StoredTemplate | undefined {
    return this.deps.templates.get(name);
  }

  putTemplate(input: ProvisioningTemplateInput): StoredTemplate {
    const template = parseProvisioningTemplate(input);
    if (!this.deps.policies.get(template.policyName)) {
      throw new FleetError('POLICY_NOT_FOUND', `no policy '${template.policyName}'`);
    }
    return this.deps.templates.put(template);
  }

  /**
   * A claim certificate for a template (`ProvisioningClaim-{template}` policy, created or refreshed): what the demo,
   * the tests and an operator's tools use; fleetctl, without a running server, calls the same function.
   */
  issueClaimCertificate(templateName: string): Promise<ClaimCertificate> {
    const { db, ca, certificates, policies, templates } = this.deps;
    return issueClaimCertificate({ db, ca, certificates, policies, templates }, templateName);
  }

  /** Things provisioned by claim that wait for a technician, oldest first. */
  pending(): Thing[] {
    return this.deps.things
      .list({ provisioning: 'pending-approval' })
      .sort((a, b) => a.createdAt - b.createdAt || a.thingName.localeCompare(b.thingName));
  }

  /**
   * Lets a thing that is pending approval do what its template allows: the template's policy replaces the
   * connect-only one on each of its certificates, and live connections are re-decided at once.
   */
  approve(thingName: string, actor: string | { userId: string; username: string }): Thing {
    const { things, templates, policies, certificates, db, bus } = this.deps;
    const by = typeof actor === 'string' ? actor : actor.username;
    const thing = things.get(thingName);
    if (!thing) throw new FleetError('THING_NOT_FOUND', `no thing '${thingName}'`);
    if (thing.provisioning !== 'pending-approval') {
      throw new FleetError('PROVISIONING_NOT_PENDING', `thing '${thingName}' is not pending approval`);
    }
    const template = thing.provisioningTemplate ? templates.get(thing.provisioningTemplate) : undefined;
    const policyName = template?.policyName ?? 'DeviceDefault';
    if (!policies.get(policyName)) throw new FleetError('POLICY_NOT_FOUND', `no policy '${policyName}'`);
    db.transaction(() => {
      for (const certificate of certificates.certificatesOf(thingName)) {
        if (certificate.status === 'REVOKED') continue;
        policies.attach(policyName, certificate.certificateId);
        policies.detach(PENDING_APPROVAL_POLICY_NAME, certificate.certificateId);
      }
      things.update(thingName, { provisioning: 'active' });
    })();
    this.log.info({ thingName, by, policyName }, 'thing approved');
    bus.emit('identity.changed', { generation: -1 });
    bus.emit('thing.approved', { thingName, by });
    return things.get(thingName) as Thing;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The MQTT API's operations (also callable in-process)

  async createKeysAndCertificate(): Promise<CreateKeysAndCertificateResponse> {
    const issued = await this.deps.ca.issueClientCertificate(PROVISIONED_SUBJECT_CN);
    const token = this.recordPending(issued);
    return {
      certificateId: issued.certificateId,
      certificatePem: issued.certificatePem,
      privateKey: issued.privateKeyPem,
      certificateOwnershipToken: token,
    };
  }

  async createCertificateFromCsr(csrPem: string): Promise<CreateCertificateFromCsrResponse> {
    const issued = await this.deps.ca.signCertificateRequest(csrPem, PROVISIONED_SUBJECT_CN);
    const token = this.recordPending(issued);
    return {
      certificateId: issued.certificateId,
      certificatePem: issued.certificatePem,
      certificateOwnershipToken: token,
    };
  }

  /** Synchronous from token check to commit: two requests with one token cannot both pass. */
  registerThing(templateName: string, request: RegisterThingRequest): RegisterThingResponse {
    const { templates, tokens, provisioned, certificates, stores, things, policies, db, bus } = this.deps;
    const template = templates.get(templateName);
    if (!template)
      throw new FleetError('PROVISIONING_TEMPLATE_NOT_FOUND', `no provisioning template '${templateName}'`);
    if (!template.enabled) {
      throw new FleetError('PROVISIONING_TEMPLATE_DISABLED', `provisioning template '${templateName}' is disabled`);
    }
    const claims = tokens.verify(request.certificateOwnershipToken, this.deps.clock.now());
    const record = provisioned.get(claims.certificateId);
    const certificate = certificates.get(claims.certificateId);
    if (record && record.tokenId === claims.tokenId && record.registeredAt !== null) {
      throw new FleetError('PROVISIONING_TOKEN_INVALID', 'certificate ownership token has already been used');
    }
    if (!record || record.tokenId !== claims.tokenId || !certificate || certificate.status !== 'INACTIVE') {
      throw new FleetError(
        'PROVISIONING_TOKEN_INVALID',
        'certificate ownership token does not name a certificate to register',
      );
    }
    const resolved = resolveRegistration(template, request.parameters ?? {});
    if (resolved.storeId !== null && !stores.getStore(resolved.storeId)) {
      throw new FleetError('STORE_NOT_FOUND', `StoreId: no store '${resolved.storeId}'`);
    }
    if (things.get(resolved.thingName)) {
      throw new FleetError('THING_EXISTS', `a thing named '${resolved.thingName}' is already registered`);
    }
    const pendingApproval = template.requiresApproval;
    const policyName = pendingApproval ? PENDING_APPROVAL_POLICY_NAME : template.policyName;
    if (!policies.get(policyName)) throw new FleetError('POLICY_NOT_FOUND', `no policy '${policyName}'`);
    const state = pendingApproval ? 'pending-approval' : 'active';
    db.transaction(() => {
      things.insert({
        thingName: resolved.thingName,
        kind: resolved.kind,
        hardwareModel: resolved.hardwareModel,
        storeId: resolved.storeId,
        zoneId: null,
        tags: ['provisioned'],
        softwareVersion: null,
        provisioning: state,
        provisioningTemplate: template.name,
      });
      certificates.attachThing(claims.certificateId, resolved.thingName);
      policies.attach(policyName, claims.certificateId);
      certificates.setStatus(claims.certificateId, 'ACTIVE');
      provisioned.markRegistered(claims.certificateId, resolved.thingName, this.deps.clock.now());
    })();
    this.log.info(
      { thingName: resolved.thingName, templateName, certificateId: claims.certificateId, state },
      'thing provisioned by claim',
    );
    bus.emit('thing.registered', { thingName: resolved.thingName });
    bus.emit('thing.provisioned', { thingName: resolved.thingName, templateName, pendingApproval });
    const deviceConfiguration: Record<string, string> = { provisioning: state };
    if (resolved.storeId !== null) deviceConfiguration.storeId = resolved.storeId;
    return { thingName: resolved.thingName, deviceConfiguration };
  }

  // -------------------------------------------------------------------------------------------------------------

  private recordPending(issued: Omit<IssuedCertificate, 'privateKeyPem'>): string {
    const { token, claims } = this.deps.tokens.issue(issued.certificateId, this.deps.clock.now());
    this.deps.db.transaction(() => {
      this.deps.certificates.insert({
        certificateId: issued.certificateId,
        serialNumber: issued.serialNumber,
        subjectCn: PROVISIONED_SUBJECT_CN,
        certificatePem: issued.certificatePem,
        // AWS: PENDING_ACTIVATION until RegisterThing; unusable either way.
        status: 'INACTIVE',
        notBefore: issued.notBefore.getTime(),
        notAfter: issued.notAfter.getTime(),
      });
      this.deps.provisioned.insert({
        certificateId: issued.certificateId,
        tokenId: claims.tokenId,
        expiresAt: claims.expiresAt,
      });
    })();
    this.sweepExpired();
    return token;
  }

  private sweepExpired(): void {
    try {
      const deleted = this.deps.provisioned.deleteExpired(this.deps.clock.now());
      if (deleted > 0) this.log.info({ deleted }, 'deleted certificates whose ownership token expired unused');
    } catch (err) {
      this.log.warn({ err }, 'could not delete expired provisioning certificates');
    }
  }

  private async onRequest(request: ClientRequest): Promise<void> {
    const topic = parseProvisioningTopic(request.topic);
    if (!topic || topic.response !== undefined) return;
    let answer: { accepted: object } | { rejected: ProvisioningErrorResponse };
    if (topic.format !== 'json') {
      answer = { rejected: provisioningError('UnsupportedFormat', 'this fleet serves the json payload format only') };
    } else {
      answer =
        this.throttled(topic.operation, request) ??
        (await this.answer(topic.operation, topic.templateName ?? '', request.payload));
    }
    let replyTopic: string;
    let body: object;
    if ('accepted' in answer) {
      replyTopic = provisioningTopics.responseTo(topic, 'accepted');
      body = answer.accepted;
    } else {
      replyTopic = provisioningTopics.responseTo(topic, 'rejected');
      body = answer.rejected;
      const { errorCode, errorMessage } = answer.rejected;
      this.log.info(
        { clientId: request.clientId, topic: request.topic, errorCode, errorMessage },
        'provisioning rejected',
      );
    }
    const delivered = await request.reply(replyTopic, JSON.stringify(body)).catch(() => false);
    if (!delivered)
      this.log.warn({ clientId: request.clientId, topic: replyTopic }, 'provisioning answer not delivered');
  }

  /** Certificate requests beyond the configured rates, counted before any parsing or signing. */
  private throttled(
    operation: ProvisioningOperation,
    request: ClientRequest,
  ): { rejected: ProvisioningErrorResponse } | undefined {
    if (operation === 'RegisterThing') return undefined;
    const admission = this.deps.certificateRequests.admit(request.clientId, request.certificateId);
    if (admission.admitted) return undefined;
    return {
      rejected: provisioningError(
        'Throttling',
        `The rate exceeds the limit of certificate requests per ${admission.limitedBy}`,
      ),
    };
  }

  private async answer(
    operation: 'CreateKeysAndCertificate' | 'CreateCertificateFromCsr' | 'RegisterThing',
    templateName: string,
    payload: Buffer,
  ): Promise<{ accepted: object } | { rejected: ProvisioningErrorResponse }> {
    try {
      switch (operation) {
        case 'CreateKeysAndCertificate':
          parseCreateKeysRequest(payload);
          return { accepted: await this.createKeysAndCertificate() };
        case 'CreateCertificateFromCsr':
          return { accepted: await this.createCertificateFromCsr(parseCsrRequest(payload).certificateSigningRequest) };
        case 'RegisterThing':
          return { accepted: this.registerThing(templateName, parseRegisterThingRequest(payload)) };
      }
    } catch (err) {
      if (err instanceof RequestPayloadError) return { rejected: provisioningError('InvalidPayload', err.message) };
      const code = isFleetError(err) ? REJECTIONS[err.code] : undefined;
      if (code && isFleetError(err)) return { rejected: provisioningError(code, err.message) };
      this.log.error({ err, operation }, 'provisioning request failed');
      return { rejected: provisioningError('InternalFailure', 'Internal service failure') };
    }
  }
}
