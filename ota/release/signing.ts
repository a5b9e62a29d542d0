import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import type { ReleaseManifest, ReleaseSignature } from '../../protocol/ota/release.ts';
import { canonicalJsonBytes } from './canonical-json.ts';

/**
 * Ed25519 (RFC 8032) signatures over a release manifest's canonical JSON (RFC 8785). Ed25519 is deterministic (no
 * per-signature randomness to get wrong), has 32-byte keys and 64-byte signatures that fit a job document many times
 * over, and node:crypto signs and verifies it natively (`crypto.sign(null, ...)`: Ed25519 hashes internally, so no
 * digest is named). Key files are the standard PEM containers OpenSSL reads too: PKCS#8 for private keys, SPKI for
 * public keys (`openssl pkey -in key.pem -pubout`).
 */

/**
 * The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): SEQUENCE { SEQUENCE { OID 1.3.101.112 },
 * BIT STRING (0 unused bits) }, followed by the raw 32-byte public key.
 */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** A new signing key: its PKCS#8 PEM (keep it out of the database and off the fleet if you can), public PEM and id. */
export type GeneratedSigningKey = { privateKeyPem: string; publicKeyPem: string; keyId: string };

export function generateSigningKey(): GeneratedSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKeyPem(publicKey),
    keyId: keyIdOf(publicKey),
  };
}

/** Thrown for key material that is not an Ed25519 key of the expected kind (wrong algorithm, not PEM, public for private). */
export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** A PKCS#8 PEM private key, which must be Ed25519. */
export function loadPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new SigningKeyError(`not a PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`the private key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  }
  return key;
}

/** A SPKI PEM public key, which must be Ed25519. A private key's PEM is refused: a verify key never carries it. */
export function loadPublicKey(pem: string): KeyObject {
  if (pem.includes('PRIVATE KEY')) throw new SigningKeyError('a private key was given where a public key is expected');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new SigningKeyError(`not a PEM public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`the public key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  }
  return key;
}

/** The public half of a private key. */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** The raw 32-byte Ed25519 public key (RFC 8032 §5.1.5), taken from its SPKI DER encoding. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  if (
    der.length !== ED25519_SPKI_PREFIX.length + ED25519_PUBLIC_KEY_BYTES ||
    !der.subarray(0, 12).equals(ED25519_SPKI_PREFIX)
  ) {
    throw new SigningKeyError('not an Ed25519 SubjectPublicKeyInfo');
  }
  return der.subarray(ED25519_SPKI_PREFIX.length);
}

/**
 * The key id (`KEY_ID_PATTERN`): the first 16 hex digits of the sha256 of the raw public key. Taken from the raw key,
 * not from the PEM, so the same key has the same id however its file is wrapped or re-encoded. Takes a private key
 * too (its public half is used).
 */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? publicKeyOf(key) : key;
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** The bytes a release signature covers: the manifest's RFC 8785 canonical JSON in UTF-8. */
export function manifestSigningBytes(manifest: ReleaseManifest): Buffer {
  return canonicalJsonBytes(manifest);
}

/** Signs a manifest with an Ed25519 private key. */
export function signManifest(manifest: ReleaseManifest, privateKey: KeyObject): ReleaseSignature {
  const signature = sign(null, manifestSigningBytes(manifest), privateKey);
  return { keyId: keyIdOf(privateKey), algorithm: 'ed25519', signature: signature.toString('base64') };
}

/**
 * Whether `signature` is a valid Ed25519 signature of the manifest by `publicKey`. Only the signature bytes are
 * checked here; whether the key is trusted is the keyring's question ({@link verifySignedRelease}). A signature that
 * is not 64 bytes of strict base64 is simply invalid.
 */
export function verifyManifestSignature(
  manifest: ReleaseManifest,
  signature: ReleaseSignature,
  publicKey: KeyObject,
): boolean {
  if (signature.algorithm !== 'ed25519') return false;
  const bytes = decodeSignature(signature.signature);
  if (!bytes) return false;
  try {
    return verify(null, manifestSigningBytes(manifest), publicKey, bytes);
  } catch {
    return false;
  }
}

// Node's base64 decoder skips characters outside the alphabet, so "AAAA!!" would decode; the round trip refuses
// anything but the one canonical encoding of 64 bytes.
function decodeSignature(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== ED25519_SIGNATURE_BYTES || bytes.toString('base64') !== text) return null;
  return bytes;
}
