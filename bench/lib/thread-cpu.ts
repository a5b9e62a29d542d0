import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: the unit of utime/stime in /proc/.../stat (100 on every mainstream Linux build). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) consumed so far by the calling thread alone, in ms, from /proc/thread-self/stat
 * (10 ms resolution). `undefined` where that file does not exist (not Linux). Unlike process.cpuUsage(), this
 * separates the broker's thread from the load generator's threads in the same process.
 */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // "pid (comm) state ppid ..." — comm may contain spaces; fields after it start with state (field 3).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU ms used by the calling thread between two threadCpuMs() readings; NaN when unavailable. */
export function cpuSince(start: number | undefined): number {
  const now = threadCpuMs();
  return start === undefined || now === undefined ? Number.NaN : now - start;
}
