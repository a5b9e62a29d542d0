import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Optional CPU profile of the main (broker) thread around one measured phase: set BENCH_PROFILE_DIR to a directory
 * and each phase writes `<name>.cpuprofile` there (open it in Chrome DevTools). Off by default: profiling slows the
 * broker down, so numbers from a profiled run are not comparable.
 */
export async function startPhaseProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  };
}
