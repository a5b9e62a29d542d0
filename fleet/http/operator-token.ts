import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Until people and roles exist (the console issue), the HTTP API is guarded by one operator token, created on first
 * start in `{dataDir}/secrets/operator-token` (mode 0600). It is never logged; read it from the file.
 */
export class OperatorToken {
  private token: Buffer | undefined;

  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'secrets', 'operator-token');
  }

  start(): void {
    if (!existsSync(this.path)) {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      writeFileSync(this.path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    }
    this.token = Buffer.from(readFileSync(this.path, 'utf8').trim());
  }

  matches(candidate: string | undefined): boolean {
    if (!this.token || candidate === undefined) return false;
    const given = Buffer.from(candidate);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}
