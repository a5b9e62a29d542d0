import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

/**
 * Another process holding the fleet database's write lock, as a backup tool or an operator's `sqlite3` shell in
 * `BEGIN EXCLUSIVE` does; used by the database-lock bench and by tests (test/integration/database-lock.test.ts).
 */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Runs in the child: better-sqlite3 from this checkout, the lock taken as an operator's `sqlite3` shell takes it.
const HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked ' + Date.now() + '\\n');
const release = () => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released ' + Date.now() + '\\n', () => process.exit(0));
};
process.stdin.on('data', release);
setTimeout(release, Number(process.argv[2]));
`;

export interface HeldLock {
  /** When the other process took the lock, by its clock (`Date.now()`; the same machine's). */
  readonly lockedAt: number;
  /**
   * Settles when the other process is gone (after `release()`, or by itself after `maxHoldMs`) with when it let go
   * by its clock: a process whose event loop the lock blocked learns of the release late, but not this time.
   */
  readonly released: Promise<number>;
  /** Ends the other process's transaction and waits until the process is gone. */
  release(): Promise<number>;
}

/**
 * Another process opens the SQLite file at `path` and holds `BEGIN EXCLUSIVE` until `release()`, or for
 * `maxHoldMs` at most (so that a fleet whose event loop the lock blocks still gets it back, late, and a test can
 * see it was late instead of hanging).
 */
export async function holdExclusiveLock(path: string, maxHoldMs = 8000): Promise<HeldLock> {
  const child = spawn(process.execPath, ['-e', HOLDER, path, String(maxHoldMs)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  const stamp = (word: string) => Number(lines.find((l) => l.startsWith(`${word} `))?.slice(word.length + 1));
  const released = new Promise<number>((resolve) => child.once('exit', () => resolve(stamp('released'))));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (lines.length > 0) resolve();
    });
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before locking`)));
  });
  return {
    lockedAt: stamp('locked'),
    released,
    release: () => {
      if (child.exitCode === null) child.stdin?.write('release\n');
      return released;
    },
  };
}

/**
 * Asks SQLite, without waiting, whether another connection holds the write lock on the file at `path` (a `BEGIN
 * IMMEDIATE` that fails with SQLITE_BUSY). For assertions made at the moment something answers.
 */
export class WriteLockProbe {
  private readonly db: BetterSqlite3.Database;

  constructor(path: string) {
    this.db = new BetterSqlite3(path, { timeout: 0 });
  }

  locked(): boolean {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) return true;
      throw err;
    }
    this.db.exec('ROLLBACK');
    return false;
  }

  close(): void {
    this.db.close();
  }
}
