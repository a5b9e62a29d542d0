/**
 * `npm run model:train`: re-trains the product embedder from nothing and replaces the committed model and manifest.
 * 1. renders the synthetic training set (render-dataset.ts) into a work folder,
 * 2. trains and exports with Debian's torch (train.py, run by /usr/bin/python3),
 * 3. evaluates the new model on the held-out products and writes manifest.json (evaluate.ts).
 * Prints how long each step took. Options: `--work DIR` (default: a folder under the OS temp dir), `--steps N`,
 * `--skip-render` (reuse the work folder's data). CI never runs this; it takes about an hour on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const work = option('--work') ?? join(tmpdir(), 'cartfleet-embedder');
const steps = option('--steps');
const python = process.env.PYTHON ?? '/usr/bin/python3';
mkdirSync(work, { recursive: true });

function step(name: string, command: string, commandArgs: string[]): number {
  const started = performance.now();
  console.log(`== ${name}: ${command} ${commandArgs.join(' ')}`);
  execFileSync(command, commandArgs, { stdio: 'inherit' });
  const seconds = (performance.now() - started) / 1000;
  console.log(`== ${name}: ${seconds.toFixed(0)} s`);
  return seconds;
}

try {
  execFileSync(python, ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore' });
} catch {
  console.error(
    `${python} cannot import torch, torchvision and onnx: apt-get install python3-torch python3-torchvision python3-onnx`,
  );
  process.exit(1);
}
const tsx = join(here, '../../node_modules/.bin/tsx');
const timings: Record<string, number> = {};
if (!(args.includes('--skip-render') && existsSync(join(work, 'dataset.json')))) {
  timings.render = step('render', tsx, [join(here, 'render-dataset.ts'), work]);
}
timings.train = step('train', python, [
  join(here, 'train.py'),
  work,
  join(work, 'out'),
  ...(steps ? ['--steps', steps] : []),
]);
copyFileSync(join(work, 'out', 'product-embedder.onnx'), join(here, 'product-embedder.onnx'));
copyFileSync(join(work, 'out', 'training.json'), join(here, 'training.json'));
const dataset = JSON.parse(readFileSync(join(work, 'dataset.json'), 'utf8')) as { renderSeconds: number };
timings.evaluate = step('evaluate', tsx, [
  join(here, 'evaluate.ts'),
  '--render-seconds',
  String(dataset.renderSeconds),
]);
console.log(
  `re-trained in ${Object.values(timings)
    .reduce((a, b) => a + b, 0)
    .toFixed(0)} s (${Object.entries(timings)
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(', ')})`,
);
