import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Keyring } from '../../../ota/release/keyring.ts';
import { keyIdOf, loadPrivateKey, publicKeyOf } from '../../../ota/release/signing.ts';
import { FleetError } from '../../../protocol/errors.ts';

/** The fleet's release keys: whom it trusts, and the key it signs with when a publish carries no signature. */
export interface ReleaseKeys {
  keyring: Keyring;
  /** The fleet's own signing key (`ota.signingKeyFile`), `null` when it has none. */
  signingKey: KeyObject | null;
  signingKeyId: string | null;
}

/**
 * Reads `ota.signingKeyFile` and `ota.trustedKeys` (each a SPKI PEM file's path or the PEM itself). The private key
 * stays in this process's memory only: it is never written to SQLite, never logged (only its key id is). A key that
 * cannot be read or is not Ed25519 stops the fleet at start (CONFIG_INVALID), naming the entry, not the key.
 */
export function loadReleaseKeys(config: {
  signingKeyFile: string | null;
  trustedKeys: readonly string[];
}): ReleaseKeys {
  const keyring = new Keyring();
  config.trustedKeys.forEach((entry, i) => {
    const inline = entry.includes('-----BEGIN');
    try {
      keyring.addPem(inline ? entry : readFileSync(entry, 'utf8'));
    } catch (err) {
      const where = inline ? `ota.trustedKeys[${i}] (inline PEM)` : `ota.trustedKeys[${i}] (${entry})`;
      throw new FleetError('CONFIG_INVALID', `${where}: ${(err as Error).message}`);
    }
  });
  if (config.signingKeyFile === null) return { keyring, signingKey: null, signingKeyId: null };
  let signingKey: KeyObject;
  try {
    signingKey = loadPrivateKey(readFileSync(config.signingKeyFile, 'utf8'));
  } catch (err) {
    // The message of a PEM parse error never contains the key's bytes; the path is safe to show.
    throw new FleetError('CONFIG_INVALID', `ota.signingKeyFile (${config.signingKeyFile}): ${(err as Error).message}`);
  }
  // What the fleet signs, it trusts: a release it signed must pass its own check (and the devices', which get the
  // same public key in their config).
  keyring.add(publicKeyOf(signingKey));
  return { keyring, signingKey, signingKeyId: keyIdOf(signingKey) };
}
