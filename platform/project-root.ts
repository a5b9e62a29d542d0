import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (where package.json and web/dist are), whether this module runs from its source or compiled
 * into dist/ (`npm run build:devices`: tsconfig.json's `outDir`, which mirrors the source tree one level down).
 * Paths to files the build does not compile (the built web UI) start here, not at `import.meta.url`.
 */
export const PROJECT_ROOT = projectRootAbove(dirname(fileURLToPath(import.meta.url)));

/** The root of a checkout whose `platform/` is `platformDir`: its parent, or, compiled, its grandparent. */
export function projectRootAbove(platformDir: string): string {
  const parent = dirname(platformDir);
  return existsSync(join(parent, 'package.json')) ? parent : dirname(parent);
}
