/**
 * `npm run bench [-- --quick] [-- --only=NAME,NAME]` (NAME: a key of BENCHMARKS below): the machine, then each benchmark's
 * markdown tables. Benchmarks run one after the other (never concurrently: they would measure each other). Raw
 * results go to bench/results/<timestamp>.json (git-ignored). `--quick` is a smoke run (100 devices, 200 shadow
 * updates, 1,000 listed devices, short fan-out phases) to check that the scripts work; its numbers are not the ones
 * to quote. `--only` runs the named benchmarks alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as runAnnouncer } from './announcer.ts';
import { run as runDeviceList } from './api-device-list.ts';
import { run as runBasketCamera } from './basket-camera.ts';
import { run as runCartMemory } from './cart-memory.ts';
import { run as runCartMemoryVision } from './cart-memory-vision.ts';
import { run as runCheckoutBurst } from './checkout-burst.ts';
import { run as runContentDownload } from './content-download.ts';
import { run as runDatabaseLock } from './database-lock.ts';
import { run as runDropToBasket } from './drop-to-basket.ts';
import { run as runEmbedderAccuracy } from './embedder-accuracy.ts';
import { run as runEmbedderLatency } from './embedder-latency.ts';
import { run as runGallerySearch } from './gallery-search.ts';
import { run as runJobsUpdates } from './jobs-updates.ts';
import { machineDescription } from './lib/common.ts';
import { run as runFanout } from './live-fanout.ts';
import { run as runModelSwap } from './model-swap.ts';
import { run as runNormalise } from './normalise.ts';
import { run as runOtaDelta } from './ota-delta.ts';
import { run as runOtaDownload } from './ota-download.ts';
import { run as runOtaRollout } from './ota-rollout.ts';
import { run as runOtaRolloutFleet } from './ota-rollout-fleet.ts';
import { run as runPricing } from './pricing.ts';
import { run as runScheduleCompile } from './schedule-compile.ts';
import { run as runShadow } from './shadow-roundtrip.ts';
import { run as runSnapshotDownload } from './snapshot-download.ts';
import { run as runStartError } from './start-error.ts';
import { run as runIngest } from './telemetry-ingest.ts';

const quick = process.argv.includes('--quick');
const BENCHMARKS = {
  ingest: runIngest,
  shadow: runShadow,
  'device-list': runDeviceList,
  'live-fanout': runFanout,
  'database-lock': runDatabaseLock,
  pricing: runPricing,
  'snapshot-download': runSnapshotDownload,
  'cart-memory': runCartMemory,
  'checkout-burst': runCheckoutBurst,
  'content-download': runContentDownload,
  announcer: runAnnouncer,
  normalise: runNormalise,
  'start-error': runStartError,
  'schedule-compile': runScheduleCompile,
  'jobs-updates': runJobsUpdates,
  'model-swap': runModelSwap,
  'gallery-search': runGallerySearch,
  'embedder-latency': runEmbedderLatency,
  'embedder-accuracy': runEmbedderAccuracy,
  'drop-to-basket': runDropToBasket,
  'cart-memory-vision': runCartMemoryVision,
  'basket-camera': runBasketCamera,
  'ota-delta': runOtaDelta,
  'ota-download': runOtaDownload,
  'ota-rollout': runOtaRollout,
  'ota-rollout-fleet': runOtaRolloutFleet,
};
type BenchmarkName = keyof typeof BENCHMARKS;
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter((name): name is BenchmarkName => name in BENCHMARKS);
const selected = (Object.keys(BENCHMARKS) as BenchmarkName[]).filter((name) => !only?.length || only.includes(name));
const started = new Date();
const machine = machineDescription();
const revision = gitRevision();

console.log(`# cartfleet benchmarks${quick ? ' (--quick smoke run: not representative)' : ''}\n`);
console.log(`Machine: ${machine}`);
console.log(`Date: ${started.toISOString()}`);
console.log(`Code: ${revision}\n`);

const results: Partial<Record<BenchmarkName, object>> = {};
for (const name of selected) {
  const { markdown, ...data } = await BENCHMARKS[name]({ quick });
  console.log(`${markdown}\n`);
  results[name] = data;
}
console.log(`Total time: ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ date: started.toISOString(), machine, revision, quick, ...results }, null, 2)}\n`,
);
console.log(`Raw results: ${file}`);

/** The commit measured, and whether the code under test had uncommitted changes. */
function gitRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', timeout: 5_000 }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty =
      git(
        'status',
        '--porcelain',
        '--',
        'fleet',
        'platform',
        'protocol',
        'commerce',
        'broadcast',
        'devices',
        'ota',
        'bench',
      ) !== '';
    return dirty
      ? `${head} + uncommitted changes in fleet/, platform/, protocol/, commerce/, broadcast/, devices/, ota/ or bench/`
      : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
