import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { keyIdOf, loadPrivateKey, loadPublicKey, publicKeyOf, publicKeyPem } from './signing.ts';

/** One trusted verify key. */
export type TrustedKey = { keyId: string; publicKey: KeyObject; publicKeyPem: string };

/**
 * The verify keys a fleet or a device trusts, by key id. A device holds more than one so a signing key can rotate:
 * the new public key is shipped (in a config release signed by the old key) before anything is signed with it, and
 * the old one is dropped only once every release in use carries a signature by the new one.
 */
export class Keyring {
  private readonly keys = new Map<string, TrustedKey>();

  /** From SPKI PEM texts (a PKCS#8 private key is refused: verify keys only). */
  static fromPems(pems: readonly string[]): Keyring {
    const keyring = new Keyring();
    for (const pem of pems) keyring.addPem(pem);
    return keyring;
  }

  /** From files each holding one SPKI PEM public key. */
  static async fromFiles(paths: readonly string[]): Promise<Keyring> {
    const pems = await Promise.all(
      paths.map(async (path) => {
        try {
          return await readFile(path, 'utf8');
        } catch (err) {
          throw new Error(`cannot read the verify key ${path}: ${(err as Error).message}`);
        }
      }),
    );
    return Keyring.fromPems(pems);
  }

  /** Adds a SPKI PEM public key; returns its key id. */
  addPem(pem: string): string {
    return this.add(loadPublicKey(pem));
  }

  /** Trusts the public half of a signing key (the fleet trusts what it signs with). */
  addPrivateKeyPem(pem: string): string {
    return this.add(publicKeyOf(loadPrivateKey(pem)));
  }

  add(publicKey: KeyObject): string {
    const keyId = keyIdOf(publicKey);
    this.keys.set(keyId, { keyId, publicKey, publicKeyPem: publicKeyPem(publicKey) });
    return keyId;
  }

  get(keyId: string): TrustedKey | undefined {
    return this.keys.get(keyId);
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  keyIds(): string[] {
    return [...this.keys.keys()].sort();
  }

  get size(): number {
    return this.keys.size;
  }
}
