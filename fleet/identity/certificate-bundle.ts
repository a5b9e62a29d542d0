import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files a device needs to connect: its certificate, its private key (0600) and the fleet CA. */
export const BUNDLE_FILES = { certificate: 'cert.pem', privateKey: 'key.pem', ca: 'ca.pem', identity: 'thing.json' };

export interface CertificateFiles {
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
}

export function writeCertificateBundle(
  dir: string,
  bundle: CertificateFiles & { thingName: string; certificateId: string },
): void {
  writeBundle(dir, bundle, BUNDLE_FILES.identity, { thingName: bundle.thingName, certificateId: bundle.certificateId });
}

/** Certificate, private key (0600) and CA into `dir` (0700), then `record` as JSON in `recordFile`. */
export function writeBundle(dir: string, files: CertificateFiles, recordFile: string, record: object): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, BUNDLE_FILES.certificate), files.certificatePem);
  const keyPath = join(dir, BUNDLE_FILES.privateKey);
  writeFileSync(keyPath, files.privateKeyPem, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(join(dir, BUNDLE_FILES.ca), files.caPem);
  writeFileSync(join(dir, recordFile), `${JSON.stringify(record, null, 2)}\n`);
}
