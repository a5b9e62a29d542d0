import assert from 'node:assert/strict';
import { Keyring } from '../../../ota/release/keyring.ts';
import { generateSigningKey } from '../../../ota/release/signing.ts';
import {
  checkCompatibility,
  type DeviceFacts,
  isAlreadyInstalled,
  manifestProblems,
  parseReleaseManifest,
  parseSignedRelease,
  signatureStatuses,
  verifySignedRelease,
} from '../../../ota/release/verify.ts';
import { signedRelease, testManifest } from '../../helpers/ota-release.ts';

describe('release rules: signatures against a keyring', () => {
  const oldKey = generateSigningKey();
  const newKey = generateSigningKey();
  const stranger = generateSigningKey();
  const manifest = testManifest();

  it('accepts a release signed by a trusted key and says which key verified it', () => {
    const verdict = verifySignedRelease(signedRelease(manifest, oldKey), Keyring.fromPems([oldKey.publicKeyPem]));
    assert.deepEqual(verdict, { ok: true, keyId: oldKey.keyId });
  });

  it('is OTA_KEY_UNKNOWN when no signature is by a trusted key', () => {
    const verdict = verifySignedRelease(signedRelease(manifest, stranger), Keyring.fromPems([oldKey.publicKeyPem]));
    assert.equal(verdict.ok, false);
    assert.equal(!verdict.ok && verdict.code, 'OTA_KEY_UNKNOWN');
    assert.match(!verdict.ok ? verdict.message : '', new RegExp(stranger.keyId));
  });

  it('is OTA_SIGNATURE_INVALID when a trusted key’s signature does not match (one byte of the manifest changed)', () => {
    const signed = signedRelease(manifest, oldKey);
    const keyring = Keyring.fromPems([oldKey.publicKeyPem]);
    for (const tampered of [
      { ...signed, manifest: { ...manifest, upgradeFrom: '>=0.0.0' } },
      { ...signed, manifest: { ...manifest, artifact: { ...manifest.artifact, size: manifest.artifact.size + 1 } } },
    ]) {
      const verdict = verifySignedRelease(tampered, keyring);
      assert.equal(!verdict.ok && verdict.code, 'OTA_SIGNATURE_INVALID');
    }
    // A signature by the trusted key id that is really another key's signature.
    const forged = signedRelease(manifest, stranger);
    forged.signatures[0]!.keyId = oldKey.keyId;
    const verdict = verifySignedRelease(forged, keyring);
    assert.equal(!verdict.ok && verdict.code, 'OTA_SIGNATURE_INVALID');
  });

  it('needs one valid trusted signature (threshold 1): rotation with old and new key, strangers ignored', () => {
    const both = signedRelease(manifest, stranger, oldKey, newKey);
    assert.deepEqual(verifySignedRelease(both, Keyring.fromPems([oldKey.publicKeyPem])), {
      ok: true,
      keyId: oldKey.keyId,
    });
    assert.deepEqual(verifySignedRelease(both, Keyring.fromPems([newKey.publicKeyPem])), {
      ok: true,
      keyId: newKey.keyId,
    });
    // One trusted signature damaged, another trusted one valid: still accepted.
    const damaged = signedRelease(manifest, oldKey, newKey);
    damaged.signatures[0]!.signature = damaged.signatures[1]!.signature;
    const keyring = Keyring.fromPems([oldKey.publicKeyPem, newKey.publicKeyPem]);
    assert.deepEqual(verifySignedRelease(damaged, keyring), { ok: true, keyId: newKey.keyId });
    assert.deepEqual(signatureStatuses(damaged, keyring), [
      { keyId: oldKey.keyId, trusted: true, valid: false },
      { keyId: newKey.keyId, trusted: true, valid: true },
    ]);
  });

  it('reports each signature’s status: a stranger’s is untrusted and not judged valid', () => {
    const signed = signedRelease(manifest, oldKey, stranger);
    assert.deepEqual(signatureStatuses(signed, Keyring.fromPems([oldKey.publicKeyPem])), [
      { keyId: oldKey.keyId, trusted: true, valid: true },
      { keyId: stranger.keyId, trusted: false, valid: false },
    ]);
  });
});

describe('release rules: compatibility with a device', () => {
  const cart = (installed: DeviceFacts['installed'], hardwareModel: string | null = 'HF-C2'): DeviceFacts => ({
    kind: 'cart',
    hardwareModel,
    installed,
  });
  const noDowngrade = { allowDowngrade: false };

  it('accepts an upgrade inside upgradeFrom, a first install, and a model listed', () => {
    assert.equal(
      checkCompatibility(testManifest(), cart({ name: 'cart-runtime', version: '1.0.3' }), noDowngrade),
      null,
    );
    assert.equal(checkCompatibility(testManifest(), cart(null), noDowngrade), null);
    const forModels = testManifest({ hardwareModels: ['HF-C1', 'HF-C2'] });
    assert.equal(checkCompatibility(forModels, cart(null, 'HF-C2'), noDowngrade), null);
  });

  it('is OTA_KIND_MISMATCH for another kind of device, before anything else', () => {
    const speakerRelease = testManifest({ name: 'speaker-runtime', deviceKinds: ['speaker'], upgradeFrom: '>=9.0.0' });
    const failure = checkCompatibility(speakerRelease, cart({ name: 'cart-runtime', version: '5.0.0' }), noDowngrade);
    assert.equal(failure?.code, 'OTA_KIND_MISMATCH');
  });

  it('is OTA_HARDWARE_MISMATCH for a model not listed, or a device whose model is unknown', () => {
    const forC1 = testManifest({ hardwareModels: ['HF-C1'] });
    assert.equal(checkCompatibility(forC1, cart(null, 'HF-C2'), noDowngrade)?.code, 'OTA_HARDWARE_MISMATCH');
    assert.equal(checkCompatibility(forC1, cart(null, null), noDowngrade)?.code, 'OTA_HARDWARE_MISMATCH');
    // Empty list: every model of the kind (positive control with a model set).
    assert.equal(checkCompatibility(testManifest(), cart(null, 'ANY-1'), noDowngrade), null);
  });

  it('is OTA_DOWNGRADE for a lower version unless the rollout allows it; then upgradeFrom does not apply', () => {
    const old = testManifest({ version: '1.0.0', upgradeFrom: '<1.0.0' });
    const installed = { name: 'cart-runtime', version: '1.1.0' };
    assert.equal(checkCompatibility(old, cart(installed), noDowngrade)?.code, 'OTA_DOWNGRADE');
    assert.equal(checkCompatibility(old, cart(installed), { allowDowngrade: true }), null);
    // A prerelease is lower than its release (SemVer §11).
    const rc = testManifest({ version: '1.1.0-rc.1' });
    assert.equal(checkCompatibility(rc, cart(installed), noDowngrade)?.code, 'OTA_DOWNGRADE');
  });

  it('is OTA_UPGRADE_PATH outside upgradeFrom, for another release name, or a version that does not parse', () => {
    const two = testManifest({ version: '2.0.0', upgradeFrom: '>=1.5.0 <2.0.0' });
    assert.equal(
      checkCompatibility(two, cart({ name: 'cart-runtime', version: '1.4.9' }), noDowngrade)?.code,
      'OTA_UPGRADE_PATH',
    );
    assert.equal(checkCompatibility(two, cart({ name: 'cart-runtime', version: '1.5.0' }), noDowngrade), null);
    assert.equal(
      checkCompatibility(testManifest(), cart({ name: 'cart-runtime-legacy', version: '1.0.0' }), noDowngrade)?.code,
      'OTA_UPGRADE_PATH',
    );
    assert.equal(
      checkCompatibility(testManifest(), cart({ name: 'cart-runtime', version: 'v1' }), noDowngrade)?.code,
      'OTA_UPGRADE_PATH',
    );
  });

  it('counts a prerelease as inside a plain range (includePrerelease), unlike node-semver’s default', () => {
    assert.equal(
      checkCompatibility(testManifest(), cart({ name: 'cart-runtime', version: '1.0.1-beta.2' }), noDowngrade),
      null,
    );
  });

  it('the same version is compatible and already installed (build metadata ignored): the agent reports it done', () => {
    const manifest = testManifest({ version: '1.1.0+build.7' });
    const installed = { name: 'cart-runtime', version: '1.1.0' };
    // The range does not contain 1.1.0: the same version is not judged against it.
    assert.equal(checkCompatibility(manifest, cart(installed), noDowngrade), null);
    assert.equal(isAlreadyInstalled(manifest, installed), true);
    assert.equal(isAlreadyInstalled(manifest, { name: 'cart-runtime', version: '1.0.9' }), false);
    assert.equal(isAlreadyInstalled(manifest, { name: 'other', version: '1.1.0' }), false);
    assert.equal(isAlreadyInstalled(manifest, null), false);
  });
});

describe('release rules: manifests', () => {
  it('a sound manifest has no problems and parses', () => {
    assert.deepEqual(manifestProblems(testManifest()), []);
    const parsed = parseReleaseManifest(
      JSON.parse(JSON.stringify(testManifest({ notes: 'fixes', metadata: { a: 1 } }))),
    );
    assert.equal(parsed.ok, true);
  });

  it('refuses with RELEASE_INVALID: a media type of another component, a bad range, a bad instant, a bad semver', () => {
    const cases: [unknown, RegExp][] = [
      [
        testManifest({ artifact: { ...testManifest().artifact, mediaType: 'application/json' } }),
        /artifact\.mediaType: a software artifact is application\/x-tar/,
      ],
      [testManifest({ upgradeFrom: '>=1.0.0 <<2' }), /upgradeFrom/],
      [testManifest({ createdAt: 'yesterday' }), /createdAt/],
      [testManifest({ version: '1.2' }), /version/],
      [testManifest({ version: 'v1.2.0' }), /version/],
      [{ ...testManifest(), deviceKinds: ['fridge'] }, /deviceKinds/],
      [{ ...testManifest(), schema: 2 }, /schema/],
      [{ ...testManifest(), extra: true }, /additional properties/],
      [{ ...testManifest(), artifact: { ...testManifest().artifact, sha256: 'ABC' } }, /artifact\.sha256/],
    ];
    for (const [raw, message] of cases) {
      const parsed = parseReleaseManifest(raw);
      assert.equal(parsed.ok, false, String(message));
      assert.equal(!parsed.ok && parsed.code, 'RELEASE_INVALID');
      assert.match(!parsed.ok ? parsed.message : '', message);
    }
  });

  it('parses a signed release and names the manifest’s problems under manifest.', () => {
    const signed = signedRelease(testManifest());
    assert.equal(parseSignedRelease(JSON.parse(JSON.stringify(signed))).ok, true);
    const bad = parseSignedRelease({ ...signed, manifest: { ...signed.manifest, createdAt: 'soon' } });
    assert.match(!bad.ok ? bad.message : '', /^manifest\.createdAt/);
    const unsigned = parseSignedRelease({ ...signed, signatures: [] });
    assert.equal(!unsigned.ok && unsigned.code, 'RELEASE_INVALID');
  });
});
