import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FleetError } from '../../protocol/errors.ts';

/** What a certificate ownership token says: which certificate, which issue of a token, until when (epoch ms). */
export interface OwnershipClaims {
  certificateId: string;
  tokenId: string;
  expiresAt: number;
}

/**
 * Signs claims: `base64url(JSON).base64url(HMAC-SHA256)`. The token is opaque to the device (AWS's is too); only
 * this fleet, which holds the key, can make or read one.
 */
export function signOwnershipToken(key: Buffer, claims: OwnershipClaims): string {
  const body = Buffer.from(
    JSON.stringify({ v: 1, cid: claims.certificateId, jti: claims.tokenId, exp: claims.expiresAt }),
  );
  const encoded = body.toString('base64url');
  return `${encoded}.${mac(key, encoded).toString('base64url')}`;
}

/**
 * The claims of a token this key signed and that has not expired at `now`; otherwise throws
 * `PROVISIONING_TOKEN_INVALID`. Whether the token was already used is the caller's to check (it is stored state).
 */
export function verifyOwnershipToken(key: Buffer, token: string, now: number): OwnershipClaims {
  const invalid = (why: string) => new FleetError('PROVISIONING_TOKEN_INVALID', `certificate ownership token ${why}`);
  if (token.length === 0) throw invalid('cannot be empty');
  const [encoded, signature, ...extra] = token.split('.');
  if (!encoded || !signature || extra.length > 0) throw invalid('is malformed');
  const expected = mac(key, encoded);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('is not valid');
  let body: { v?: unknown; cid?: unknown; jti?: unknown; exp?: unknown };
  try {
    body = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is malformed');
  }
  if (body.v !== 1 || typeof body.cid !== 'string' || typeof body.jti !== 'string' || typeof body.exp !== 'number') {
    throw invalid('is malformed');
  }
  if (body.exp <= now) throw invalid('has expired');
  return { certificateId: body.cid, tokenId: body.jti, expiresAt: body.exp };
}

function mac(key: Buffer, encoded: string): Buffer {
  return createHmac('sha256', key).update(encoded).digest();
}

/**
 * Issues and checks certificate ownership tokens with a key kept in `{dataDir}/secrets/provisioning-token-key`
 * (created on first start, mode 0600). AWS: a token expires after one hour; the default lifetime is the same.
 */
export class OwnershipTokens {
  private key: Buffer | undefined;

  constructor(
    private readonly dataDir: string,
    readonly lifetimeMs: number,
  ) {}

  get keyPath(): string {
    return join(this.dataDir, 'secrets', 'provisioning-token-key');
  }

  start(): void {
    if (!existsSync(this.keyPath)) {
      mkdirSync(dirname(this.keyPath), { recursive: true, mode: 0o700 });
      writeFileSync(this.keyPath, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
      chmodSync(this.keyPath, 0o600);
    }
    const key = Buffer.from(readFileSync(this.keyPath, 'utf8').trim(), 'base64url');
    // An empty or truncated key would let anyone sign tokens: refuse to run rather than issue weak ones.
    if (key.length < 32) throw new Error(`${this.keyPath} holds fewer than 32 key bytes; delete it to make a new key`);
    this.key = key;
  }

  /** `now` from the fleet's clock: the token expires `lifetimeMs` after it. */
  issue(certificateId: string, now: number): { token: string; claims: OwnershipClaims } {
    const claims = { certificateId, tokenId: randomBytes(12).toString('base64url'), expiresAt: now + this.lifetimeMs };
    return { token: signOwnershipToken(this.requireKey(), claims), claims };
  }

  verify(token: string, now: number): OwnershipClaims {
    return verifyOwnershipToken(this.requireKey(), token, now);
  }

  private requireKey(): Buffer {
    if (!this.key) throw new Error('OwnershipTokens used before start()');
    return this.key;
  }
}
