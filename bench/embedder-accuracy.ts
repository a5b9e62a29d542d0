/**
 * The embedder's accuracy on held-out products (issue 11 items 2 and 11), by the evaluation code of
 * `models/product-embedder/` (`npm run model:evaluate` writes the same figures into the manifest): products of brand
 * families the training never drew, each enrolled from 1, 3 or 5 photos (training regime) into a prototype gallery,
 * queried with 5 field-regime drops each; top-1/top-5 by vision alone, then through the cart's fusion rule with the
 * weight and zone priors (prior-accuracy.ts says how they are simulated), and the decision mix the rule makes.
 *
 * Baseline, same run: chance (a uniform guess among the same gallery's products).
 * `--quick`: 100 held-out products instead of 600. `CARTFLEET_EMBEDDER_DIR` evaluates another model directory
 * (its manifest.json and model file) instead of the committed one.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMBEDDER_DOMAIN } from '../models/product-embedder/domain.ts';
import { heldOutEmbeddings } from '../models/product-embedder/held-out-embeddings.ts';
import { openSetDecisions, priorAccuracy } from '../models/product-embedder/prior-accuracy.ts';
import { prototypes, visionTopK } from '../models/product-embedder/vision-accuracy.ts';
import type { EmbedderManifest } from '../protocol/vision/embedder-manifest.ts';
import { modelFusionPolicy } from '../vision/fusion/fusion-policy.ts';
import { type BenchOptions, markdownTable, runWhenMain } from './lib/common.ts';

const here = dirname(fileURLToPath(import.meta.url));

export async function run({ quick }: BenchOptions): Promise<{ markdown: string; [key: string]: unknown }> {
  const dir = process.env.CARTFLEET_EMBEDDER_DIR ?? join(here, '../models/product-embedder');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as EmbedderManifest;
  const pre = manifest.metadata.preprocessing;
  if (!pre) throw new Error(`${dir}: the model has no image preprocessing`);
  const count = quick ? 100 : EMBEDDER_DOMAIN.heldOut.count;
  const embeddings = await heldOutEmbeddings(join(dir, manifest.file), pre, { count });
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const rows: (string | number)[][] = [];
  const results: Record<string, { top1: number; top5: number }> = {};
  for (const shots of [1, 3, embeddings.enrolViews]) {
    const k = visionTopK(embeddings, prototypes(embeddings, shots));
    results[`vision-${shots}`] = { top1: k.top1, top5: k.top5 };
    rows.push([`vision only, ${shots} enrolment photo${shots > 1 ? 's' : ''}`, k.queries, pct(k.top1), pct(k.top5)]);
  }
  const gallery = prototypes(embeddings);
  // As the cart decides: the defaults with the model's own "not in the gallery" calibration.
  const policy = modelFusionPolicy(manifest.metadata);
  const priors = priorAccuracy(embeddings, gallery, policy);
  const openSet = openSetDecisions(embeddings, gallery, policy);
  results.priors = { top1: priors.top1, top5: priors.top5 };
  rows.push([
    `with weight and zone priors, ${embeddings.enrolViews} photos`,
    embeddings.products.length * embeddings.queryViews,
    pct(priors.top1),
    pct(priors.top5),
  ]);
  const n = embeddings.products.length;
  rows.push(['baseline: chance (uniform guess)', '', pct(1 / n), pct(Math.min(1, 5 / n))]);
  const mixOf = (decisions: Record<string, number>) =>
    Object.entries(decisions)
      .map(([kind, share]) => `${kind} ${pct(share)}`)
      .join(', ');
  const mix = mixOf(priors.decisions);
  const markdown = [
    `### Embedder accuracy on held-out products (${manifest.name} ${manifest.version}; ${n} products never trained on, ${embeddings.queryViews} field-regime queries each)`,
    '',
    markdownTable(['gallery', 'queries', 'top-1', 'top-5'], rows),
    '',
    `Decisions through the cart's fusion rule (with priors): ${mix}. Embedding took ${embeddings.seconds.toFixed(0)} s.` +
      (quick ? ' (--quick: 100 products; a smaller gallery is easier, so top-1 is higher than at 600.)' : ''),
    '',
    `Never-enrolled drops (every 10th held-out brand family left out of the gallery, ${openSet.queries} drops; "not in the gallery" at ${policy.unknownSimilarity ?? 'off'}): ${mixOf(openSet.decisions)}. An add is a wrong item on the bill; a scan is the right answer.`,
  ].join('\n');
  return { markdown, products: n, results, decisions: priors.decisions, openSet: openSet.decisions };
}

await runWhenMain(import.meta.url, run);
