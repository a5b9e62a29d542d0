/**
 * Announcer: template → playable, normalised asset (issue 9 item 13 target: p95 ≤ 3 s on this machine; the seed's
 * product takes 30 s). 50 renders (10 with --quick), alternating Chinese and English, over six templates with
 * different products, prices, times, promotions and points, each through `Announcer.render` as the API calls it:
 * template parsed and rendered to words, eSpeak-NG in the announcer's worker thread, chime + speech WAV, the content
 * library's ingest (the fleet's own ContentLibrary: measured, normalised to −16 LUFS in Ogg/Opus, verified, stored),
 * and the announcement row in SQLite.
 *
 * Baseline, same run: the bare text2wav call (`text2wav(text, { voice })`, the library's own entry point, on this
 * thread) for the same words, so the table shows what the announcer adds to synthesis alone. Two renders and two
 * bare calls warm up first (JIT, page cache) and are not counted. The stages of each render are timed too: speech
 * (words → WAV, worker round trip included) and ingest (the content library).
 */

import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import text2wav from 'text2wav';
import { VOICES } from '../broadcast/announcer/voices.ts';
import { Announcer } from '../fleet/broadcast/announcer/announcer.ts';
import type { AssetIngest } from '../fleet/broadcast/announcer/asset-ingest.ts';
import { CatalogProductFields } from '../fleet/broadcast/announcer/product-fields.ts';
import { announcerIngest } from '../fleet/broadcast/content/announcer-ingest.ts';
import { silentLogger } from '../platform/log.ts';
import type { FieldValues, RenderRequest } from '../protocol/api/announcer.ts';
import {
  type BenchOptions,
  fmt,
  markdownTable,
  percentile,
  runWhenMain,
  startBenchFleet,
  tempDir,
} from './lib/common.ts';

const TEMPLATES = {
  promo: {
    zh: '{product}现价只要{price}，{promotion}！活动{time}结束，欲购从速。',
    en: '{product}, now only {price}! {promotion}. The offer ends at {time}.',
  },
  points: {
    zh: '欢迎光临{store}！今天会员每消费{price}，多送{points}积分。',
    en: 'Welcome to {store}! Members earn {points} extra points for every {price} today.',
  },
  special: {
    zh: '{product}特价{price}，数量有限，售完即止。',
    en: '{product} on special at {price}, while stocks last.',
  },
} as const;

const PRODUCTS = [
  { zh: '伊利纯牛奶250ml', en: 'Yili pure milk 250ml' },
  { zh: '农夫山泉550ml', en: 'Nongfu Spring water 550ml' },
  { zh: '红富士苹果', en: 'Fuji apples' },
  { zh: '五常大米5kg', en: 'Wuchang rice 5kg' },
  { zh: '青岛啤酒12罐装', en: 'Tsingtao beer, 12 cans' },
];
const PROMOTIONS = [
  { zh: '买2送1', en: 'Buy 2 get 1 free' },
  { zh: '第2件半价', en: 'Second item half price' },
  { zh: '8.8折', en: '12% off' },
];

/** The i-th request: language alternates, templates, products and values rotate. */
function request(i: number): RenderRequest {
  const language = i % 2 === 0 ? 'zh' : 'en';
  const names = Object.keys(TEMPLATES) as (keyof typeof TEMPLATES)[];
  const template = names[Math.floor(i / 2) % names.length] as keyof typeof TEMPLATES;
  const fields: FieldValues = {
    product: PRODUCTS[i % PRODUCTS.length],
    price: [990, 1290, 2050, 5990, 100550, 200][i % 6],
    promotion: PROMOTIONS[i % PROMOTIONS.length],
    time: ['21:00', '12:00', '15:30', '09:05'][i % 4],
    store: { zh: '盒马徐汇店', en: 'Freshippo Xuhui' },
    points: [200, 1000, 50][i % 3],
  } as FieldValues;
  return { text: TEMPLATES[template][language], language, fields, storeId: null };
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** text2wav's own entry point prints a harmless "wasm streaming compile failed" per call; kept off the report. */
async function bareText2wav(text: string, voice: string): Promise<void> {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  try {
    await text2wav(text, { voice });
  } finally {
    console.warn = warn;
    console.error = error;
  }
}

export async function run(options: BenchOptions) {
  const count = options.quick ? 10 : 50;
  const dir = tempDir('bench-announcer-');
  const fleet = await startBenchFleet(join(dir.path, 'fleet'));
  const s = fleet.services;
  const library = announcerIngest(s.content);
  let ingestMs: number[] = [];
  const timedIngest: AssetIngest = {
    async ingestFile(path, meta) {
      const started = performance.now();
      try {
        return await library.ingestFile(path, meta);
      } finally {
        ingestMs.push(performance.now() - started);
      }
    },
  };
  const announcer = new Announcer(
    {
      db: s.db,
      writer: s.writer,
      ingest: timedIngest,
      products: new CatalogProductFields(s.catalog, s.promotions, s.stores),
      storeExists: (id) => s.stores.getStore(id) !== undefined,
      clock: fleet.clock,
      log: silentLogger(),
    },
    { speechThreads: 1, tempDir: join(dir.path, 'tmp'), writeDeadlineMs: 10_000 },
  );
  const hq = { username: 'bench', storeIds: null };
  const loadBefore = loadavg()[0] as number;
  try {
    await announcer.start();
    for (let i = 0; i < 2; i++) await announcer.render(hq, request(i));
    ingestMs = [];
    const renderMs: number[] = [];
    const texts: { text: string; language: 'zh' | 'en' }[] = [];
    let audioMs = 0;
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const { announcement } = await announcer.render(hq, request(i));
      renderMs.push(performance.now() - started);
      texts.push({ text: announcement.text, language: announcement.language });
      audioMs += announcement.durationMs;
    }
    const speechMs = renderMs.map((ms, i) => ms - (ingestMs[i] as number));
    for (const t of texts.slice(0, 2)) await bareText2wav(t.text, VOICES[t.language].voice);
    const bareMs: number[] = [];
    for (const t of texts) {
      const started = performance.now();
      await bareText2wav(t.text, VOICES[t.language].voice);
      bareMs.push(performance.now() - started);
    }
    const result = {
      parameters: { renders: count, languages: 'zh/en alternating', warmup: 2 },
      bare: stats(bareMs),
      speech: stats(speechMs),
      ingest: stats(ingestMs),
      render: stats(renderMs),
      meanAudioSeconds: audioMs / count / 1000,
      targetP95Ms: 3000,
      load: { before: loadBefore, after: loadavg()[0] as number },
    };
    return { ...result, markdown: render(result) };
  } finally {
    await announcer.stop();
    await fleet.stop();
    dir.cleanup();
  }
}

function render(r: {
  parameters: { renders: number };
  bare: Stats;
  speech: Stats;
  ingest: Stats;
  render: Stats;
  meanAudioSeconds: number;
  targetP95Ms: number;
  load: { before: number; after: number };
}): string {
  const row = (name: string, x: Stats) => [name, x.n, fmt(x.p50, 0), fmt(x.p95, 0), fmt(x.max, 0)];
  return [
    `### Announcer: template → normalised asset, ${r.parameters.renders} renders (zh/en alternating)`,
    '',
    markdownTable(
      ['case', 'n', 'p50 ms', 'p95 ms', 'max ms'],
      [
        row('bare text2wav, same words, this thread (baseline)', r.bare),
        row('render: words → WAV (worker, chime)', r.speech),
        row('render: ingest (content library: measure, normalise, Opus, verify)', r.ingest),
        row('render: template → stored asset (total)', r.render),
      ],
    ),
    '',
    `Mean announcement length ${fmt(r.meanAudioSeconds, 1)} s (chime included). Target: render p95 ≤ ${fmt(r.targetP95Ms, 0)} ms ` +
      `(${r.render.p95 <= r.targetP95Ms ? 'met' : 'missed'}). ` +
      `Load average ${fmt(r.load.before, 2)} before, ${fmt(r.load.after, 2)} after (2 cores: above 2, every stage waits for a core).`,
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
