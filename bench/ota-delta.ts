/**
 * OTA deltas (issue 10 item 2; target: when 5 % of an artifact changed, the delta is at most 10 % of the full size).
 * Two artifacts of realistic content, each changed in 5 % of its bytes spread over 40 regions (half overwritten in
 * place, half inserted, so later code shifts as a rebuild shifts it):
 * - a software bundle: the device runtime compiled by `tsc -p tsconfig.devices.json` (platform, protocol, commerce,
 *   ota, devices: JavaScript and source maps), packed as the uncompressed POSIX tar a software release ships; the
 *   target rewrites regions of 40 of its files with code taken from elsewhere in the bundle and packs again;
 * - a binary: 12 MB of the Node executable running this script (machine code and data), changed in raw bytes.
 *
 * Measured: the BSDIFF40 delta (`ota/delta`, what the fleet makes and a device applies) — its size against the full
 * artifact, the time to make it and to apply it (patch + sha256 check). Baseline, same run: gzip -6 of the full
 * artifact, what a device would download without a delta.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { applyDelta, createDelta } from '../ota/delta/bsdiff-delta.ts';
import { mulberry32 } from '../platform/seeded-random.ts';
import { type BenchOptions, fmt, markdownTable, runWhenMain, tempDir } from './lib/common.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REGIONS = 40;
const CHANGED = 0.05;

interface ArtifactResult {
  name: string;
  bytes: number;
  changedBytes: number;
  deltaBytes: number;
  gzipBytes: number;
  diffMs: number;
  patchMs: number;
  gzipMs: number;
}

export interface OtaDeltaReport {
  artifacts: ArtifactResult[];
  markdown: string;
}

const log = (message: string) => process.stderr.write(`[ota-delta] ${message}\n`);

export async function run(options: BenchOptions = { quick: false }): Promise<OtaDeltaReport> {
  const dir = tempDir('cartfleet-bench-ota-delta-');
  try {
    const random = mulberry32(10);
    const artifacts: ArtifactResult[] = [];
    log('compiling the device runtime');
    const bundle = deviceBundle(dir.path, random);
    artifacts.push(
      await measure(dir.path, 'software bundle: compiled device JS, uncompressed tar', bundle.base, bundle.target),
    );
    const binarySize = options.quick ? 4 * 1024 * 1024 : 12 * 1024 * 1024;
    const base = slice(process.execPath, 8 * 1024 * 1024, binarySize);
    const target = changeBytes(base, random);
    artifacts.push(
      await measure(dir.path, `binary: ${fmt(binarySize / 2 ** 20, 0)} MiB of the node executable`, base, target),
    );
    return { artifacts, markdown: markdown(artifacts) };
  } finally {
    dir.cleanup();
  }
}

/** The compiled device runtime as a tar, and the same after 5 % of its bytes were rewritten in 40 of its files. */
function deviceBundle(work: string, random: () => number): { base: Buffer; target: Buffer } {
  const out = join(work, 'dist');
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(ROOT, 'tsconfig.devices.json'), '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
  const files = listFiles(out);
  const pack = () => {
    const file = join(work, 'bundle.tar');
    // Fixed metadata: two packs differ only where the files do, as two builds in CI would with SOURCE_DATE_EPOCH.
    tar.c(
      { cwd: out, file, sync: true, portable: true, mtime: new Date(0), noDirRecurse: false },
      files.map((f) => relative(out, f)),
    );
    return readFileSync(file);
  };
  const base = pack();
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  const perRegion = Math.floor((total * CHANGED) / REGIONS);
  const chosen = new Set<string>();
  const candidates = files.filter((f) => statSync(f).size > perRegion * 2);
  while (chosen.size < Math.min(REGIONS, candidates.length))
    chosen.add(candidates[Math.floor(random() * candidates.length)]!);
  [...chosen].forEach((file, i) => {
    const text = readFileSync(file, 'utf8');
    const at = Math.floor(random() * (text.length - perRegion));
    // New code: real code of the bundle from elsewhere with its letters permuted, so it has a source file's entropy
    // (not random noise's, which no compressor shrinks) but is not found in the base (copied code would be).
    const donor = readFileSync(candidates[Math.floor(random() * candidates.length)]!, 'utf8');
    const start = Math.floor(random() * (donor.length - perRegion));
    const fresh = permuteLetters(donor.slice(start, start + perRegion), random);
    // Even regions are rewritten in place, odd ones inserted (what follows shifts).
    const next =
      i % 2 === 0 ? text.slice(0, at) + fresh + text.slice(at + perRegion) : text.slice(0, at) + fresh + text.slice(at);
    writeFileSync(file, next);
  });
  return { base, target: pack() };
}

function changeBytes(base: Buffer, random: () => number): Buffer {
  const perRegion = Math.floor((base.length * CHANGED) / REGIONS);
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < REGIONS; i++) {
    const at = Math.floor(((i + random()) * base.length) / REGIONS);
    const at2 = Math.max(at, from);
    parts.push(base.subarray(from, at2));
    const fresh = Buffer.alloc(perRegion);
    for (let j = 0; j < perRegion; j++) fresh[j] = Math.floor(random() * 256);
    parts.push(fresh);
    from = i % 2 === 0 ? Math.min(base.length, at2 + perRegion) : at2;
  }
  parts.push(base.subarray(from));
  return Buffer.concat(parts);
}

async function measure(work: string, name: string, base: Buffer, target: Buffer): Promise<ArtifactResult> {
  const dir = join(work, `artifact-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`);
  mkdirSync(dir);
  const [basePath, targetPath, deltaPath, outPath] = ['base', 'target', 'delta', 'out'].map((f) => join(dir, f)) as [
    string,
    string,
    string,
    string,
  ];
  writeFileSync(basePath, base);
  writeFileSync(targetPath, target);
  log(`${name}: ${fmt(target.length / 2 ** 20, 1)} MiB, diffing`);
  let started = performance.now();
  const delta = await createDelta(basePath, targetPath, deltaPath);
  const diffMs = performance.now() - started;
  started = performance.now();
  await applyDelta(basePath, deltaPath, outPath, {
    sha256: createHash('sha256').update(target).digest('hex'),
    size: target.length,
  });
  const patchMs = performance.now() - started;
  started = performance.now();
  const gzipBytes = gzipSync(target, { level: 6 }).length;
  const gzipMs = performance.now() - started;
  return {
    name,
    bytes: target.length,
    changedBytes: Math.round(Math.max(base.length, target.length) * CHANGED),
    deltaBytes: delta.size,
    gzipBytes,
    diffMs,
    patchMs,
    gzipMs,
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function slice(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function permuteLetters(text: string, random: () => number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  for (let i = letters.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [letters[i], letters[j]] = [letters[j]!, letters[i]!];
  }
  return text.replace(/[a-z]/g, (c) => letters[c.charCodeAt(0) - 97]!);
}

function markdown(results: ArtifactResult[]): string {
  const mib = (n: number) => `${fmt(n / 2 ** 20, 2)} MiB`;
  const pct = (n: number, of: number) => `${fmt((n / of) * 100, 1)} %`;
  return [
    '## OTA deltas (BSDIFF40, 5 % of the artifact changed in 40 spread regions)',
    '',
    markdownTable(
      [
        'artifact',
        'full',
        'delta',
        'delta ÷ full',
        'baseline: gzip -6',
        'delta ÷ gzip',
        'diff (fleet)',
        'patch + sha256 (device)',
        'gzip',
      ],
      results.map((r) => [
        r.name,
        mib(r.bytes),
        mib(r.deltaBytes),
        pct(r.deltaBytes, r.bytes),
        `${mib(r.gzipBytes)} (${pct(r.gzipBytes, r.bytes)})`,
        pct(r.deltaBytes, r.gzipBytes),
        `${fmt(r.diffMs / 1000, 2)} s`,
        `${fmt(r.patchMs, 0)} ms`,
        `${fmt(r.gzipMs, 0)} ms`,
      ]),
    ),
    '',
    `Target: delta ÷ full ≤ 10 % — ${results.every((r) => r.deltaBytes / r.bytes <= 0.1) ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
