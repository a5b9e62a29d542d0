/**
 * Shared pieces of the benchmarks: a fleet on ephemeral loopback ports, statistics, markdown tables, workers, and
 * bounded waits. Everything here stays on 127.0.0.1 and every wait has a deadline.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type FleetConfig, FleetConfigSchema } from '../../fleet/config.ts';
import { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';

export interface BenchOptions {
  quick: boolean;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across worker threads of one process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A fresh temp directory, removed by `cleanup()`. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The fleet as it ships (default telemetry batching, shadow limits, policies), only moved to ephemeral loopback
 * ports, a temp data dir, and silent logs.
 */
export function benchFleetConfig(dataDir: string): FleetConfig {
  return FleetConfigSchema.parse({
    dataDir,
    logLevel: 'silent',
    mqtt: { host: '127.0.0.1', tlsPort: 0 },
    http: { host: '127.0.0.1', port: 0 },
    deviceHttps: { port: 0 },
  });
}

export async function startBenchFleet(dataDir: string): Promise<FleetServer> {
  const fleet = new FleetServer(benchFleetConfig(dataDir), silentLogger());
  await fleet.start();
  return fleet;
}

/** Rejects after `ms` unless `promise` settles first; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` every `intervalMs` until it is truthy or `timeoutMs` passes; returns whether it became truthy. */
export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// statistics

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// formatting

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function machineDescription(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const gib = totalmem() / 1024 ** 3;
  return `${model}, ${cpu.length} cores, ${gib.toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`;
}

// ---------------------------------------------------------------------------------------------------------------
// workers

/**
 * Starts a TypeScript worker thread. tsx's loader hooks do not reach worker threads by themselves, so a tiny
 * bootstrap registers them inside the worker before importing the module.
 */
export function startTsWorker(moduleUrl: URL, workerData: unknown): Worker {
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(moduleUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Waits for the first message from `worker` that satisfies `match`; fails on worker error/exit or timeout. */
export function nextMessage<T>(worker: Worker, match: (m: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return withTimeout(
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: T) => {
        if (!match(m)) return;
        cleanup();
        resolve(m);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`worker exited (code ${code}) while waiting for ${what}`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    }),
    timeoutMs,
    what,
  );
}

/** Asks a worker to finish, then terminates it if it has not exited within `graceMs`. */
export async function stopWorker(worker: Worker, graceMs = 10_000): Promise<void> {
  if (worker.threadId === -1) return; // already exited
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    worker.postMessage({ type: 'close' });
  } catch {
    // already gone
  }
  try {
    await withTimeout(exited, graceMs, 'worker exit');
  } catch {
    await worker.terminate();
  }
}

/**
 * Runs a benchmark when its file is the process's entry point (`npx tsx bench/<file>.ts [--quick]`): the machine,
 * then its tables. `bench/run.ts` imports the same `run` instead.
 */
export async function runWhenMain(
  moduleUrl: string,
  run: (options: BenchOptions) => Promise<{ markdown: string }>,
): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  console.log(`Machine: ${machineDescription()}\n`);
  const report = await run({ quick: process.argv.includes('--quick') });
  console.log(report.markdown);
}
