import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A 32-byte key kept in `{dataDir}/secrets/{name}` (base64url, mode 0600), made on first use. Never logged and never
 * in the repository: a fleet that loses it only invalidates what it signed (payment notifications in flight,
 * receipt links, staff codes, which are then set again).
 */
export function loadOrCreateKey(dataDir: string, name: string): Buffer {
  const path = join(dataDir, 'secrets', name);
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  // An empty or truncated key would let anyone forge what it signs: refuse to run rather than sign weakly.
  if (key.length < 32) throw new Error(`${path} holds fewer than 32 key bytes; delete it to make a new key`);
  return key;
}
