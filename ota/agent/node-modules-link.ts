import { randomBytes } from 'node:crypto';
import { mkdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fsyncDirectory } from './durable-file.ts';

/**
 * Makes `linkPath` a symbolic link to `target` (the platform's node_modules). A bundle holds the runtime's own code
 * only; ESM resolution walks up from the slot to find `node_modules`, so one link next to the slots serves both. The
 * link is replaced atomically (a new link renamed over the old), so a cut never leaves the slots without one.
 */
export async function ensureNodeModulesLink(linkPath: string, target: string): Promise<void> {
  const wanted = resolve(target);
  const current = await readlink(linkPath).catch(() => undefined);
  if (current === wanted) return;
  const dir = dirname(linkPath);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.node_modules.${randomBytes(4).toString('hex')}.tmp`);
  await symlink(wanted, temp, 'dir');
  try {
    await rename(temp, linkPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncDirectory(dir);
}

/** The node_modules a tree resolves its packages from: the first one found walking up from `dir`. */
export function nodeModulesAbove(dir: string, exists: (path: string) => boolean): string | undefined {
  let at = resolve(dir);
  for (;;) {
    const candidate = join(at, 'node_modules');
    if (exists(candidate)) return candidate;
    const parent = dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}
