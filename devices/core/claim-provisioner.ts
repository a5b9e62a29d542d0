import { webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { iot, iotidentity, mqtt } from 'aws-iot-device-sdk-v2';
import { type Clock, sleep, withTimeout } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';
import { CLAIM_CLIENT_ID_PREFIX, type ProvisioningErrorResponse } from '../../protocol/topics.ts';
import { type ClaimConfig, type DeviceConfig, type DeviceCredentials, readCredentials } from './device-config.ts';
import { DISCONNECT_TIMEOUT_MS, isRefused } from './device-connection.ts';

/** The device's own bundle, as `fleetctl devices add` writes it; `thing.json` is written last and marks it complete. */
const FILES = { certificate: 'cert.pem', privateKey: 'key.pem', ca: 'ca.pem', identity: 'thing.json' };

export interface ProvisionedIdentity {
  thingName: string;
  certificateId: string;
  credentials: DeviceCredentials;
  /** From RegisterThing: `provisioning` (`active` / `pending-approval`), `storeId`. */
  deviceConfiguration: Record<string, string>;
}

/** True once provisioning (or `fleetctl devices add`) left a complete bundle of the device's own in `certDir`. */
export function hasOwnCertificate(certDir: string): boolean {
  return Object.values(FILES).every((file) => existsSync(join(certDir, file)));
}

/** The thing name recorded next to the device's own certificate, if any. */
export function provisionedThingName(certDir: string): string | undefined {
  try {
    const identity = JSON.parse(readFileSync(join(certDir, FILES.identity), 'utf8')) as { thingName?: unknown };
    return typeof identity.thingName === 'string' ? identity.thingName : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Provisioning by claim with AWS's own `IotIdentityClient`: connects with the shared claim certificate, gets a
 * certificate of its own (by default from a CSR: the P-256 key is made here and never leaves the device), registers
 * its thing with the template and its parameters, stores certificate, key (0600) and CA in `certDir`, and
 * disconnects. A rejection throws `PROVISIONING_REJECTED` with AWS's error document as details.
 */
export class ClaimProvisioner {
  constructor(
    private readonly options: {
      endpoint: { host: string; port: number };
      claim: ClaimConfig;
      /** Where the device's own bundle goes (the runtime's `certDir`). */
      certDir: string;
      /** Parameters the device kind adds (`HardwareModel`, ...); the claim section's own win. */
      parameters?: Record<string, string>;
    },
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  async provision(): Promise<ProvisionedIdentity> {
    const { claim } = this.options;
    const claimCredentials = readCredentials(claim.certDir);
    const connection = this.connect(claimCredentials);
    try {
      await withTimeout(connection.connect(), claim.timeoutMs, this.clock);
      const identity = new iotidentity.IotIdentityClient(connection);
      const created = claim.method === 'csr' ? await this.fromCsr(identity) : await this.createKeys(identity);
      const registered = await this.register(identity, created.certificateOwnershipToken);
      const credentials = {
        certificatePem: created.certificatePem,
        privateKeyPem: created.privateKeyPem,
        caPem: claimCredentials.caPem,
      };
      this.store(registered.thingName, created.certificateId, credentials);
      this.log.info(
        { thingName: registered.thingName, certificateId: created.certificateId, ...registered.deviceConfiguration },
        'provisioned by claim',
      );
      return {
        thingName: registered.thingName,
        certificateId: created.certificateId,
        credentials,
        deviceConfiguration: registered.deviceConfiguration,
      };
    } finally {
      await withTimeout(connection.disconnect(), DISCONNECT_TIMEOUT_MS, this.clock).catch(() => {});
    }
  }

  private connect(credentials: DeviceCredentials): mqtt.MqttClientConnection {
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(
      credentials.certificatePem,
      credentials.privateKeyPem,
    )
      .with_certificate_authority(credentials.caPem)
      .with_endpoint(this.options.endpoint.host)
      .with_port(this.options.endpoint.port)
      .with_client_id(`${CLAIM_CLIENT_ID_PREFIX}${this.options.claim.serialNumber}`)
      .with_clean_session(true)
      .with_keep_alive_seconds(30)
      .with_ping_timeout_ms(5000)
      .build();
    return new mqtt.MqttClient().new_connection(config);
  }

  private async fromCsr(identity: iotidentity.IotIdentityClient) {
    // Loaded here, once in a device's life: at the top, the library and its reflect-metadata polyfill would stay in
    // every provisioned device's memory for good (~10 MB of RSS; docs/benchmarks.md, cart memory).
    await import('reflect-metadata');
    const x509 = await import('@peculiar/x509');
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: `CN=${this.options.claim.serialNumber}`, keys, signingAlgorithm: algorithm },
      webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1],
    );
    const privateKeyPem = x509.PemConverter.encode(
      await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
      'PRIVATE KEY',
    );
    const response = await this.ask<iotidentity.model.CreateCertificateFromCsrResponse>(
      'CreateCertificateFromCsr',
      (on) => identity.subscribeToCreateCertificateFromCsrAccepted({}, mqtt.QoS.AtLeastOnce, on),
      (on) => identity.subscribeToCreateCertificateFromCsrRejected({}, mqtt.QoS.AtLeastOnce, on),
      () =>
        identity.publishCreateCertificateFromCsr(
          { certificateSigningRequest: csr.toString('pem') },
          mqtt.QoS.AtLeastOnce,
        ),
    );
    return { ...requireCertificate(response), privateKeyPem };
  }

  private async createKeys(identity: iotidentity.IotIdentityClient) {
    const response = await this.ask<iotidentity.model.CreateKeysAndCertificateResponse>(
      'CreateKeysAndCertificate',
      (on) => identity.subscribeToCreateKeysAndCertificateAccepted({}, mqtt.QoS.AtLeastOnce, on),
      (on) => identity.subscribeToCreateKeysAndCertificateRejected({}, mqtt.QoS.AtLeastOnce, on),
      () => identity.publishCreateKeysAndCertificate({}, mqtt.QoS.AtLeastOnce),
    );
    if (!response.privateKey) throw new FleetError('PROVISIONING_REJECTED', 'CreateKeysAndCertificate sent no key');
    return { ...requireCertificate(response), privateKeyPem: response.privateKey };
  }

  private async register(identity: iotidentity.IotIdentityClient, token: string) {
    const { claim } = this.options;
    const templateName = claim.templateName;
    const parameters: Record<string, string> = {
      ...this.options.parameters,
      SerialNumber: claim.serialNumber,
      ...(claim.storeId === undefined ? {} : { StoreId: claim.storeId }),
      ...claim.parameters,
    };
    const response = await this.ask<iotidentity.model.RegisterThingResponse>(
      'RegisterThing',
      (on) => identity.subscribeToRegisterThingAccepted({ templateName }, mqtt.QoS.AtLeastOnce, on),
      (on) => identity.subscribeToRegisterThingRejected({ templateName }, mqtt.QoS.AtLeastOnce, on),
      () =>
        identity.publishRegisterThing(
          { templateName, certificateOwnershipToken: token, parameters },
          mqtt.QoS.AtLeastOnce,
        ),
    );
    if (!response.thingName) throw new FleetError('PROVISIONING_REJECTED', 'RegisterThing named no thing');
    return { thingName: response.thingName, deviceConfiguration: response.deviceConfiguration ?? {} };
  }

  /** AWS: subscribe to both answers before asking; the answer comes on the same connection. */
  private async ask<T>(
    operation: string,
    subscribeAccepted: (on: (err?: unknown, response?: T) => void) => Promise<mqtt.MqttSubscribeRequest>,
    subscribeRejected: (
      on: (err?: unknown, response?: iotidentity.model.ErrorResponse) => void,
    ) => Promise<mqtt.MqttSubscribeRequest>,
    publish: () => Promise<unknown>,
  ): Promise<T> {
    let settle: { resolve: (value: T) => void; reject: (err: Error) => void } | undefined;
    const answer = new Promise<T>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const granted = await Promise.all([
      subscribeAccepted((err, response) => {
        if (err || !response)
          settle?.reject(new FleetError('PROVISIONING_REJECTED', `${operation}: unreadable answer`));
        else settle?.resolve(response);
      }),
      subscribeRejected((_err, response) => {
        const details = response as ProvisioningErrorResponse | undefined;
        settle?.reject(
          new FleetError(
            'PROVISIONING_REJECTED',
            `${operation} rejected: ${details?.errorCode ?? 'unknown'}: ${details?.errorMessage ?? ''}`,
            details,
          ),
        );
      }),
    ]);
    // [MQTT-3.9.3] 0x80: the claim policy does not let this certificate subscribe here.
    if (granted.some(isRefused)) {
      throw new FleetError('PROVISIONING_REJECTED', `${operation}: subscription refused (claim policy)`);
    }
    await publish();
    try {
      return await withTimeout(answer, this.options.claim.timeoutMs, this.clock);
    } catch (err) {
      if (err instanceof FleetError) throw err;
      throw new FleetError('PROVISIONING_TIMEOUT', `${operation}: no answer within ${this.options.claim.timeoutMs} ms`);
    }
  }

  /** Certificate first, identity last (renamed into place), so an interrupted write is never taken for a bundle. */
  private store(thingName: string, certificateId: string, credentials: DeviceCredentials): void {
    const dir = this.options.certDir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const write = (file: string, content: string, mode = 0o644) => {
      const path = join(dir, file);
      writeFileSync(`${path}.tmp`, content, { mode });
      chmodSync(`${path}.tmp`, mode);
      renameSync(`${path}.tmp`, path);
    };
    write(FILES.privateKey, credentials.privateKeyPem, 0o600);
    write(FILES.certificate, credentials.certificatePem);
    write(FILES.ca, credentials.caPem);
    write(FILES.identity, `${JSON.stringify({ thingName, certificateId }, null, 2)}\n`);
  }
}

function requireCertificate(response: {
  certificateId?: string;
  certificatePem?: string;
  certificateOwnershipToken?: string;
}) {
  if (!response.certificateId || !response.certificatePem || !response.certificateOwnershipToken) {
    throw new FleetError('PROVISIONING_REJECTED', 'the certificate answer is incomplete');
  }
  return {
    certificateId: response.certificateId,
    certificatePem: response.certificatePem,
    certificateOwnershipToken: response.certificateOwnershipToken,
  };
}

/** The fleet answered `Throttling` (429): too many certificate requests for now; asking later will do. */
function isThrottled(err: FleetError): boolean {
  return (
    err.code === 'PROVISIONING_REJECTED' && (err.details as ProvisioningErrorResponse | undefined)?.statusCode === 429
  );
}

/**
 * The device's own credentials and thing name. With a claim section and no bundle of its own in `certDir` yet, the
 * device provisions itself first: a rejection (bad template, parameters...) throws at once; an unreachable fleet
 * and a throttled certificate request are retried with the reconnect backoff. Without a claim section: the bundle
 * `fleetctl devices add` wrote.
 */
export async function deviceIdentity(
  config: DeviceConfig,
  log: Logger,
  clock: Clock,
  parameters: Record<string, string> = {},
): Promise<{ thingName: string; credentials: DeviceCredentials }> {
  const claim = config.claim;
  if (!claim) return { thingName: config.thingName, credentials: readCredentials(config.certDir) };
  let delay = config.reconnect.minSeconds * 1000;
  while (!hasOwnCertificate(config.certDir)) {
    try {
      const provisioner = new ClaimProvisioner(
        { endpoint: config.endpoint, claim, certDir: config.certDir, parameters },
        log.child({ part: 'claim' }),
        clock,
      );
      await provisioner.provision();
    } catch (err) {
      if (err instanceof FleetError && err.code !== 'PROVISIONING_TIMEOUT' && !isThrottled(err)) throw err;
      log.warn({ err: (err as Error).message, retryInMs: delay }, 'provisioning by claim failed; retrying');
      await sleep(clock, delay).done;
      delay = Math.min(delay * 2, config.reconnect.maxSeconds * 1000);
    }
  }
  const thingName = provisionedThingName(config.certDir) ?? config.thingName;
  if (thingName !== config.thingName) {
    log.warn({ configured: config.thingName, provisioned: thingName }, 'the fleet named this device differently');
  }
  return { thingName, credentials: readCredentials(config.certDir) };
}
