import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FleetError } from '../protocol/errors.ts';

/** Where the ffmpeg binary came from, for the logs and the operations guide. */
export type FfmpegSource = 'config' | 'ffmpeg-static' | '@ffmpeg-installer/ffmpeg' | 'PATH';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

function isExecutable(path: string | null | undefined): path is string {
  if (!path) return false;
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A package's export, or undefined when it is not installed or throws on load (an unsupported platform). */
function optionalPackagePath(
  require: NodeJS.Require,
  name: string,
  pick: (exported: unknown) => unknown,
): string | undefined {
  try {
    const value = pick(require(name));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves ffmpeg in the order docs/architecture.md gives: the configured path (which must then exist: a wrong path
 * is an operator's mistake, not a reason to fall back) → `ffmpeg-static` if its binary is really there (its install
 * script downloads the binary and fails offline, leaving the package without it) → `@ffmpeg-installer/ffmpeg` (the
 * binary inside npm packages) → `ffmpeg` on PATH. `FFMPEG_UNAVAILABLE` when none is found.
 */
export function resolveFfmpeg(configured?: string | null, env: NodeJS.ProcessEnv = process.env): ResolvedFfmpeg {
  if (configured) {
    if (isExecutable(configured)) return { path: configured, source: 'config' };
    throw new FleetError('FFMPEG_UNAVAILABLE', `the configured ffmpeg '${configured}' is not an executable file`);
  }
  const require = createRequire(import.meta.url);
  const ffmpegStatic = optionalPackagePath(require, 'ffmpeg-static', (e) => e);
  if (isExecutable(ffmpegStatic)) return { path: ffmpegStatic, source: 'ffmpeg-static' };
  const installer = optionalPackagePath(require, '@ffmpeg-installer/ffmpeg', (e) => (e as { path?: unknown }).path);
  if (isExecutable(installer)) return { path: installer, source: '@ffmpeg-installer/ffmpeg' };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'ffmpeg');
    if (dir && isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  throw new FleetError(
    'FFMPEG_UNAVAILABLE',
    'no ffmpeg found: set its path in the config, or install @ffmpeg-installer/ffmpeg (npm) or ffmpeg (apt)',
  );
}
