import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The shopper's trip on disk: session, basket, member, checkout and its idempotency key, written after every change
 * (temp file, fsync, rename: a power cut leaves the old copy or the new one, never half of one). A restart mid-trip
 * comes back to the same basket — the items are still in it — and a checkout interrupted at any moment resumes with
 * the same idempotency key, so the fleet sees one order.
 */
export class ShopJournal<T> {
  readonly path: string;

  constructor(dataDir: string, name = 'cart-shop.json') {
    this.path = join(dataDir, name);
  }

  load(): T | null {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      // Cannot happen through save() (rename is atomic); a file damaged by hand is set aside, not trusted.
      renameSync(this.path, `${this.path}.damaged-${Date.now()}`);
      return null;
    }
  }

  save(value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}
