/**
 * Normalising uploads (issue 9 item 13: ≥ 0.8× the throughput of the bare ffmpeg commands on the same files).
 *
 * Inputs: 100 assets (20 with --quick) generated at the start with ffmpeg's own sources, drawn with a fixed seed:
 * formats MP3, WAV, AAC/M4A, Ogg/Opus, FLAC in turn; 20 % short clips (1–3 s), 50 % of 5–20 s, 30 % of 20–60 s;
 * pink noise (music-like), constant sines, tone bursts over near-silence (speech-like, peaky) and clipped squares;
 * integrated loudness from about −45 to −3 LUFS.
 *
 * Subject: the content library's whole pipeline (`ContentLibrary.ingestFile`: sha256 of the upload, decode once with
 * measurement, linear gain + oversampled limiter → Opus while measuring, the encoded file measured again, the
 * content-addressed store and its SQLite row).
 *
 * Baseline, same run, same files: the bare two-pass ffmpeg `loudnorm` commands (pass 1 `print_format=json` to null,
 * pass 2 with the measured values, `linear=true`, into the same Ogg/Opus 48 kHz mono 64 kbit/s), what an operator
 * would script by hand. Two workers (two cores) each take the next asset and run both sides on it back to back,
 * alternating which goes first, so both meet the same machine load; each asset's passes run one after the other, so
 * an asset's time is its own, and a side's throughput is its audio over its busy time per worker. Afterwards
 * (untimed) every output of both is measured independently (ebur128, short clips looped) against the ±1 LU
 * tolerance: the baseline's misses are the reason for the subject's extra work.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContentLibrary } from '../fleet/broadcast/content/content-library.ts';
import { openDatabase } from '../fleet/storage/database.ts';
import { DatabaseWriter } from '../fleet/storage/database-writer.ts';
import { systemClock } from '../platform/clock.ts';
import { resolveFfmpeg } from '../platform/ffmpeg-binary.ts';
import { silentLogger } from '../platform/log.ts';
import { DEFAULT_CONTENT_LIMITS, DEFAULT_LOUDNESS_TARGET } from '../protocol/broadcast/audio-format.ts';
import { type BenchOptions, fmt, markdownTable, nowMs, runWhenMain, summarize, tempDir } from './lib/common.ts';

const run$ = promisify(execFile);
const TARGET = DEFAULT_LOUDNESS_TARGET;
const FORMATS: Array<{ ext: string; codec: string[] }> = [
  { ext: 'mp3', codec: ['-c:a', 'libmp3lame', '-b:a', '160k', '-ac', '2', '-ar', '44100'] },
  { ext: 'wav', codec: ['-c:a', 'pcm_s16le', '-ac', '2', '-ar', '44100'] },
  { ext: 'm4a', codec: ['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '44100'] },
  { ext: 'ogg', codec: ['-c:a', 'libopus', '-b:a', '96k', '-ac', '2', '-ar', '48000'] },
  { ext: 'flac', codec: ['-c:a', 'flac', '-ac', '1', '-ar', '48000'] },
];

interface Asset {
  path: string;
  seconds: number;
  kind: string;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function source(kind: string, seconds: number, random: () => number): string {
  const d = seconds.toFixed(2);
  const amp = (min: number, max: number) => (min + random() * (max - min)).toFixed(4);
  switch (kind) {
    case 'noise':
      return `anoisesrc=d=${d}:c=pink:a=${amp(0.005, 0.6)}`;
    case 'sine':
      return `sine=f=${Math.round(200 + random() * 1800)}:d=${d},volume=${amp(0.01, 1)}`;
    case 'bursts':
      return `aevalsrc=${amp(0.01, 0.5)}*sin(2*PI*${Math.round(150 + random() * 300)}*t)*gt(sin(2*PI*1.3*t)\\,0)+0.001*(random(0)-0.5):d=${d}`;
    default:
      return `aevalsrc=0.99*(gt(sin(2*PI*${Math.round(100 + random() * 300)}*t)\\,0)*2-1):d=${d},volume=${Math.round(random() * 12)}dB`;
  }
}

async function generate(dir: string, count: number, ffmpeg: string): Promise<Asset[]> {
  const random = rng(2026);
  const kinds = ['noise', 'sine', 'bursts', 'square'];
  const assets: Asset[] = [];
  for (let i = 0; i < count; i++) {
    const band = random();
    const seconds = band < 0.2 ? 1 + random() * 2 : band < 0.7 ? 5 + random() * 15 : 20 + random() * 40;
    const format = FORMATS[i % FORMATS.length]!;
    const kind = kinds[Math.floor(random() * kinds.length)]!;
    assets.push({ path: join(dir, `in-${String(i).padStart(3, '0')}.${format.ext}`), seconds, kind });
    (assets.at(-1) as Asset & { args: string[] }).args = [
      '-hide_banner',
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      source(kind, seconds, random),
      ...format.codec,
    ];
  }
  await pool(assets, 2, async (a) => {
    await run$(ffmpeg, [...(a as Asset & { args: string[] }).args, a.path]);
  });
  return assets;
}

/** Runs `work` over `items`, `width` at a time; answers each item's own wall time, ms. */
async function pool<T>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<number[]> {
  const times = new Array<number>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        const started = nowMs();
        await work(items[index] as T, index);
        times[index] = nowMs() - started;
      }
    }),
  );
  return times;
}

async function bareLoudnorm(ffmpeg: string, input: string, output: string): Promise<void> {
  const filter = `loudnorm=I=${TARGET.integratedLufs}:TP=${TARGET.truePeakDbtp}:LRA=11`;
  const first = await run$(
    ffmpeg,
    ['-hide_banner', '-nostats', '-i', input, '-af', `${filter}:print_format=json`, '-f', 'null', '-'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const json = JSON.parse(
    first.stderr.slice(first.stderr.lastIndexOf('{'), first.stderr.lastIndexOf('}') + 1),
  ) as Record<string, string>;
  // loudnorm refuses its own -inf / inf (a clip under 400 ms has no gated block): clamped into its option ranges so
  // that pass 2 still runs on every file, as a script would have to.
  const v = (key: string, min: number, max: number) => {
    const n = Number(json[key]);
    return Number.isNaN(n) ? 0 : Math.min(max, Math.max(min, n));
  };
  const measured = `measured_I=${v('input_i', -99, 0)}:measured_TP=${v('input_tp', -99, 99)}:measured_LRA=${v('input_lra', 0, 99)}:measured_thresh=${v('input_thresh', -99, 0)}:offset=${v('target_offset', -99, 99)}:linear=true`;
  await run$(ffmpeg, [
    '-hide_banner',
    '-nostats',
    '-v',
    'error',
    '-i',
    input,
    '-af',
    `${filter}:${measured}`,
    '-ar',
    '48000',
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-f',
    'ogg',
    '-y',
    output,
  ]);
}

async function measure(ffmpeg: string, path: string, seconds: number): Promise<number> {
  const loops = seconds < 3 ? ['-stream_loop', String(Math.ceil(3 / seconds))] : [];
  const { stderr } = await run$(ffmpeg, [
    '-hide_banner',
    '-nostats',
    ...loops,
    '-i',
    path,
    '-af',
    'ebur128=framelog=verbose',
    '-f',
    'null',
    '-',
  ]);
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(stderr.slice(stderr.lastIndexOf('Summary:')))?.[1]);
}

export interface NormaliseReport {
  assets: number;
  audioSeconds: number;
  subject: { wallS: number; p50Ms: number; p90Ms: number; throughput: number; withinTolerance: number; failed: number };
  baseline: {
    wallS: number;
    p50Ms: number;
    p90Ms: number;
    throughput: number;
    withinTolerance: number;
    failed: number;
  };
  ratio: number;
  markdown: string;
}

export async function run({ quick }: BenchOptions): Promise<NormaliseReport> {
  const ffmpeg = resolveFfmpeg().path;
  const dir = tempDir('cartfleet-bench-normalise-');
  try {
    const assets = await generate(dir.path, quick ? 20 : 100, ffmpeg);
    const audioSeconds = assets.reduce((s, a) => s + a.seconds, 0);

    const dataDir = join(dir.path, 'fleet');
    const db = openDatabase(dataDir, silentLogger());
    const writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 250 }, silentLogger(), systemClock);
    const library = new ContentLibrary(
      { dataDir, ffmpegPath: null, ...DEFAULT_CONTENT_LIMITS, loudness: TARGET },
      db,
      writer,
      silentLogger(),
      systemClock,
    );
    await library.start();
    const stored: Array<string | undefined> = [];
    let subjectFailed = 0;
    // Interleaved on a shared machine: each worker takes an asset and runs both sides on it back to back (the
    // subject first on even assets, the baseline first on odd ones), so both meet the same load at the same time.
    // A side's throughput is the audio it processed over its own busy time per worker.
    const subjectTimes: number[] = [];
    const baselineTimes: number[] = [];
    let baselineFailed = 0;
    const subjectSide = async (a: Asset, i: number) => {
      const t = nowMs();
      try {
        const asset = await library.ingestFile(a.path, {
          title: `asset ${i}`,
          kind: 'music',
          origin: 'upload',
          storeId: null,
          createdBy: null,
        });
        stored[i] = library.pathOf(asset.sha256);
      } catch {
        subjectFailed++;
      }
      subjectTimes[i] = nowMs() - t;
    };
    const baselineSide = async (a: Asset, i: number) => {
      const t = nowMs();
      try {
        await bareLoudnorm(ffmpeg, a.path, join(dir.path, `bare-${i}.opus`));
      } catch {
        baselineFailed++;
      }
      baselineTimes[i] = nowMs() - t;
    };
    const started = nowMs();
    await pool(assets, 2, async (a, i) => {
      if (i % 2 === 0) {
        await subjectSide(a, i);
        await baselineSide(a, i);
      } else {
        await baselineSide(a, i);
        await subjectSide(a, i);
      }
    });
    const totalWall = (nowMs() - started) / 1000;
    const sum = (xs: number[]) => xs.reduce((t, x) => t + x, 0);
    const subjectWall = sum(subjectTimes) / 2 / 1000;
    const baselineWall = sum(baselineTimes) / 2 / 1000;

    // Untimed: both sides' outputs measured the same independent way.
    let subjectOk = 0;
    let baselineOk = 0;
    await pool(assets, 2, async (a, i) => {
      const ours = stored[i];
      if (ours && Math.abs((await measure(ffmpeg, ours, a.seconds)) - TARGET.integratedLufs) <= TARGET.toleranceLu)
        subjectOk++;
      const bare = await measure(ffmpeg, join(dir.path, `bare-${i}.opus`), a.seconds).catch(() => Number.NaN);
      if (Math.abs(bare - TARGET.integratedLufs) <= TARGET.toleranceLu) baselineOk++;
    });
    library.stop();
    writer.stop();
    db.close();

    const s = summarize(subjectTimes);
    const b = summarize(baselineTimes);
    const subject = {
      wallS: subjectWall,
      p50Ms: s.p50,
      p90Ms: s.p90,
      throughput: audioSeconds / subjectWall,
      withinTolerance: subjectOk,
      failed: subjectFailed,
    };
    const baseline = {
      wallS: baselineWall,
      p50Ms: b.p50,
      p90Ms: b.p90,
      throughput: audioSeconds / baselineWall,
      withinTolerance: baselineOk,
      failed: baselineFailed,
    };
    const ratio = subject.throughput / baseline.throughput;
    const n = assets.length;
    const markdown = [
      `### Normalising ${n} assets (${fmt(audioSeconds / 60, 1)} min of audio, 2 at a time)${quick ? ' — quick run' : ''}`,
      '',
      markdownTable(
        [
          'pipeline',
          'busy time / 2 workers (s)',
          'p50 per asset (ms)',
          'p90 per asset (ms)',
          'throughput (audio s / s)',
          `within ±${TARGET.toleranceLu} LU`,
          'failed',
        ],
        [
          [
            'content library (decode once, gain + limiter, verify)',
            fmt(subject.wallS),
            fmt(subject.p50Ms, 0),
            fmt(subject.p90Ms, 0),
            fmt(subject.throughput),
            `${subjectOk}/${n}`,
            subjectFailed,
          ],
          [
            'bare ffmpeg two-pass loudnorm (baseline)',
            fmt(baseline.wallS),
            fmt(baseline.p50Ms, 0),
            fmt(baseline.p90Ms, 0),
            fmt(baseline.throughput),
            `${baselineOk}/${n}`,
            baselineFailed,
          ],
        ],
      ),
      '',
      `Throughput ratio: ${fmt(ratio, 2)}× the baseline (target ≥ 0.8×: ${ratio >= 0.8 ? 'met' : 'NOT met'}). Both sides interleaved asset by asset, ${fmt(totalWall, 0)} s in all.`,
    ].join('\n');
    return { assets: n, audioSeconds, subject, baseline, ratio, markdown };
  } finally {
    dir.cleanup();
  }
}

await runWhenMain(import.meta.url, run);
