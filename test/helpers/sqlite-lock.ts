import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// Runs in the child: better-sqlite3 from this checkout, the lock taken as an operator's `sqlite3` shell takes it.
const HOLDER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
const release = () => {
  db.exec('COMMIT');
  db.close();
  process.exit(0);
};
process.stdin.on('data', release);
setTimeout(release, Number(process.argv[2]));
`;

export interface HeldLock {
  /** Ends the other process's transaction and waits until the process is gone. */
  release(): Promise<void>;
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code} before locking`)));
  });
  return {
    release: async () => {
      if (child.exitCode === null) child.stdin?.write('release\n');
      await exited;
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
