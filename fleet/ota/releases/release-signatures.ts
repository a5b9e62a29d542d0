import { signManifest } from '../../../ota/release/signing.ts';
import { signatureStatuses, verifySignedRelease } from '../../../ota/release/verify.ts';
import type { PublishReleaseRequest } from '../../../protocol/api/releases.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { ReleaseManifest, SignedRelease } from '../../../protocol/ota/release.ts';
import type { ReleaseKeys } from './release-keys.ts';

/**
 * The signatures a release will carry when published. Given: every one by a trusted key must verify (a trusted key's
 * bad signature means a tampered manifest or the wrong key file: RELEASE_SIGNATURE_INVALID), and at least one must
 * (the devices' rule, `verifySignedRelease`: RELEASE_KEY_UNKNOWN when none is by a trusted key); signatures by keys
 * the fleet does not trust are kept (a key being rolled out) and shown untrusted. None given: the fleet signs with its
 * own key (RELEASE_SIGNING_KEY_MISSING without one).
 */
export function signaturesToPublish(
  manifest: ReleaseManifest,
  signatures: PublishReleaseRequest['signatures'],
  keys: ReleaseKeys,
): SignedRelease {
  const { keyring, signingKey } = keys;
  if (signatures === undefined) {
    if (!signingKey) {
      throw new FleetError(
        'RELEASE_SIGNING_KEY_MISSING',
        'the manifest is not signed and the fleet has no signing key (ota.signingKeyFile): sign it with `fleetctl releases sign`',
      );
    }
    return { manifest, signatures: [signManifest(manifest, signingKey)] };
  }
  const signed = { manifest, signatures };
  const bad = signatureStatuses(signed, keyring).find((s) => s.trusted && !s.valid);
  if (bad) {
    throw new FleetError('RELEASE_SIGNATURE_INVALID', `the signature by key ${bad.keyId} does not match the manifest`);
  }
  const verdict = verifySignedRelease(signed, keyring);
  if (!verdict.ok) {
    throw new FleetError(
      verdict.code === 'OTA_KEY_UNKNOWN' ? 'RELEASE_KEY_UNKNOWN' : 'RELEASE_SIGNATURE_INVALID',
      verdict.message,
    );
  }
  return signed;
}
