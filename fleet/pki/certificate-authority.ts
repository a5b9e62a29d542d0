import 'reflect-metadata';
import { createHash, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Logger } from '../../platform/log.ts';
import { FleetError } from '../../protocol/errors.ts';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256: small keys, fast handshakes, accepted by AWS IoT Core and aws-crt. */
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface IssuedCertificate {
  /** AWS-style certificate id: the SHA-256 fingerprint of the DER encoding, 64 lower-case hex characters. */
  certificateId: string;
  certificatePem: string;
  privateKeyPem: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateAuthorityOptions {
  dir: string;
  hostNames: string[];
  caValidityDays: number;
  serverValidityDays: number;
  deviceValidityDays: number;
  commonName: string;
}

/** The CA's options from the fleet configuration (one place, for the server and fleetctl). */
export function certificateAuthorityOptions(config: {
  dataDir: string;
  pki: {
    hostNames: string[];
    caValidityDays: number;
    serverValidityDays: number;
    deviceValidityDays: number;
    caCommonName: string;
  };
}): CertificateAuthorityOptions {
  return {
    dir: join(config.dataDir, 'pki'),
    hostNames: config.pki.hostNames,
    caValidityDays: config.pki.caValidityDays,
    serverValidityDays: config.pki.serverValidityDays,
    deviceValidityDays: config.pki.deviceValidityDays,
    commonName: config.pki.caCommonName,
  };
}

/**
 * The fleet's own certificate authority, kept in `{dataDir}/pki`. Created on first start; the server certificate is
 * reissued whenever the configured host names change. The CA key never leaves this directory (mode 0600).
 */
export class CertificateAuthority {
  private caCert: x509.X509Certificate | undefined;
  private caKey: CryptoKey | undefined;
  private server: { certPem: string; keyPem: string } | undefined;

  constructor(
    private readonly options: CertificateAuthorityOptions,
    private readonly log: Logger,
  ) {}

  /**
   * Loads (or creates) the CA; with `serverCertificate` (the fleet server) also makes sure the server certificate
   * matches the configured host names. Tools that only issue device certificates (fleetctl) pass `false`, so a
   * tool run with another config never replaces the server's certificate.
   */
  async start(options: { serverCertificate: boolean } = { serverCertificate: true }): Promise<void> {
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const caCertPath = join(this.options.dir, 'ca.cert.pem');
    const caKeyPath = join(this.options.dir, 'ca.key.pem');
    if (existsSync(caCertPath) && existsSync(caKeyPath)) {
      this.caCert = new x509.X509Certificate(readFileSync(caCertPath, 'utf8'));
      this.caKey = await importPrivateKey(readFileSync(caKeyPath, 'utf8'));
    } else {
      await this.createCa(caCertPath, caKeyPath);
    }
    if (options.serverCertificate) await this.ensureServerCertificate();
  }

  get caPem(): string {
    return this.requireCa().cert.toString('pem');
  }

  get serverCertificatePem(): string {
    return this.requireServer().certPem;
  }

  get serverPrivateKeyPem(): string {
    return this.requireServer().keyPem;
  }

  /** Issues a client certificate whose subject CN is `commonName` (by convention the thing name). */
  async issueClientCertificate(commonName: string): Promise<IssuedCertificate> {
    const keys = await generateKeys();
    const cert = await this.sign({
      subject: commonName,
      publicKey: keys.publicKey,
      validityDays: this.options.deviceValidityDays,
      extensions: clientExtensions(),
    });
    return describe(cert, await exportPrivateKey(keys.privateKey));
  }

  /**
   * Issues a client certificate for the public key of a PKCS #10 request (AWS's CreateCertificateFromCsr): the key
   * pair stays on the device. The request's self-signature must verify. Only the key is taken from it: the subject
   * and every extension are the fleet's, so a device cannot ask for a name or a usage.
   */
  async signCertificateRequest(csrPem: string, commonName: string): Promise<Omit<IssuedCertificate, 'privateKeyPem'>> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem.trim());
    } catch {
      throw new FleetError('PROVISIONING_CSR_INVALID', 'the certificate signing request is not a PEM PKCS #10 request');
    }
    const algorithm = csr.publicKey.algorithm as { name?: string; namedCurve?: string; modulusLength?: number };
    const acceptable =
      (algorithm.name === 'ECDSA' && ['P-256', 'P-384'].includes(algorithm.namedCurve ?? '')) ||
      (algorithm.name === 'RSASSA-PKCS1-v1_5' && (algorithm.modulusLength ?? 0) >= 2048);
    if (!acceptable) {
      throw new FleetError('PROVISIONING_CSR_INVALID', 'the key must be ECDSA P-256/P-384 or RSA of 2048 bits or more');
    }
    let verified = false;
    try {
      verified = await csr.verify();
    } catch {
      verified = false;
    }
    if (!verified) throw new FleetError('PROVISIONING_CSR_INVALID', 'the request is not signed by its own key');
    const cert = await this.sign({
      subject: commonName,
      publicKey: csr.publicKey,
      validityDays: this.options.deviceValidityDays,
      extensions: clientExtensions(),
    });
    const { privateKeyPem: _none, ...issued } = describe(cert, '');
    return issued;
  }

  private async createCa(certPath: string, keyPath: string): Promise<void> {
    const keys = await generateKeys();
    const notBefore = new Date(Date.now() - 60_000);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=${escapeDn(this.options.commonName)}`,
      notBefore,
      notAfter: new Date(notBefore.getTime() + this.options.caValidityDays * DAY_MS),
      signingAlgorithm: KEY_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    writeSecret(keyPath, await exportPrivateKey(keys.privateKey));
    writeFileSync(certPath, cert.toString('pem'));
    this.caCert = cert;
    this.caKey = keys.privateKey;
    this.log.info({ subject: cert.subject, certificateId: certificateIdOf(cert.toString('pem')) }, 'created fleet CA');
  }

  private async ensureServerCertificate(): Promise<void> {
    const certPath = join(this.options.dir, 'server.cert.pem');
    const keyPath = join(this.options.dir, 'server.key.pem');
    const namesPath = join(this.options.dir, 'server.names.json');
    const wanted = JSON.stringify([...this.options.hostNames].sort());
    if (existsSync(certPath) && existsSync(keyPath) && existsSync(namesPath)) {
      const certPem = readFileSync(certPath, 'utf8');
      const stillValid =
        new X509Certificate(certPem).validTo &&
        Date.parse(new X509Certificate(certPem).validTo) > Date.now() + 7 * DAY_MS;
      if (readFileSync(namesPath, 'utf8') === wanted && stillValid) {
        this.server = { certPem, keyPem: readFileSync(keyPath, 'utf8') };
        return;
      }
    }
    const keys = await generateKeys();
    const names = this.options.hostNames.map((name) =>
      isIP(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name },
    );
    const cert = await this.sign({
      subject: this.options.hostNames[0] ?? 'localhost',
      publicKey: keys.publicKey,
      validityDays: this.options.serverValidityDays,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(names),
      ],
    });
    const keyPem = await exportPrivateKey(keys.privateKey);
    writeSecret(keyPath, keyPem);
    writeFileSync(certPath, cert.toString('pem'));
    writeFileSync(namesPath, wanted);
    this.server = { certPem: cert.toString('pem'), keyPem };
    this.log.info({ hostNames: this.options.hostNames }, 'issued server certificate');
  }

  private async sign(request: {
    subject: string;
    publicKey: CryptoKey | x509.PublicKey;
    validityDays: number;
    extensions: x509.Extension[];
  }): Promise<x509.X509Certificate> {
    const ca = this.requireCa();
    const notBefore = new Date(Date.now() - 60_000);
    return x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${escapeDn(request.subject)}`,
      issuer: ca.cert.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + request.validityDays * DAY_MS),
      signingAlgorithm: KEY_ALGORITHM,
      publicKey: request.publicKey,
      signingKey: ca.key,
      extensions: [
        ...request.extensions,
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
        await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      ],
    });
  }

  private requireCa(): { cert: x509.X509Certificate; key: CryptoKey } {
    if (!this.caCert || !this.caKey) throw new Error('CertificateAuthority used before start()');
    return { cert: this.caCert, key: this.caKey };
  }

  private requireServer(): { certPem: string; keyPem: string } {
    if (!this.server) throw new Error('CertificateAuthority used before start()');
    return this.server;
  }
}

/** AWS-style certificate id of a PEM certificate: hex SHA-256 of its DER bytes. */
export function certificateIdOf(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('hex');
}

/** Certificate id from the colon-separated fingerprint Node reports for a TLS peer. */
export function certificateIdFromFingerprint(fingerprint256: string): string {
  return fingerprint256.replaceAll(':', '').toLowerCase();
}

function clientExtensions(): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
  ];
}

function describe(cert: x509.X509Certificate, privateKeyPem: string): IssuedCertificate {
  const certificatePem = cert.toString('pem');
  return {
    certificateId: certificateIdOf(certificatePem),
    certificatePem,
    privateKeyPem,
    serialNumber: cert.serialNumber,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('CA key file holds no PEM block');
  return (await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign'])) as CryptoKey;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER [RFC 5280 4.1.2.2]
  return Buffer.from(bytes).toString('hex');
}

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}
