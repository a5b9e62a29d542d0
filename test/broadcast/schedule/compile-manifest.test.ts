/**
 * The schedule compiler on a fixed clock: DST, exceptions and holidays, layers, caps and gaps, quiet hours, store
 * opt-out and slot overrides, the promo, determinism. Times are read back as local wall times of the store.
 */
import assert from 'node:assert/strict';
import { compileManifest } from '../../../broadcast/schedule/compile-manifest.ts';
import { BroadcastManifestSchema } from '../../../protocol/broadcast/manifest.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import {
  assetsFixture,
  BOX,
  campaign,
  input,
  local,
  NY_FROM,
  PROMO,
  programme,
  recurrence,
  SHANGHAI_STORE,
} from './schedule-fixture.ts';

const DAILY_8 = 'FREQ=DAILY;BYHOUR=8;BYMINUTE=0';
const DAILY_10 = 'FREQ=DAILY;BYHOUR=10;BYMINUTE=0';

describe('broadcast/schedule compileManifest', () => {
  const a = assetsFixture();
  const ambient = programme({
    id: 'ambient',
    slots: [
      {
        id: 'day',
        recurrence: recurrence(DAILY_8),
        durationMinutes: 14 * 60,
        playlist: [a.song1, a.song2],
        shuffle: true,
      },
    ],
  });

  it('expands "every day 08:00" at 08:00 local across the DST change (America/New_York, 2026-03-08)', () => {
    const { manifest } = compileManifest(input({ assets: a.catalog, programmes: [ambient] }));
    assert.deepEqual(
      manifest.music.map((w) => `${local(w.from)}-${local(w.to).slice(11)}`),
      [
        '2026-03-05 08:00-22:00',
        '2026-03-06 08:00-22:00',
        '2026-03-07 08:00-22:00',
        '2026-03-08 08:00-22:00',
        '2026-03-09 08:00-22:00',
        '2026-03-10 08:00-22:00',
        '2026-03-11 08:00-22:00',
      ],
    );
    // The UTC instants move by an hour on the change: 13:00Z (EST) before, 12:00Z (EDT) after.
    assert.equal(new Date(manifest.music[2]!.from).toISOString(), '2026-03-07T13:00:00.000Z');
    assert.equal(new Date(manifest.music[3]!.from).toISOString(), '2026-03-08T12:00:00.000Z');
    // Same rule, another zone: 08:00 in Shanghai is 00:00Z every day.
    const sh = compileManifest(input({ assets: a.catalog, programmes: [ambient], store: SHANGHAI_STORE }));
    // (13:00 there: the first and last windows are cut at the horizon.)
    assert.equal(sh.manifest.music.length, 8);
    assert.ok(sh.manifest.music.slice(1).every((w) => new Date(w.from).toISOString().endsWith('T00:00:00.000Z')));
    assert.equal(manifest.to - manifest.from, 7 * 86_400_000);
    const seeded = manifest.music[0]!.shuffleSeed;
    assert.ok(seeded !== null && seeded >= 0);
  });

  it('produces a manifest the contract accepts (with a version)', async () => {
    const { default: Ajv } = await import('ajv');
    const ajv = new Ajv.default({ strict: false });
    const compiled = compileManifest(
      input({
        assets: a.catalog,
        programmes: [ambient],
        campaigns: [campaign({ id: 'hq', assets: [a.ad1], recurrence: recurrence(DAILY_10) })],
      }),
    );
    assert.equal(ajv.validate(BroadcastManifestSchema, { ...compiled.manifest, version: 1 }), true, ajv.errorsText());
    assert.deepEqual(compiled.manifest.assets.map((x) => x.title).sort(), ['ad 1', 'song 1', 'song 2']);
  });

  const itemTimes = (over: Parameters<typeof input>[0]) =>
    compileManifest(input(over)).manifest.items.map((i) => local(i.at));

  const CASES: { name: string; run: () => void }[] = [
    {
      name: 'EXDATE: one occurrence (YYYY-MM-DDTHH:MM) and a whole day (YYYY-MM-DD) are skipped',
      run: () => {
        const rec = recurrence(DAILY_10, { exceptions: ['2026-03-06T10:00', '2026-03-08'] });
        const times = itemTimes({
          assets: a.catalog,
          campaigns: [campaign({ id: 'c', assets: [a.ad1], recurrence: rec })],
        });
        assert.deepEqual(times, [
          '2026-03-05 10:00',
          '2026-03-07 10:00',
          '2026-03-09 10:00',
          '2026-03-10 10:00',
          '2026-03-11 10:00',
        ]);
      },
    },
    {
      name: 'holiday exceptions: a campaign skips the chain holiday; a holiday programme runs only then and wins',
      run: () => {
        const holidays = [{ id: 'founders-day', name: 'Founders day', dates: ['2026-03-07'] }];
        const rec = recurrence(DAILY_10, { exceptHolidays: ['founders-day'] });
        const holidayProgramme = programme({
          id: 'founders',
          layer: 'holiday',
          slots: [
            {
              id: 'all-day',
              recurrence: recurrence(DAILY_8, { onlyOnHolidays: ['founders-day'] }),
              durationMinutes: 14 * 60,
              playlist: [a.xmas],
              shuffle: false,
            },
          ],
        });
        const compiled = compileManifest(
          input({
            assets: a.catalog,
            holidays,
            programmes: [ambient, holidayProgramme],
            campaigns: [campaign({ id: 'c', assets: [a.ad1], recurrence: rec })],
          }),
        );
        assert.ok(!compiled.manifest.items.some((i) => local(i.at).startsWith('2026-03-07')));
        assert.equal(compiled.manifest.items.length, 6, 'positive control: the other days play');
        const on7 = compiled.manifest.music.filter((w) => local(w.from).startsWith('2026-03-07'));
        assert.deepEqual(
          on7.map((w) => [w.reason.layer, w.reason.source, w.playlist]),
          [['holiday', 'founders', [a.xmas]]],
        );
        const lost = compiled.dropped.filter((d) => d.kind === 'music');
        assert.deepEqual(
          lost.map((d) => [local(d.at), d.source, d.why]),
          [['2026-03-07 08:00', 'ambient', 'overridden by holiday layer (founders)']],
        );
      },
    },
    {
      name: 'plays per hour: a campaign every 10 min capped at 4/h plays 10:00-10:30, the rest are dropped as capped',
      run: () => {
        const c = campaign({
          id: 'every10',
          assets: [a.ad2],
          recurrence: recurrence('FREQ=MINUTELY;INTERVAL=10;BYHOUR=10', { validUntil: '2026-03-05' }),
          caps: { maxPerHour: 4, minGapMinutes: null },
        });
        const compiled = compileManifest(input({ assets: a.catalog, campaigns: [c] }));
        assert.deepEqual(
          compiled.manifest.items.map((i) => local(i.at).slice(11)),
          ['10:00', '10:10', '10:20', '10:30'],
        );
        assert.deepEqual(
          compiled.dropped.map((d) => [local(d.at).slice(11), d.why]),
          [
            ['10:40', 'capped: 4/h'],
            ['10:50', 'capped: 4/h'],
          ],
        );
      },
    },
    {
      name: 'campaign minimum gap (start to start): every 10 min with a 25 min gap plays 10:00 and 10:30',
      run: () => {
        const c = campaign({
          id: 'gappy',
          assets: [a.ad2],
          recurrence: recurrence('FREQ=MINUTELY;INTERVAL=10;BYHOUR=10', { validUntil: '2026-03-05' }),
          caps: { maxPerHour: null, minGapMinutes: 25 },
        });
        const compiled = compileManifest(input({ assets: a.catalog, campaigns: [c] }));
        assert.deepEqual(
          compiled.manifest.items.map((i) => local(i.at).slice(11)),
          ['10:00', '10:30'],
        );
        assert.ok(compiled.dropped.every((d) => d.why === 'campaign gap 25 min'));
        assert.equal(compiled.dropped.length, 4);
      },
    },
    {
      name: 'layers and the global gap: the store campaign takes 10:00, HQ moves 5 min past its end within its delay',
      run: () => {
        const rec = recurrence(DAILY_10, { validUntil: '2026-03-05' });
        const hq = campaign({ id: 'hq', assets: [a.ad1], recurrence: rec, maxDelayMs: 10 * 60_000 });
        const store = campaign({ id: 'mine', layer: 'store_campaign', assets: [a.ad2], recurrence: rec });
        const compiled = compileManifest(
          input({
            assets: a.catalog,
            campaigns: [hq, store],
            campaignOwners: new Map([['mine', 'ny-1']]),
            chain: { minGapMs: 5 * 60_000, defaultVolume: 60 },
          }),
        );
        assert.deepEqual(
          compiled.manifest.items.map((i) => [local(i.at).slice(11), i.campaignId, i.reason.layer]),
          [
            ['10:00', 'mine', 'store_campaign'],
            ['10:05', 'hq', 'hq_campaign'],
          ],
        );
        const moved = compiled.manifest.items[1]!;
        assert.equal(moved.at - NY_FROM - 10 * 3_600_000, 20_000 + 5 * 60_000, 'ad 2 (20 s) + 5 min gap');
        assert.match(moved.reason.note ?? '', /^moved 320 s: overridden by store_campaign layer \(mine\)/);
        assert.equal(moved.maxDelayMs, 10 * 60_000 - 320_000);
        // Without room to move, HQ's is dropped with the layer that beat it.
        const strict = compileManifest(
          input({
            assets: a.catalog,
            campaigns: [{ ...hq, maxDelayMs: 0 }, store],
            campaignOwners: new Map([['mine', 'ny-1']]),
            chain: { minGapMs: 5 * 60_000, defaultVolume: 60 },
          }),
        );
        assert.deepEqual(
          strict.dropped.map((d) => [d.source, d.why]),
          [['hq', 'overridden by store_campaign layer (mine)']],
        );
      },
    },
    {
      name: 'equal layers: higher priority wins, and a store override of the global gap applies',
      run: () => {
        const rec = recurrence(DAILY_10, { validUntil: '2026-03-05' });
        const low = campaign({ id: 'low', assets: [a.ad1], recurrence: rec, priority: 10, maxDelayMs: 3_600_000 });
        const high = campaign({ id: 'high', assets: [a.ad2], recurrence: rec, priority: 90 });
        const compiled = compileManifest(
          input({
            assets: a.catalog,
            campaigns: [low, high],
            storeMinGapMs: 60_000,
            chain: { minGapMs: 600_000, defaultVolume: 60 },
          }),
        );
        assert.deepEqual(
          compiled.manifest.items.map((i) => [i.campaignId, local(i.at).slice(11, 16)]),
          [
            ['high', '10:00'],
            ['low', '10:01'],
          ],
        );
        assert.equal(compiled.manifest.minGapMs, 60_000);
        assert.match(compiled.manifest.items[1]!.reason.note ?? '', /gap 1 min after high/);
      },
    },
    {
      name: 'quiet hours: no volume span outside opening hours, an item due then is dropped; rules paint the day',
      run: () => {
        const early = campaign({
          id: 'early',
          assets: [a.ad1],
          recurrence: recurrence('FREQ=DAILY;BYHOUR=7;BYMINUTE=0'),
        });
        const compiled = compileManifest(
          input({
            assets: a.catalog,
            campaigns: [early],
            volume: {
              defaultVolume: 40,
              rules: [
                { days: [], from: '09:00', to: '11:00', volume: 50 },
                { days: [], from: '11:00', to: '14:00', volume: 65 },
                { days: ['sun'], from: '11:00', to: '14:00', volume: 0 },
              ],
              speakers: {},
            },
          }),
        );
        assert.equal(compiled.manifest.items.length, 0);
        assert.equal(compiled.dropped.length, 7);
        assert.match(compiled.dropped[0]!.why, /^quiet/);
        const thursday = compiled.manifest.volume.filter((v) => local(v.from).startsWith('2026-03-05'));
        assert.deepEqual(
          thursday.map((v) => `${local(v.from).slice(11)}-${local(v.to).slice(11)} ${v.volume}`),
          ['08:00-09:00 40', '09:00-11:00 50', '11:00-14:00 65', '14:00-22:00 40'],
        );
        // Sunday 03-08 (after the DST change): 11-14 at volume 0 is quiet, so no span there.
        const sunday = compiled.manifest.volume.filter((v) => local(v.from).startsWith('2026-03-08'));
        assert.deepEqual(
          sunday.map((v) => `${local(v.from).slice(11)}-${local(v.to).slice(11)} ${v.volume}`),
          ['08:00-09:00 40', '09:00-11:00 50', '14:00-22:00 40'],
        );
        // Positive control: the same campaign at 08:30 plays every day.
        const later = { ...early, recurrence: recurrence('FREQ=DAILY;BYHOUR=8;BYMINUTE=30') };
        assert.equal(compileManifest(input({ assets: a.catalog, campaigns: [later] })).manifest.items.length, 7);
      },
    },
    {
      name: 'a per-speaker volume override replaces the store rules for that speaker only',
      run: () => {
        const volume = {
          defaultVolume: 40,
          rules: [{ days: [], from: '08:00', to: '22:00', volume: 55 }],
          speakers: { [BOX.thingName]: [{ days: [], from: '08:00', to: '22:00', volume: 30 }] },
        };
        const box = compileManifest(input({ assets: a.catalog, volume }));
        const other = compileManifest(
          input({ assets: a.catalog, volume, speaker: { ...BOX, thingName: 'spk-ny-bx02' } }),
        );
        assert.deepEqual([...new Set(box.manifest.volume.map((v) => v.volume))], [30]);
        assert.deepEqual([...new Set(other.manifest.volume.map((v) => v.volume))], [55]);
      },
    },
    {
      name: 'store opt-out and opt-in: HQ policy decides, the store decision applies where allowed',
      run: () => {
        const rec = recurrence(DAILY_10);
        const optOut = campaign({ id: 'optout', assets: [a.ad1], recurrence: rec, optPolicy: 'opt_out' });
        const optIn = campaign({ id: 'optin', assets: [a.ad2], recurrence: rec, optPolicy: 'opt_in' });
        const count = (opts: [string, 'in' | 'out'][]) => {
          const { items } = compileManifest(
            input({
              assets: a.catalog,
              campaigns: [optOut, optIn],
              opts: new Map(opts),
              chain: { minGapMs: 0, defaultVolume: 60 },
            }),
          ).manifest;
          return Object.fromEntries(
            ['optout', 'optin'].map((id) => [id, items.filter((i) => i.campaignId === id).length]),
          );
        };
        // Both at 10:00 with no delay allowed: only one can play; give the opt-in one its own minute.
        optIn.recurrence = recurrence('FREQ=DAILY;BYHOUR=11;BYMINUTE=0');
        assert.deepEqual(count([]), { optout: 7, optin: 0 });
        assert.deepEqual(count([['optout', 'out']]), { optout: 0, optin: 0 });
        assert.deepEqual(count([['optin', 'in']]), { optout: 7, optin: 7 });
        assert.deepEqual(
          count([
            ['optin', 'out'],
            ['optout', 'in'],
          ]),
          { optout: 7, optin: 0 },
        );
      },
    },
    {
      name: 'targets: a region, a tag, another store; store campaigns only in their own store',
      run: () => {
        const rec = recurrence(DAILY_10, { validUntil: '2026-03-05' });
        const by = (id: string, stores: Partial<ReturnType<typeof campaign>['stores']>) =>
          campaign({
            id,
            assets: [a.ad1],
            recurrence: rec,
            maxDelayMs: 3_600_000,
            stores: { all: false, regions: [], tags: [], storeIds: [], ...stores },
          });
        const compiled = compileManifest(
          input({
            assets: a.catalog,
            campaigns: [
              by('region', { regions: ['us-east'] }),
              by('tag', { tags: ['flagship'] }),
              by('elsewhere', { storeIds: ['sh-1'] }),
              by('other-region', { regions: ['east'] }),
              campaign({ id: 'theirs', layer: 'store_campaign', assets: [a.ad1], recurrence: rec }),
            ],
            campaignOwners: new Map([['theirs', 'sh-1']]),
          }),
        );
        assert.deepEqual(compiled.manifest.items.map((i) => i.campaignId).sort(), ['region', 'tag']);
      },
    },
    {
      name: 'slot override: another playlist for a date range, and silence',
      run: () => {
        const overrides = [
          {
            id: 'jazz',
            programmeId: 'ambient',
            slotId: 'day',
            storeId: 'ny-1',
            fromDate: '2026-03-06',
            untilDate: '2026-03-07',
            playlist: [a.xmas],
            shuffle: false,
          },
          {
            id: 'hush',
            programmeId: 'ambient',
            slotId: 'day',
            storeId: 'ny-1',
            fromDate: '2026-03-09',
            untilDate: '2026-03-09',
            playlist: null,
            shuffle: false,
          },
        ];
        const { manifest } = compileManifest(
          input({ assets: a.catalog, programmes: [ambient], slotOverrides: overrides }),
        );
        assert.deepEqual(
          manifest.music.map((w) => [local(w.from).slice(0, 10), w.playlist.length, w.reason.note ?? '']),
          [
            ['2026-03-05', 2, ''],
            ['2026-03-06', 1, 'store override jazz'],
            ['2026-03-07', 1, 'store override jazz'],
            ['2026-03-08', 2, ''],
            ['2026-03-10', 2, ''],
            ['2026-03-11', 2, ''],
          ],
        );
      },
    },
    {
      name: 'asset rotation: two assets alternate through the day and are all listed',
      run: () => {
        const c = campaign({
          id: 'rot',
          assets: [a.ad1, a.ad2],
          recurrence: recurrence('FREQ=DAILY;BYHOUR=10,12,14;BYMINUTE=0'),
        });
        const { manifest } = compileManifest(input({ assets: a.catalog, campaigns: [c] }));
        const day1 = manifest.items.filter((i) => local(i.at).startsWith('2026-03-05')).map((i) => i.sha256);
        assert.equal(day1[0] === day1[1], false);
        assert.equal(day1[0], day1[2]);
      },
    },
    {
      name: 'a campaign asset missing from the content library is dropped with why',
      run: () => {
        const c = campaign({
          id: 'ghost',
          assets: ['0'.repeat(64)],
          recurrence: recurrence(DAILY_10, { validUntil: '2026-03-05' }),
        });
        const compiled = compileManifest(input({ assets: a.catalog, campaigns: [c] }));
        assert.deepEqual(compiled.manifest.items, []);
        assert.deepEqual(
          compiled.dropped.map((d) => d.why),
          ['asset missing from the content library'],
        );
      },
    },
    {
      name: 'promo: a promo speaker gets its promo windows, a broadcast box does not; one promo per speaker',
      run: () => {
        const promo = (id: string, priority: number) =>
          campaign({
            id,
            kind: 'promo',
            priority,
            assets: [a.promo],
            recurrence: recurrence('FREQ=DAILY;BYHOUR=10,16;BYMINUTE=0'),
            speakers: { roles: ['promo'], zoneIds: ['dairy'], thingNames: [] },
            promo: {
              productId: 'yoghurt',
              windowMinutes: 120,
              cooldownMs: 60_000,
              maxPerHour: 6,
              minBatteryPercent: 20,
              targetSplDb: 60,
              maxSplDb: 70,
            },
          });
        const compiled = compileManifest(
          input({ assets: a.catalog, speaker: PROMO, campaigns: [promo('p-low', 10), promo('p-high', 90)] }),
        );
        assert.equal(compiled.manifest.promo?.campaignId, 'p-high');
        assert.equal(compiled.manifest.promo?.windows.length, 14);
        assert.equal(local(compiled.manifest.promo!.windows[0]!.from), '2026-03-05 10:00');
        assert.equal(compiled.manifest.promo!.windows[0]!.to - compiled.manifest.promo!.windows[0]!.from, 7_200_000);
        assert.deepEqual(
          compiled.dropped.map((d) => d.why),
          ['one promo per speaker: p-high wins'],
        );
        assert.equal(compiled.manifest.items.length, 0, 'a promo campaign schedules no items');
        const box = compileManifest(input({ assets: a.catalog, speaker: BOX, campaigns: [promo('p-high', 90)] }));
        assert.equal(box.manifest.promo, null);
      },
    },
  ];
  for (const c of CASES) it(c.name, c.run);

  it('gives the same manifest whatever the order of its inputs', () => {
    const rec = recurrence('FREQ=HOURLY;BYHOUR=9,10,11,12,13;BYMINUTE=0,30');
    const cs = [
      campaign({ id: 'a1', assets: [a.ad1], recurrence: rec, maxDelayMs: 600_000 }),
      campaign({ id: 'a2', assets: [a.ad2], recurrence: rec, maxDelayMs: 600_000 }),
      campaign({ id: 'a3', assets: [a.ad1, a.ad2], recurrence: rec, maxDelayMs: 600_000, layer: 'holiday' }),
    ];
    const chain = { minGapMs: 300_000, defaultVolume: 60 };
    const one = compileManifest(input({ assets: a.catalog, campaigns: cs, programmes: [ambient], chain }));
    const two = compileManifest(
      input({ assets: a.catalog, campaigns: [...cs].reverse(), programmes: [ambient], chain }),
    );
    assert.deepEqual(one, two);
    assert.ok(one.manifest.items.length > 50 && one.dropped.length > 0, 'a busy schedule, with drops');
    // No two announcements closer than the gap.
    const items = one.manifest.items;
    for (let i = 1; i < items.length; i++)
      assert.ok(items[i]!.at >= items[i - 1]!.at + items[i - 1]!.durationMs + 300_000);
  });

  it('refuses a horizon shorter than 7 days with SCHEDULE_INVALID', () => {
    assert.throws(
      () => compileManifest(input({ assets: a.catalog, horizonDays: 6 })),
      (e) => isFleetError(e, 'SCHEDULE_INVALID'),
    );
  });
});
