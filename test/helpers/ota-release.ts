import { createHash } from 'node:crypto';
import {
  type GeneratedSigningKey,
  generateSigningKey,
  loadPrivateKey,
  signManifest,
} from '../../ota/release/signing.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest, type SignedRelease } from '../../protocol/ota/release.ts';

/** A release manifest for tests: a cart runtime 1.1.0 upgrading from 1.x, with `overrides` on top. */
export function testManifest(
  overrides: Partial<ReleaseManifest> = {},
  artifact: Buffer = Buffer.from('cart runtime 1.1.0'),
): ReleaseManifest {
  return {
    schema: 1,
    component: 'software',
    name: 'cart-runtime',
    version: '1.1.0',
    deviceKinds: ['cart'],
    hardwareModels: [],
    upgradeFrom: '>=1.0.0 <2.0.0',
    artifact: {
      sha256: createHash('sha256').update(artifact).digest('hex'),
      size: artifact.length,
      mediaType: ARTIFACT_MEDIA_TYPES[overrides.component ?? 'software'],
    },
    createdAt: '2027-01-15T08:00:00.000Z',
    ...overrides,
  };
}

/** A manifest signed by each of `keys` (a fresh key when none is given). */
export function signedRelease(manifest: ReleaseManifest, ...keys: GeneratedSigningKey[]): SignedRelease {
  const signers = keys.length > 0 ? keys : [generateSigningKey()];
  return { manifest, signatures: signers.map((key) => signManifest(manifest, loadPrivateKey(key.privateKeyPem))) };
}
