import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import { isReservedThingName, RESERVED_THING_NAME_PREFIX } from '../../protocol/topics.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { CertificateRecord, CertificateRepository } from '../identity/certificate-repository.ts';
import type { CertificateAuthority, IssuedCertificate } from '../pki/certificate-authority.ts';
import { checkDefaultDevicePolicy } from '../policy/default-policy-upgrade.ts';
import {
  DEFAULT_DEVICE_POLICY_NAME,
  defaultDevicePolicy,
  POLICY_NAME_PATTERN,
  type PolicyDocument,
  parsePolicyDocument,
} from '../policy/policy-document.ts';
import type { PolicyRecord, PolicyRepository } from '../policy/policy-repository.ts';
import type { Database } from '../storage/database.ts';
import { type NewThing, type Thing, ThingSchema } from './registry-types.ts';
import type { StoreRepository } from './store-repository.ts';
import { ThingDirectory } from './thing-directory.ts';
import type { ThingFilter, ThingRepository } from './thing-repository.ts';

export interface Registration {
  thing: Thing;
  certificate: IssuedCertificate;
  caPem: string;
  policyName: string;
}

/**
 * Registers things and their identities: a thing, a certificate issued by the fleet CA with the thing name as
 * subject CN, the certificate attached to the thing, and a named policy attached to the certificate (AWS IoT's
 * model). Revocation takes effect at once: live connections made with the certificate are closed, new ones refused.
 */
export class DeviceRegistry {
  constructor(
    private readonly db: Database,
    private readonly stores: StoreRepository,
    private readonly things: ThingRepository,
    private readonly certificates: CertificateRepository,
    private readonly policies: PolicyRepository,
    private readonly ca: CertificateAuthority,
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
  ) {
    this.directory = new ThingDirectory(db, things);
  }

  private offs: (() => void)[] = [];
  private readonly directory: ThingDirectory;

  start(): void {
    // The registry's software version follows what the device reports in its classic shadow.
    this.offs.push(
      this.bus.on('shadow.updated', (e) => {
        if (e.shadowName !== undefined) return;
        const reported = (e.documents as { current?: { state?: { reported?: { softwareVersion?: unknown } } } }).current
          ?.state?.reported;
        const version = reported?.softwareVersion;
        if (typeof version !== 'string') return;
        const thing = this.things.get(e.thingName);
        if (thing && thing.softwareVersion !== version) this.things.update(e.thingName, { softwareVersion: version });
      }),
    );
    this.ensureDefaultPolicy();
  }

  /**
   * Creates the default device policy, or upgrades a stored one that is an unchanged earlier default (new topics
   * such as the commerce and stream topics would otherwise never reach an existing fleet's devices). An operator's
   * edited policy is theirs: it stays, with a warning naming what the new default adds.
   */
  private ensureDefaultPolicy(): void {
    const stored = this.policies.get(DEFAULT_DEVICE_POLICY_NAME);
    if (!stored) {
      this.policies.put(DEFAULT_DEVICE_POLICY_NAME, defaultDevicePolicy());
      this.log.info({ policy: DEFAULT_DEVICE_POLICY_NAME }, 'created default device policy');
      return;
    }
    const check = checkDefaultDevicePolicy(stored.document);
    if (check === 'outdated') {
      this.policies.put(DEFAULT_DEVICE_POLICY_NAME, defaultDevicePolicy());
      // At start, before the broker listens: no live connection was decided on the old document.
      this.log.info({ policy: DEFAULT_DEVICE_POLICY_NAME, from: stored.version }, 'upgraded default device policy');
    } else if (check === 'edited') {
      this.log.warn(
        { policy: DEFAULT_DEVICE_POLICY_NAME, current: defaultDevicePolicy() },
        'default device policy was edited: left as it is; it may lack topics this release adds (commerce cx/cartfleet/{thing}/*, streams $aws/things/{thing}/streams/*)',
      );
    }
  }

  async registerDevice(input: NewThing, policyName = DEFAULT_DEVICE_POLICY_NAME): Promise<Registration> {
    if (typeof input.thingName === 'string' && isReservedThingName(input.thingName)) {
      throw new FleetError(
        'THING_NAME_RESERVED',
        `thing names starting with '${RESERVED_THING_NAME_PREFIX}' are reserved for claim connections`,
      );
    }
    const parsed = ThingSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new FleetError('BAD_REQUEST', `invalid device: ${problems.join('; ')}`, problems);
    }
    const thing = parsed.data;
    if (this.things.get(thing.thingName)) {
      throw new FleetError('THING_EXISTS', `a thing named '${thing.thingName}' is already registered`);
    }
    if (thing.storeId !== null && !this.stores.getStore(thing.storeId)) {
      throw new FleetError('STORE_NOT_FOUND', `no store '${thing.storeId}'`);
    }
    if (thing.zoneId !== null && this.stores.getZone(thing.zoneId)?.storeId !== thing.storeId) {
      throw new FleetError('ZONE_NOT_FOUND', `no zone '${thing.zoneId}' in store '${thing.storeId}'`);
    }
    if (!this.policies.get(policyName)) throw new FleetError('POLICY_NOT_FOUND', `no policy '${policyName}'`);
    const certificate = await this.ca.issueClientCertificate(thing.thingName);
    this.db.transaction(() => {
      this.things.insert(thing);
      this.recordCertificate(thing.thingName, certificate, policyName);
    })();
    this.log.info(
      { thingName: thing.thingName, certificateId: certificate.certificateId, policyName },
      'registered device',
    );
    this.bus.emit('thing.registered', { thingName: thing.thingName });
    return { thing: this.things.get(thing.thingName) as Thing, certificate, caPem: this.ca.caPem, policyName };
  }

  /** Issues another certificate for a registered thing (rotation, or a lost key), attached like the first. */
  async issueCertificate(thingName: string, policyName = DEFAULT_DEVICE_POLICY_NAME): Promise<Registration> {
    const thing = this.things.get(thingName);
    if (!thing) throw new FleetError('THING_NOT_FOUND', `no thing '${thingName}'`);
    if (!this.policies.get(policyName)) throw new FleetError('POLICY_NOT_FOUND', `no policy '${policyName}'`);
    const certificate = await this.ca.issueClientCertificate(thingName);
    this.db.transaction(() => this.recordCertificate(thingName, certificate, policyName))();
    this.log.info({ thingName, certificateId: certificate.certificateId, policyName }, 'issued certificate');
    return { thing, certificate, caPem: this.ca.caPem, policyName };
  }

  private recordCertificate(thingName: string, certificate: IssuedCertificate, policyName: string): void {
    this.certificates.insert({
      certificateId: certificate.certificateId,
      serialNumber: certificate.serialNumber,
      subjectCn: thingName,
      certificatePem: certificate.certificatePem,
      status: 'ACTIVE',
      notBefore: certificate.notBefore.getTime(),
      notAfter: certificate.notAfter.getTime(),
    });
    this.certificates.attachThing(certificate.certificateId, thingName);
    this.policies.attach(policyName, certificate.certificateId);
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** From the in-memory directory (current with the database, whoever wrote it). */
  getThing(thingName: string): Thing | undefined {
    return this.directory.get(thingName);
  }

  listThings(filter?: ThingFilter): Thing[] {
    return this.directory.list(filter);
  }

  updateThing(thingName: string, changes: Parameters<ThingRepository['update']>[1]): void {
    const before = this.things.get(thingName);
    this.things.update(thingName, changes);
    const after = this.things.get(thingName);
    // Policies may read the store and zone (thing attributes): re-decide live connections now, not at the next look.
    if (before && after && (before.storeId !== after.storeId || before.zoneId !== after.zoneId)) {
      this.identityChanged();
    }
  }

  certificatesOf(thingName: string): CertificateRecord[] {
    return this.certificates.certificatesOf(thingName);
  }

  listCertificates(): CertificateRecord[] {
    return this.certificates.list();
  }

  revokeCertificate(certificateId: string, reason = 'unspecified'): void {
    const certificate = this.certificates.get(certificateId);
    if (!certificate) throw new FleetError('CERTIFICATE_UNKNOWN', `no certificate '${certificateId}'`);
    if (!this.certificates.setStatus(certificateId, 'REVOKED', reason)) return;
    this.log.warn({ certificateId, reason }, 'certificate revoked');
    this.bus.emit('certificate.revoked', { certificateId });
  }

  /** Revokes every certificate of a thing; returns their ids. */
  revokeThing(thingName: string, reason = 'unspecified'): string[] {
    if (!this.things.get(thingName)) throw new FleetError('THING_NOT_FOUND', `no thing '${thingName}'`);
    const ids = this.certificates
      .certificatesOf(thingName)
      .filter((c) => c.status !== 'REVOKED')
      .map((c) => c.certificateId);
    for (const id of ids) this.revokeCertificate(id, reason);
    return ids;
  }

  putPolicy(name: string, document: unknown): PolicyRecord {
    if (!POLICY_NAME_PATTERN.test(name)) throw new FleetError('POLICY_INVALID', `invalid policy name '${name}'`);
    const parsed: PolicyDocument = parsePolicyDocument(document);
    const record = this.policies.put(name, parsed);
    this.identityChanged();
    return record;
  }

  listPolicies(): PolicyRecord[] {
    return this.policies.list();
  }

  attachPolicy(name: string, certificateId: string): void {
    if (!this.policies.get(name)) throw new FleetError('POLICY_NOT_FOUND', `no policy '${name}'`);
    if (!this.certificates.get(certificateId))
      throw new FleetError('CERTIFICATE_UNKNOWN', `no certificate '${certificateId}'`);
    this.policies.attach(name, certificateId);
    this.identityChanged();
  }

  detachPolicy(name: string, certificateId: string): boolean {
    const detached = this.policies.detach(name, certificateId);
    if (detached) this.identityChanged();
    return detached;
  }

  /** Live connections are re-decided now rather than at the watcher's next look. */
  private identityChanged(): void {
    this.bus.emit('identity.changed', { generation: -1 });
  }
}
