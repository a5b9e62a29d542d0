/**
 * Cart memory with product recognition loaded (issue 11 item 11): the cart runtime (virtual board, screen server,
 * a real cart's ffmpeg camera code on an absent device, offline) in its own Node process with the cart's V8 flags,
 * the embedder (`models/product-embedder/`, or `CARTFLEET_EMBEDDER_DIR`) swapped into its `SwappableModel` (a worker
 * thread with onnxruntime) and a 10,000-product gallery (random unit rows of the model's embedding size) opened in
 * its `SwappableGallery` (onnxruntime, one thread). RSS read from /proc after a settle time and a GC.
 *
 * Baseline, same run: the same cart process without the model and the gallery (recognition paused), so the
 * difference is what recognition costs. Run under tsx (not the compiled cart of bench/cart-memory.ts): both rows pay
 * the same loader, so compare the difference, not the absolute figure with cart-memory's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmbedderManifest } from '../protocol/vision/embedder-manifest.ts';
import { galleryDraft, randomUnitRows } from '../test/fixtures/vision/random-gallery.ts';
import { encodeGallery } from '../vision/gallery/gallery-file.ts';
import type { ProcessMemory } from './lib/cart-launch.ts';
import { type BenchOptions, fmt, markdownTable, runWhenMain, tempDir } from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));
const WORKER = join(here, 'workers/cart-vision-memory.ts');
const MB = 1024 * 1024;

function measure(args: string[]): ProcessMemory & { gallery: number } {
  const out = execFileSync(
    process.execPath,
    ['--max-semi-space-size=4', '--expose-gc', '--import', 'tsx', WORKER, ...args],
    { cwd: join(here, '..'), encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; [key: string]: unknown }> {
  const products = 10_000;
  const settleMs = quick ? 2_000 : 8_000;
  const modelDir = process.env.CARTFLEET_EMBEDDER_DIR ?? join(here, '../models/product-embedder');
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as EmbedderManifest;
  const size = manifest.metadata.embeddingSize;
  const dir = tempDir('cartfleet-bench-cartmem-');
  try {
    const draft = galleryDraft(products, size);
    const gallery = join(dir.path, 'gallery.cfgal');
    writeFileSync(
      gallery,
      encodeGallery(
        { ...draft, model: { name: manifest.name, version: manifest.version, embeddingSize: size } },
        randomUnitRows(products, size, 7),
        new Array(products).fill(null),
      ),
    );
    // A throwaway certificate: the cart's MQTT client needs one to build its TLS context (its broker never answers).
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=cart-memory-vision',
        '-keyout',
        join(dir.path, 'key.pem'),
        '-out',
        join(dir.path, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const metadata = join(dir.path, 'metadata.json');
    writeFileSync(
      metadata,
      JSON.stringify({ name: manifest.name, version: manifest.version, metadata: manifest.metadata }),
    );
    const without = measure([String(settleMs), dir.path]);
    const withVision = measure([
      String(settleMs),
      dir.path,
      '--vision',
      join(modelDir, manifest.file),
      metadata,
      gallery,
    ]);
    const row = (label: string, m: ProcessMemory & { gallery: number }, diff: string) => [
      label,
      m.gallery,
      fmt(m.rssBytes / MB, 1),
      fmt(m.peakRssBytes / MB, 1),
      fmt(m.anonymousBytes / MB, 1),
      fmt(m.fileBytes / MB, 1),
      diff,
    ];
    const markdown = [
      `### Cart memory with recognition (${manifest.name} ${manifest.version}, ${(readFileSync(join(modelDir, manifest.file)).length / MB).toFixed(1)} MB model; a ${products.toLocaleString('en')}-product gallery of ${size}-d rows)`,
      '',
      markdownTable(
        [
          'cart',
          'gallery rows',
          'RSS (MB)',
          'peak RSS (MB)',
          'anonymous (MB)',
          'file-backed (MB)',
          'RSS − baseline (MB)',
        ],
        [
          row('model + gallery loaded', withVision, fmt((withVision.rssBytes - without.rssBytes) / MB, 1)),
          row('baseline: the same cart without them', without, '0.0'),
        ],
      ),
    ].join('\n');
    return { markdown, without, withVision };
  } finally {
    dir.cleanup();
  }
}

await runWhenMain(import.meta.url, run);
