import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../../ota/release/canonical-json.ts';
import { Keyring } from '../../../ota/release/keyring.ts';
import {
  generateSigningKey,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  publicKeyOf,
  rawPublicKey,
  SigningKeyError,
  signManifest,
  verifyManifestSignature,
} from '../../../ota/release/signing.ts';
import { KEY_ID_PATTERN } from '../../../protocol/ota/release.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { testManifest } from '../../helpers/ota-release.ts';

// RFC 8032 §7.1, TEST 1: the secret key, its public key, and the signature of the empty message.
const RFC8032_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

function rfc8032Key() {
  // PKCS#8 (RFC 8410 §7): the fixed header of an Ed25519 private key, then the 32-byte seed.
  const der = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    Buffer.from(RFC8032_SECRET, 'hex'),
  ]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

describe('release signing (Ed25519, RFC 8032, over RFC 8785 canonical JSON)', () => {
  it('is plain Ed25519: RFC 8032’s test vector 1 signs and its raw public key comes out of the SPKI', () => {
    const key = rfc8032Key();
    assert.equal(sign(null, Buffer.alloc(0), key).toString('hex'), RFC8032_SIGNATURE);
    assert.equal(rawPublicKey(publicKeyOf(key)).toString('hex'), RFC8032_PUBLIC);
    // The key id is over the raw 32 bytes, not the PEM or the DER around them.
    const expectedId = createHash('sha256').update(Buffer.from(RFC8032_PUBLIC, 'hex')).digest('hex').slice(0, 16);
    assert.equal(keyIdOf(key), expectedId);
    assert.equal(keyIdOf(publicKeyOf(key)), expectedId);
  });

  it('generates a PKCS#8 private key, a SPKI public key and the id both give', () => {
    const key = generateSigningKey();
    assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(key.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.match(key.keyId, new RegExp(KEY_ID_PATTERN));
    assert.equal(keyIdOf(loadPrivateKey(key.privateKeyPem)), key.keyId);
    assert.equal(keyIdOf(loadPublicKey(key.publicKeyPem)), key.keyId);
    // The JWK's `x` is the raw key too (RFC 8037): an independent way to the same id.
    const x = loadPublicKey(key.publicKeyPem).export({ format: 'jwk' }).x!;
    assert.equal(createHash('sha256').update(Buffer.from(x, 'base64url')).digest('hex').slice(0, 16), key.keyId);
    assert.notEqual(generateSigningKey().keyId, key.keyId);
  });

  it('signs the manifest’s canonical JSON, whatever order its members come in', () => {
    const key = generateSigningKey();
    const manifest = testManifest();
    const signature = signManifest(manifest, loadPrivateKey(key.privateKeyPem));
    assert.equal(signature.keyId, key.keyId);
    assert.equal(signature.algorithm, 'ed25519');
    assert.equal(Buffer.from(signature.signature, 'base64').length, 64);
    // Checked with node:crypto directly over the canonical bytes: the signature covers exactly those.
    const bytes = Buffer.from(canonicalJson(manifest), 'utf8');
    assert.equal(
      verify(null, bytes, loadPublicKey(key.publicKeyPem), Buffer.from(signature.signature, 'base64')),
      true,
    );
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(manifest).reverse())));
    assert.equal(verifyManifestSignature(reordered, signature, loadPublicKey(key.publicKeyPem)), true);
  });

  it('a changed manifest, another key or a damaged signature does not verify', () => {
    const key = generateSigningKey();
    const publicKey = loadPublicKey(key.publicKeyPem);
    const manifest = testManifest({ metadata: { entry: 'dist/devices/cart/main.js' } });
    const signature = signManifest(manifest, loadPrivateKey(key.privateKeyPem));
    assert.equal(verifyManifestSignature(manifest, signature, publicKey), true, 'positive control');

    const tampered = [
      { ...manifest, version: '1.1.1' },
      { ...manifest, deviceKinds: ['cart', 'speaker'] as ('cart' | 'speaker')[] },
      { ...manifest, artifact: { ...manifest.artifact, sha256: `${manifest.artifact.sha256.slice(0, 63)}0` } },
      { ...manifest, metadata: { entry: 'dist/devices/cart/main.jS' } },
      { ...manifest, notes: '' },
    ];
    for (const other of tampered) assert.equal(verifyManifestSignature(other, signature, publicKey), false);

    assert.equal(verifyManifestSignature(manifest, signature, loadPublicKey(generateSigningKey().publicKeyPem)), false);
    const bytes = Buffer.from(signature.signature, 'base64');
    bytes[10]! ^= 0x01;
    assert.equal(
      verifyManifestSignature(manifest, { ...signature, signature: bytes.toString('base64') }, publicKey),
      false,
    );
    // Not the canonical base64 of 64 bytes: Node's decoder would skip the stray characters, the check does not.
    assert.equal(
      verifyManifestSignature(manifest, { ...signature, signature: `${signature.signature}!!` }, publicKey),
      false,
    );
    assert.equal(
      verifyManifestSignature(manifest, { ...signature, signature: signature.signature.slice(4) }, publicKey),
      false,
    );
    assert.equal(verifyManifestSignature(manifest, { ...signature, algorithm: 'rsa' as 'ed25519' }, publicKey), false);
  });

  it('loads only Ed25519 keys of the expected kind, with a readable refusal', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPrivate = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ecPublic = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const key = generateSigningKey();
    assert.throws(() => loadPrivateKey(ecPrivate), { name: 'SigningKeyError', message: /is ec, not ed25519/ });
    assert.throws(() => loadPublicKey(ecPublic), { name: 'SigningKeyError', message: /is ec, not ed25519/ });
    assert.throws(() => loadPrivateKey('not a key'), SigningKeyError);
    assert.throws(() => loadPrivateKey(key.publicKeyPem), SigningKeyError);
    assert.throws(() => loadPublicKey(key.privateKeyPem), { name: 'SigningKeyError', message: /private key/ });
    // Positive control: the right kinds load.
    assert.equal(loadPrivateKey(key.privateKeyPem).asymmetricKeyType, 'ed25519');
    assert.equal(loadPublicKey(key.publicKeyPem).type, 'public');
  });
});

describe('keyring (trusted verify keys by id)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('keyring-');
  });
  afterEach(() => dir.cleanup());

  it('holds public keys by id, from PEM texts and files, and the public half of a signing key', async () => {
    const [a, b, c] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
    const file = join(dir.path, 'b.pub.pem');
    await writeFile(file, b.publicKeyPem);
    const keyring = Keyring.fromPems([a.publicKeyPem]);
    keyring.addPem((await Keyring.fromFiles([file])).get(b.keyId)!.publicKeyPem);
    assert.equal(keyring.addPrivateKeyPem(c.privateKeyPem), c.keyId);
    assert.deepEqual(keyring.keyIds(), [a.keyId, b.keyId, c.keyId].sort());
    assert.equal(keyring.size, 3);
    assert.equal(keyring.get(c.keyId)!.publicKey.type, 'public', 'never the private key');
    assert.equal(keyring.has(generateSigningKey().keyId), false);
    // The same key twice is one entry.
    keyring.addPem(a.publicKeyPem);
    assert.equal(keyring.size, 3);
  });

  it('refuses a private key as a verify key, a missing file, and a key that is not Ed25519', async () => {
    const key = generateSigningKey();
    assert.throws(() => Keyring.fromPems([key.privateKeyPem]), SigningKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    assert.throws(() => Keyring.fromPems([ec.toString()]), SigningKeyError);
    await assert.rejects(
      Keyring.fromFiles([join(dir.path, 'missing.pem')]),
      /cannot read the verify key .*missing\.pem/,
    );
  });
});
