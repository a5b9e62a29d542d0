import { extname } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The URL of a worker entry beside the calling module, with the caller's own extension: `.ts` under tsx, `.js`
 * when compiled (`workerEntry('./speech-worker', import.meta.url)`).
 */
export function workerEntry(relative: string, callerUrl: string): URL {
  return new URL(`${relative}${extname(new URL(callerUrl).pathname)}`, callerUrl);
}

/**
 * A worker on a TypeScript entry: tsx's loader hooks do not reach a worker thread by themselves (Node 20), so a
 * tiny bootstrap registers them inside it first; a compiled `.js` entry is loaded directly.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  if (entry.pathname.endsWith('.js')) return new Worker(entry, options);
  // Where tsx transforms this module to CommonJS (mocha's loader), import.meta has no resolve(): the bare name then
  // resolves from the working directory, the project's.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
