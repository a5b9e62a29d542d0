/**
 * Compiling 7-day manifests for a chain of 500 stores, 2 speakers each (issue 9 target: ≤ 10 s), in process, through
 * the same `compileManifest` the fleet's BroadcastScheduleService calls.
 *
 * Chain: 400 stores in Asia/Shanghai, 50 in America/New_York and 50 in Europe/Berlin (the horizon crosses both DST
 * changes: it starts 2026-03-05, New York changes on 03-08); opening hours 08:00-22:00 (Sundays 09:00-21:00). One
 * ambient programme of 3 slots (morning, day, evening), a holiday programme on the chain's two holidays; 10 HQ
 * campaigns (every 30 min on weekdays 09:00-20:30, hourly, three times a day ...; by region, by tag, opt-out and
 * opt-in, caps and gaps, between-tracks/interrupt/overlay) and 3 store campaigns per store (1,500 in all, each
 * compile filters them); a promo campaign for the promo speakers; a volume schedule per store; global gap 5 min.
 *
 * Rows: the compile as the service runs it after a change (one RecurrenceExpander shared by the run: HQ's rules are
 * expanded once per zone), and with a fresh expander per speaker (every rule expanded again). Baseline, same run:
 * bare rrule expansion (`RRule.between` over the horizon, DTSTART;TZID in the store's zone) of every rule each
 * speaker's compile needs, nothing else: what a compiler that expands rules per speaker pays before doing any work.
 */
import { performance } from 'node:perf_hooks';
import rr from 'rrule';
import type { CompileInput, ScheduleSpeaker, ScheduleStore } from '../broadcast/schedule/compile-input.ts';
import { campaignExclusion, targetsSpeaker, targetsStore } from '../broadcast/schedule/compile-input.ts';
import { compileManifest } from '../broadcast/schedule/compile-manifest.ts';
import { RecurrenceExpander } from '../broadcast/schedule/recurrence.ts';
import { ZoneOffsets } from '../broadcast/schedule/zoned-time.ts';
import type { Campaign, Holiday, Programme, VolumeSchedule } from '../protocol/api/broadcast-schedule.ts';
import type { AssetKind } from '../protocol/broadcast/layers.ts';
import { type BenchOptions, fmt, markdownTable, median, runWhenMain } from './lib/common.ts';

const { RRule } = rr;
const FROM = Date.UTC(2026, 2, 4, 16); // 2026-03-05 00:00 in Shanghai
const DAYS = 7;

type CatalogAsset = { sha256: string; bytes: number; durationMs: number; title: string; kind: AssetKind };

function sha(n: number): string {
  return n.toString(16).padStart(64, '0');
}

/** The chain above. */
export function buildChain(storeCount = 500) {
  const assets = new Map<string, CatalogAsset>();
  const add = (n: number, kind: AssetKind, durationMs: number) => {
    assets.set(sha(n), { sha256: sha(n), bytes: durationMs * 8, durationMs, title: `asset ${n}`, kind });
    return sha(n);
  };
  const music = Array.from({ length: 60 }, (_, i) => add(1 + i, 'music', 150_000 + (i % 7) * 20_000));
  const speech = Array.from({ length: 40 }, (_, i) => add(1000 + i, 'speech', 12_000 + (i % 5) * 6_000));
  const rec = (rule: string, more: Partial<Campaign['recurrence']> = {}): Campaign['recurrence'] => ({
    rule,
    validFrom: '2026-01-01',
    validUntil: null,
    exceptions: [],
    exceptHolidays: [],
    onlyOnHolidays: [],
    ...more,
  });
  const all = { all: true, regions: [], tags: [], storeIds: [] };
  const boxes = { roles: ['broadcast' as const], zoneIds: [], thingNames: [] };
  const holidays: Holiday[] = [
    { id: 'womens-day', name: 'Women’s day', dates: ['2026-03-08'] },
    { id: 'spring-sale', name: 'Spring sale', dates: ['2026-03-10', '2026-03-11'] },
  ];
  const programmes: Programme[] = [
    {
      id: 'ambient',
      name: 'Ambient',
      layer: 'ambient',
      priority: 50,
      stores: all,
      speakers: boxes,
      slots: [
        {
          id: 'morning',
          recurrence: rec('FREQ=DAILY;BYHOUR=8;BYMINUTE=0'),
          durationMinutes: 240,
          playlist: music.slice(0, 20),
          shuffle: true,
        },
        {
          id: 'day',
          recurrence: rec('FREQ=DAILY;BYHOUR=12;BYMINUTE=0'),
          durationMinutes: 360,
          playlist: music.slice(20, 40),
          shuffle: true,
        },
        {
          id: 'evening',
          recurrence: rec('FREQ=DAILY;BYHOUR=18;BYMINUTE=0'),
          durationMinutes: 240,
          playlist: music.slice(40, 60),
          shuffle: false,
        },
      ],
    },
    {
      id: 'holiday',
      name: 'Holiday',
      layer: 'holiday',
      priority: 50,
      stores: all,
      speakers: boxes,
      slots: [
        {
          id: 'all-day',
          recurrence: rec('FREQ=DAILY;BYHOUR=10;BYMINUTE=0', { onlyOnHolidays: ['womens-day'] }),
          durationMinutes: 360,
          playlist: music.slice(10, 30),
          shuffle: true,
        },
      ],
    },
  ];
  const hqRules = [
    'FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10,11,12,13,14,15,16,17,18,19,20;BYDAY=MO,TU,WE,TH,FR',
    'FREQ=HOURLY;BYMINUTE=15',
    'FREQ=DAILY;BYHOUR=9,13,17;BYMINUTE=45',
    'FREQ=HOURLY;INTERVAL=2;BYMINUTE=5',
    'FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10,11,12,14,15,16;BYMINUTE=30',
    'FREQ=DAILY;BYHOUR=11,19;BYMINUTE=0',
    'FREQ=MINUTELY;INTERVAL=20;BYHOUR=16,17,18',
    'FREQ=DAILY;BYHOUR=8;BYMINUTE=30',
    'FREQ=HOURLY;BYMINUTE=40;BYDAY=MO,WE,FR',
    'FREQ=DAILY;BYHOUR=21;BYMINUTE=0',
  ];
  const entries = ['between_tracks', 'interrupt', 'overlay'] as const;
  const campaigns: Campaign[] = hqRules.map((rule, i) => ({
    id: `hq-${i}`,
    name: `HQ ${i}`,
    kind: 'announcement',
    layer: i === 9 ? 'holiday' : 'hq_campaign',
    priority: 40 + i * 3,
    assets: [speech[i] as string, speech[i + 10] as string],
    recurrence: rec(rule, i === 3 ? { exceptHolidays: ['spring-sale'] } : {}),
    entry: entries[i % 3] as Campaign['entry'],
    maxDelayMs: i % 2 === 0 ? 600_000 : 0,
    caps: { maxPerHour: i % 3 === 0 ? 2 : null, minGapMinutes: i % 4 === 0 ? 20 : null },
    stores:
      i === 4 ? { ...all, all: false, regions: ['east'] } : i === 6 ? { ...all, all: false, tags: ['flagship'] } : all,
    speakers: boxes,
    optPolicy: i === 2 ? 'opt_out' : i === 7 ? 'opt_in' : 'mandatory',
    promo: null,
  }));
  campaigns.push({
    id: 'promo-yoghurt',
    name: 'Yoghurt',
    kind: 'promo',
    layer: 'hq_campaign',
    priority: 50,
    assets: [speech[30] as string, speech[31] as string],
    recurrence: rec('FREQ=DAILY;BYHOUR=10,16;BYMINUTE=0'),
    entry: 'overlay',
    maxDelayMs: 0,
    caps: { maxPerHour: null, minGapMinutes: null },
    stores: all,
    speakers: { roles: ['promo'], zoneIds: [], thingNames: [] },
    optPolicy: 'mandatory',
    promo: {
      productId: 'yoghurt',
      windowMinutes: 180,
      cooldownMs: 60_000,
      maxPerHour: 6,
      minBatteryPercent: 20,
      targetSplDb: 60,
      maxSplDb: 72,
    },
  });
  const owners = new Map<string, string | null>(campaigns.map((c) => [c.id, null]));
  const open: [string, string][] = [['08:00', '22:00']];
  const stores: ScheduleStore[] = [];
  for (let s = 0; s < storeCount; s++) {
    const zone = s % 10 === 8 ? 'America/New_York' : s % 10 === 9 ? 'Europe/Berlin' : 'Asia/Shanghai';
    const id = `store-${String(s).padStart(3, '0')}`;
    stores.push({
      id,
      timeZone: zone,
      region: s % 3 === 0 ? 'east' : 'north',
      tags: s % 5 === 0 ? ['flagship'] : [],
      openingHours: { mon: open, tue: open, wed: open, thu: open, fri: open, sat: open, sun: [['09:00', '21:00']] },
    });
    for (let k = 0; k < 3; k++) {
      const c: Campaign = {
        id: `${id}-c${k}`,
        name: `store ${s} ${k}`,
        kind: 'announcement',
        layer: 'store_campaign',
        priority: 50,
        assets: [speech[20 + ((s + k) % 10)] as string],
        recurrence: rec(
          ['FREQ=HOURLY;BYMINUTE=50', 'FREQ=DAILY;BYHOUR=12,18;BYMINUTE=20', 'FREQ=MINUTELY;INTERVAL=45'][k] as string,
        ),
        entry: 'between_tracks',
        maxDelayMs: 300_000,
        caps: { maxPerHour: null, minGapMinutes: k === 2 ? 60 : null },
        stores: { all: false, regions: [], tags: [], storeIds: [id] },
        speakers: boxes,
        optPolicy: 'mandatory',
        promo: null,
      };
      campaigns.push(c);
      owners.set(c.id, id);
    }
  }
  const volume: VolumeSchedule = {
    defaultVolume: 45,
    rules: [
      { days: [], from: '09:00', to: '11:00', volume: 50 },
      { days: [], from: '11:00', to: '14:00', volume: 65 },
      { days: ['sat', 'sun'], from: '14:00', to: '18:00', volume: 70 },
    ],
    speakers: {},
  };
  return { assets, holidays, programmes, campaigns, owners, stores, volume };
}

type Chain = ReturnType<typeof buildChain>;

function speakersOf(store: ScheduleStore): ScheduleSpeaker[] {
  return [
    { thingName: `spk-${store.id}-bx01`, role: 'broadcast', zoneId: null },
    { thingName: `spk-${store.id}-px01`, role: 'promo', zoneId: 'dairy' },
  ];
}

function inputFor(
  chain: Chain,
  store: ScheduleStore,
  speaker: ScheduleSpeaker,
  expander: RecurrenceExpander,
): CompileInput {
  return {
    speaker,
    store,
    programmes: chain.programmes,
    campaigns: chain.campaigns,
    campaignOwners: chain.owners,
    holidays: chain.holidays,
    opts: new Map(
      store.id.endsWith('7')
        ? [
            ['hq-2', 'out' as const],
            ['hq-7', 'in' as const],
          ]
        : [],
    ),
    slotOverrides: [],
    volume: chain.volume,
    chain: { minGapMs: 300_000, defaultVolume: 60 },
    storeMinGapMs: null,
    assets: { get: (s) => chain.assets.get(s) },
    from: FROM,
    horizonDays: DAYS,
    compiledAt: FROM,
    expander,
  };
}

interface Pass {
  ms: number;
  /** CPU time of the process (user + system): on a shared machine wall time also counts waits for a core. */
  cpuMs: number;
  manifests: number;
  items: number;
  music: number;
  dropped: number;
  bytes: number;
}

function compileAll(chain: Chain, shared: boolean): Pass {
  const zones = new ZoneOffsets();
  const sharedExpander = new RecurrenceExpander(zones);
  const pass: Pass = { ms: 0, cpuMs: 0, manifests: 0, items: 0, music: 0, dropped: 0, bytes: 0 };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const store of chain.stores) {
    for (const speaker of speakersOf(store)) {
      const expander = shared ? sharedExpander : new RecurrenceExpander(zones);
      const { manifest, dropped } = compileManifest(inputFor(chain, store, speaker, expander));
      pass.manifests++;
      pass.items += manifest.items.length;
      pass.music += manifest.music.length;
      pass.dropped += dropped.length;
      if (pass.manifests <= 20) pass.bytes += JSON.stringify(manifest).length;
    }
  }
  pass.ms = performance.now() - t0;
  pass.cpuMs = cpuSince(c0);
  return pass;
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}

/** The rules one speaker's compile expands (its programmes' slots and the campaigns that reach it). */
function rulesOf(chain: Chain, store: ScheduleStore, speaker: ScheduleSpeaker): string[] {
  const rules: string[] = [];
  for (const p of chain.programmes) {
    if (targetsStore(p.stores, store) && targetsSpeaker(p.speakers, speaker)) {
      for (const slot of p.slots) rules.push(slot.recurrence.rule);
    }
  }
  for (const c of chain.campaigns) {
    if (!targetsSpeaker(c.speakers, speaker)) continue;
    if (campaignExclusion(c, chain.owners.get(c.id) ?? null, store, undefined) !== null) continue;
    rules.push(c.recurrence.rule);
  }
  return rules;
}

/**
 * Baseline: `RRule.between` over the horizon for every rule each speaker's compile needs, in floating wall time (as
 * the compiler expands, before placing in the zone), nothing else. With `tzid` set, rrule 2.8 converts through Intl
 * on every candidate date; `speakers` limits that variant to a sample (it is about a thousand times slower).
 */
function bareExpansion(
  chain: Chain,
  tzid: boolean,
  speakers = Infinity,
): { ms: number; cpuMs: number; occurrences: number; speakers: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let occurrences = 0;
  let done = 0;
  const from = new Date(FROM);
  const to = new Date(FROM + DAYS * 86_400_000);
  for (const store of chain.stores) {
    for (const speaker of speakersOf(store)) {
      if (done >= speakers) break;
      done++;
      for (const rule of rulesOf(chain, store, speaker)) {
        const options = { ...RRule.parseString(rule), dtstart: new Date(Date.UTC(2026, 0, 1)) };
        const r = new RRule(tzid ? { ...options, tzid: store.timeZone } : options);
        occurrences += r.between(from, to, true).length;
      }
    }
  }
  return { ms: performance.now() - t0, cpuMs: cpuSince(c0), occurrences, speakers: done };
}

export interface ScheduleCompileReport {
  markdown: string;
  stores: number;
  speakers: number;
  sharedMs: number;
  sharedCpuMs: number;
  freshMs: number;
  bareMs: number;
  tzidMsPerSpeaker: number;
}

export async function run({ quick }: BenchOptions): Promise<ScheduleCompileReport> {
  const storeCount = quick ? 50 : 500;
  const rounds = quick ? 1 : 3;
  const chain = buildChain(storeCount);
  compileAll(buildChain(20), true); // warm-up: JIT, Intl formatters
  const shared: Pass[] = [];
  const fresh: Pass[] = [];
  const bare: ReturnType<typeof bareExpansion>[] = [];
  // Interleaved, so that the machine's load falls on every row alike; the median of the rounds is shown.
  for (let i = 0; i < rounds; i++) {
    shared.push(compileAll(chain, true));
    fresh.push(compileAll(chain, false));
    bare.push(bareExpansion(chain, false));
  }
  const tzid = bareExpansion(chain, true, quick ? 2 : 10);
  const mid = <T extends { ms: number }>(list: T[]) => {
    const m = median(list.map((x) => x.ms));
    return list.find((x) => x.ms === m) ?? (list[0] as T);
  };
  const s = mid(shared);
  const f = mid(fresh);
  const b = mid(bare);
  const speakers = s.manifests;
  const scale = 500 / storeCount;
  const row = (name: string, p: Pass) => [
    name,
    fmt(p.ms / 1000, 2),
    fmt(p.cpuMs / 1000, 2),
    fmt(p.ms / speakers, 2),
    fmt(p.ms / b.ms, 2),
    p.items,
    p.music,
    p.dropped,
    p.ms * scale <= 10_000 ? 'yes' : 'NO',
  ];
  const markdown = [
    `### Schedule compile: 7-day manifests for ${storeCount} stores × 2 speakers (median of ${rounds})`,
    '',
    markdownTable(
      [
        'compile',
        'wall s',
        'CPU s',
        'ms / speaker',
        '× bare rrule',
        'items',
        'music windows',
        'dropped',
        '≤ 10 s / 500 stores',
      ],
      [
        row('service run (shared expansions)', s),
        row('fresh expansions per speaker', f),
        [
          'baseline: bare rrule expansion (floating)',
          fmt(b.ms / 1000, 2),
          fmt(b.cpuMs / 1000, 2),
          fmt(b.ms / speakers, 2),
          '1.00',
          b.occurrences,
          '',
          '',
          '',
        ],
        [
          `rrule with TZID (${tzid.speakers} speakers sampled)`,
          '',
          '',
          fmt(tzid.ms / tzid.speakers, 1),
          fmt(tzid.ms / tzid.speakers / (b.ms / speakers), 0),
          tzid.occurrences,
          '',
          '',
          '',
        ],
      ],
    ),
    '',
    `Manifest JSON: ${fmt(s.bytes / Math.min(20, speakers) / 1024, 1)} KiB per speaker (mean of the first 20). ` +
      `${chain.campaigns.length} campaigns and ${chain.programmes.length} programmes in the chain.`,
  ].join('\n');
  return {
    markdown,
    stores: storeCount,
    speakers,
    sharedMs: s.ms,
    sharedCpuMs: s.cpuMs,
    freshMs: f.ms,
    bareMs: b.ms,
    tzidMsPerSpeaker: tzid.ms / tzid.speakers,
  };
}

await runWhenMain(import.meta.url, run);
