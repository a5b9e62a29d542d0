import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files a device needs to connect: its certificate, its private key (0600) and the fleet CA. */
export const BUNDLE_FILES = { certificate: 'cert.pem', privateKey: 'key.pem', ca: 'ca.pem', identity: 'thing.json' };

export function writeCertificateBundle(
  dir: string,
  bundle: { thingName: string; certificateId: string; certificatePem: string; privateKeyPem: string; caPem: string },
): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, BUNDLE_FILES.certificate), bundle.certificatePem);
  const keyPath = join(dir, BUNDLE_FILES.privateKey);
  writeFileSync(keyPath, bundle.privateKeyPem, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(join(dir, BUNDLE_FILES.ca), bundle.caPem);
  writeFileSync(
    join(dir, BUNDLE_FILES.identity),
    `${JSON.stringify({ thingName: bundle.thingName, certificateId: bundle.certificateId }, null, 2)}\n`,
  );
}
