/**
 * Scheduled start error on the speaker (issue 9, target p99 ≤ 250 ms): the speaker's player and broadcast scheduler
 * on the real clock, music playing, N announcements scheduled over about a minute; for each, the onset error is
 * when its first sample leaves a sound card (a sink consuming 48 kHz paced by the system clock: bench/lib/paced-sink.ts)
 * minus its scheduled time.
 *
 * Baseline, same run, same items, same process (so both see the same load): a naive player that sets a timer for
 * each item and, when it fires, spawns ffmpeg and writes the PCM to its own card as it comes. Two conditions: an idle
 * event loop, and one that a busy runtime blocks for 20-120 ms every ~300 ms (a GC pause, a big manifest parsed,
 * the MQTT client's work): the player renders 200 ms ahead, so stalls shorter than that cost it nothing.
 *
 * Third table: the CPU of one speaker playing music (the demo's load: 4 speakers decode and mix continuously), its
 * node thread and its ffmpeg decoders, per cent of one core.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NullSink } from '../devices/speaker/player/sinks/audio-sink.ts';
import { SpeakerPlayer } from '../devices/speaker/player/speaker-player.ts';
import { BroadcastScheduler } from '../devices/speaker/scheduler/broadcast-scheduler.ts';
import { systemClock } from '../platform/clock.ts';
import { resolveFfmpeg } from '../platform/ffmpeg-binary.ts';
import type { BroadcastManifest, ScheduledItem } from '../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../protocol/broadcast/proof-of-play.ts';
import { type BenchOptions, fmt, markdownTable, nowMs, runWhenMain, sleep, summarize, tempDir } from './lib/common.ts';
import { PacedSink } from './lib/paced-sink.ts';

const ffmpeg = resolveFfmpeg().path;
const log = (message: string) => process.stderr.write(`[start-error] ${message}\n`);

function encodeTone(file: string, hz: number, seconds: number): void {
  execFileSync(ffmpeg, [
    '-nostdin',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=0.25*sin(2*PI*${hz}*t):s=48000:d=${seconds}`,
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '64k',
    '-y',
    file,
  ]);
}

const hex = (n: number) => n.toString(16).padStart(64, '0');

interface Assets {
  music: { sha256: string; file: string };
  voices: { sha256: string; file: string }[];
}

function makeAssets(dir: string): Assets {
  const music = { sha256: hex(1), file: join(dir, 'music.opus') };
  encodeTone(music.file, 400, 30);
  const voices = [1500, 2500, 3000].map((hz, i) => {
    const voice = { sha256: hex(10 + i), file: join(dir, `voice-${hz}.opus`) };
    encodeTone(voice.file, hz, 0.5);
    return voice;
  });
  return { music, voices };
}

/** Blocks the event loop for 20-120 ms about every 300 ms, until stopped. */
function jank(random: () => number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    timer = setTimeout(
      () => {
        const until = nowMs() + 20 + random() * 100;
        while (nowMs() < until) {
          // busy: what a stalled runtime does to every timer
        }
        next();
      },
      150 + random() * 300,
    );
  };
  next();
  return () => clearTimeout(timer);
}

/** The naive player of the baseline: a timer per item, ffmpeg spawned when it fires, PCM to the card as it comes. */
function naiveItem(at: number, file: string, card: PacedSink, children: Set<ChildProcess>): Promise<number> {
  return new Promise((resolve) => {
    setTimeout(
      () => {
        const child = spawn(ffmpeg, [
          '-nostdin',
          '-loglevel',
          'error',
          '-i',
          file,
          '-f',
          's16le',
          '-ac',
          '1',
          '-ar',
          '48000',
          'pipe:1',
        ]);
        children.add(child);
        const first = card.nextFree();
        let written = 0;
        let onset: number | undefined;
        child.stdout.on('data', (chunk: Buffer) => {
          const n = chunk.length >> 1;
          card.append(first + written, n, Date.now());
          if (onset === undefined) onset = card.consumedAt(first);
          written += n;
        });
        child.on('close', () => {
          children.delete(child);
          resolve((onset ?? Number.NaN) - at);
        });
      },
      Math.max(0, at - Date.now()),
    );
  });
}

interface ConditionResult {
  condition: string;
  player: number[];
  baseline: number[];
  underruns: number;
  xrunMs: number;
  droppedMs: number;
  skipped: number;
}

async function runCondition(condition: string, assets: Assets, items: number, spacingMs: number, withJank: boolean) {
  const card = new PacedSink();
  let scheduler: BroadcastScheduler | undefined;
  const player = new SpeakerPlayer(systemClock, card, {
    ffmpegPath: ffmpeg,
    volumeAt: (t) => scheduler?.volumeAt(t) ?? 0,
  });
  const files = new Map([
    [assets.music.sha256, assets.music.file],
    ...assets.voices.map((v) => [v.sha256, v.file] as const),
  ]);
  scheduler = new BroadcastScheduler(systemClock, player, { assetPath: (s) => files.get(s) });
  const records: PlayRecord[] = [];
  scheduler.on('play', (r) => records.push(r));
  const t0 = Date.now() + 4000;
  const horizon = t0 + items * spacingMs + 60_000;
  const schedule: ScheduledItem[] = Array.from({ length: items }, (_, i) => {
    const voice = assets.voices[i % assets.voices.length] as { sha256: string };
    return {
      id: `item-${i}`,
      at: t0 + i * spacingMs + Math.round((i * 7919) % 400),
      sha256: voice.sha256,
      durationMs: 500,
      entry: 'overlay',
      maxDelayMs: 0,
      campaignId: null,
      reason: { layer: 'hq_campaign', source: 'bench' },
    };
  });
  const manifest: BroadcastManifest = {
    version: 1,
    thingName: 'bench-speaker',
    storeId: 'bench-store',
    timeZone: 'Asia/Shanghai',
    compiledAt: Date.now(),
    from: Date.now() - 1000,
    to: horizon,
    assets: [
      { sha256: assets.music.sha256, bytes: 1, durationMs: 30_000, title: 'music', kind: 'music' },
      ...assets.voices.map((v) => ({
        sha256: v.sha256,
        bytes: 1,
        durationMs: 500,
        title: 'voice',
        kind: 'speech' as const,
      })),
    ],
    music: [
      {
        id: 'w',
        from: Date.now() - 1000,
        to: horizon,
        playlist: [assets.music.sha256],
        shuffleSeed: null,
        reason: { layer: 'ambient', source: 'bench' },
      },
    ],
    items: schedule,
    volume: [{ from: Date.now() - 1000, to: horizon, volume: 80 }],
    promo: null,
    minGapMs: 0,
  };
  scheduler.setManifest(manifest);
  await player.start();
  scheduler.start();
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const stopJank = withJank ? jank(random) : () => {};
  const baselineCard = new PacedSink();
  const children = new Set<ChildProcess>();
  const baselineRuns = schedule.map((item) =>
    naiveItem(item.at, files.get(item.sha256) as string, baselineCard, children),
  );
  const baseline = await Promise.all(baselineRuns);
  await sleep(1500);
  stopJank();
  scheduler.stop();
  await player.stop();
  const played = records.filter((r) => r.itemId?.startsWith('item-') && r.outcome === 'completed');
  const errors = played.map((r) => {
    const item = schedule.find((i) => i.id === r.itemId) as ScheduledItem;
    return (card.consumedAt(player.mixer.sampleAt(r.startedAt)) ?? Number.NaN) - item.at;
  });
  return {
    condition,
    player: errors,
    baseline,
    underruns: player.mixer.stats.underruns,
    xrunMs: card.xrunMs,
    droppedMs: player.mixer.stats.droppedSamples / 48,
    skipped: items - played.length,
  } satisfies ConditionResult;
}

/** CPU (per cent of one core) of one speaker playing music: its node process and its ffmpeg children. */
async function musicCpu(assets: Assets, seconds: number) {
  const player = new SpeakerPlayer(systemClock, new NullSink(), { ffmpegPath: ffmpeg, volumeAt: () => 80 });
  const scheduler = new BroadcastScheduler(systemClock, player, {
    assetPath: (s) => (s === assets.music.sha256 ? assets.music.file : undefined),
  });
  const from = Date.now() - 1000;
  scheduler.setManifest({
    version: 1,
    thingName: 'bench-speaker',
    storeId: 'bench-store',
    timeZone: 'Asia/Shanghai',
    compiledAt: from,
    from,
    to: from + 3_600_000,
    assets: [{ sha256: assets.music.sha256, bytes: 1, durationMs: 30_000, title: 'music', kind: 'music' }],
    music: [
      {
        id: 'w',
        from,
        to: from + 3_600_000,
        playlist: [assets.music.sha256],
        shuffleSeed: null,
        reason: { layer: 'ambient', source: 'bench' },
      },
    ],
    items: [],
    volume: [{ from, to: from + 3_600_000, volume: 80 }],
    promo: null,
    minGapMs: 0,
  });
  const self0 = process.cpuUsage();
  const children0 = childrenCpuMs();
  const t0 = nowMs();
  await player.start();
  scheduler.start();
  await sleep(seconds * 1000);
  scheduler.stop();
  await player.stop();
  await sleep(200); // the last decoder reaped, so its CPU counts
  const wall = nowMs() - t0;
  const self = process.cpuUsage(self0);
  return {
    nodePercent: ((self.user + self.system) / 1000 / wall) * 100,
    ffmpegPercent: ((childrenCpuMs() - children0) / wall) * 100,
  };
}

/** CPU of this process's reaped children (ms): /proc/self/stat cutime + cstime, at 100 ticks a second. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export interface StartErrorReport {
  markdown: string;
  conditions: ConditionResult[];
  cpu: { nodePercent: number; ffmpegPercent: number };
}

export async function run({ quick }: BenchOptions): Promise<StartErrorReport> {
  const dir = tempDir('start-error-');
  try {
    const assets = makeAssets(dir.path);
    const items = quick ? 8 : 40;
    const spacing = 1500;
    const conditions: ConditionResult[] = [];
    for (const [name, withJank] of [
      ['idle event loop', false],
      ['event loop blocked 20-120 ms every ~300 ms', true],
    ] as const) {
      log(`${name}: ${items} items over ${((items * spacing) / 1000).toFixed(0)} s`);
      conditions.push(await runCondition(name, assets, items, spacing, withJank));
    }
    log('CPU of one speaker playing music');
    const cpu = await musicCpu(assets, quick ? 5 : 20);
    const rows = conditions.flatMap((c) => {
      const p = summarize(c.player);
      const b = summarize(c.baseline);
      return [
        [
          c.condition,
          'player (pre-roll, render-ahead)',
          p.n,
          fmt(p.p50),
          fmt(p.p99),
          fmt(p.max),
          c.underruns,
          fmt(c.xrunMs, 0),
          fmt(c.droppedMs, 0),
          c.skipped,
        ],
        [c.condition, 'baseline (timer + spawn at start)', b.n, fmt(b.p50), fmt(b.p99), fmt(b.max), '–', '–', '–', '–'],
      ];
    });
    const markdown = [
      `### Scheduled start error on the speaker (${items} items, onset at a 48 kHz card paced by the system clock; target p99 ≤ 250 ms)`,
      '',
      markdownTable(
        [
          'condition',
          'player',
          'items',
          'p50 ms',
          'p99 ms',
          'max ms',
          'underruns',
          'card xrun ms',
          'dropped ms',
          'not played',
        ],
        rows,
      ),
      '',
      '### CPU of one speaker playing music (per cent of one core)',
      '',
      markdownTable(
        ['node (scheduler + mixer + sink)', 'ffmpeg decoders', 'total'],
        [[fmt(cpu.nodePercent, 2), fmt(cpu.ffmpegPercent, 2), fmt(cpu.nodePercent + cpu.ffmpegPercent, 2)]],
      ),
    ].join('\n');
    return { markdown, conditions, cpu };
  } finally {
    dir.cleanup();
  }
}

await runWhenMain(import.meta.url, run);
