/**
 * The cart process as it ships, for bench/cart-memory.ts: the command package.json's `cart` script runs (after its
 * `precart` build), started directly (npm's own process is not the cart's), and its memory read from outside through
 * /proc, so that nothing in the measured process is there for the measurement.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

export interface CartLaunch {
  /** The Node binary (this process's) and its arguments, as the `cart` script gives them. */
  command: string;
  args: string[];
  /** The script as written, for the report. */
  script: string;
}

/** `npm run cart`'s command line, without npm. The script must start with `node` (a service manager runs it as is). */
export function cartLaunch(scripts: Record<string, string> = packageScripts()): CartLaunch {
  const script = scripts.cart;
  if (!script) throw new Error('package.json has no "cart" script');
  const [program, ...args] = script.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`the "cart" script must run node directly, not ${program}: ${script}`);
  if (args.some((a) => /["'$`\\|&;<>]/.test(a))) throw new Error(`the "cart" script needs a shell: ${script}`);
  return { command: process.execPath, args, script };
}

/** Runs the `precart` script (the build the cart runs from), as `npm run cart` would first. */
export function buildCart(): void {
  execFileSync('npm', ['run', '--silent', 'precart'], {
    cwd: new URL('../../', import.meta.url),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function packageScripts(): Record<string, string> {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts: Record<string, string> }).scripts;
}

export interface ProcessMemory {
  rssBytes: number;
  /** The largest RSS the process has had (VmHWM). */
  peakRssBytes: number;
  /** Private anonymous memory: V8's heaps, native allocations (OpenSSL, the AWS CRT, SQLite), thread stacks. */
  anonymousBytes: number;
  /** Mapped files resident: the node binary, shared libraries, native addons (shared with other processes). */
  fileBytes: number;
}

/** A process's memory from /proc (Linux): `status` for RSS and its high-water mark, `smaps_rollup` for the split. */
export function readProcessMemory(pid: number): ProcessMemory {
  return parseProcessMemory(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
    readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'),
  );
}

export function parseProcessMemory(status: string, smapsRollup: string): ProcessMemory {
  const kib = (text: string, field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
    if (!match) throw new Error(`no ${field} in /proc`);
    return Number(match[1]) * 1024;
  };
  const rssBytes = kib(status, 'VmRSS');
  const anonymousBytes = kib(smapsRollup, 'Anonymous');
  return {
    rssBytes,
    peakRssBytes: kib(status, 'VmHWM'),
    anonymousBytes,
    fileBytes: kib(smapsRollup, 'Rss') - anonymousBytes,
  };
}
