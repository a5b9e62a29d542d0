/**
 * `npm run bench [-- --quick]`: the machine, then each benchmark's markdown tables. Benchmarks run one after the
 * other (never concurrently: they would measure each other). Raw results go to bench/results/<timestamp>.json
 * (git-ignored). `--quick` is a smoke run (100 devices, 200 shadow updates) to check that the scripts work; its
 * numbers are not the ones to quote.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineDescription } from './lib/common.ts';
import { run as runShadow } from './shadow-roundtrip.ts';
import { run as runIngest } from './telemetry-ingest.ts';

const quick = process.argv.includes('--quick');
const started = new Date();
const machine = machineDescription();
const revision = gitRevision();

console.log(`# cartfleet benchmarks${quick ? ' (--quick smoke run: not representative)' : ''}\n`);
console.log(`Machine: ${machine}`);
console.log(`Date: ${started.toISOString()}`);
console.log(`Code: ${revision}\n`);

const ingest = await runIngest({ quick });
console.log(ingest.markdown);
console.log('');
const shadow = await runShadow({ quick });
console.log(shadow.markdown);
console.log(`\nTotal time: ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);

const { markdown: _ingestMarkdown, ...ingestData } = ingest;
const { markdown: _shadowMarkdown, ...shadowData } = shadow;
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ date: started.toISOString(), machine, revision, quick, ingest: ingestData, shadow: shadowData }, null, 2)}\n`,
);
console.log(`Raw results: ${file}`);

/** The commit measured, and whether the code under test had uncommitted changes. */
function gitRevision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', timeout: 5_000 }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'fleet', 'platform', 'protocol', 'bench') !== '';
    return dirty ? `${head} + uncommitted changes in fleet/, platform/, protocol/ or bench/` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
