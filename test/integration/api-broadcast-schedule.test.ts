/**
 * Broadcast scheduling over HTTP (real fleet, real SQLite): who may write what, coded refusals that change nothing,
 * opt decisions, the calendar and the manifest draft, the change event, audit entries.
 */
import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CampaignBody, ProgrammeBody } from '../../protocol/api/broadcast-schedule.ts';
import { BroadcastManifestSchema } from '../../protocol/broadcast/manifest.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeAssetCatalog } from '../mocks/fake-asset-catalog.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';
/** Monday 2026-03-09 00:00 in Shanghai. */
const MONDAY = Date.UTC(2026, 2, 8, 16);

const assets = new FakeAssetCatalog();
const SONG = assets.add('song', 'music', 180_000);
const AD = assets.add('ad', 'speech', 20_000);
const PROMO_AD = assets.add('promo ad', 'speech', 8_000);

const everyone = { all: true, regions: [], tags: [], storeIds: [] };
const boxes = { roles: ['broadcast' as const], zoneIds: [], thingNames: [] };
const rec = (rule: string) => ({ rule, validFrom: '2026-01-01', validUntil: null });

const AMBIENT: ProgrammeBody = {
  id: 'ambient',
  name: 'Ambient',
  layer: 'ambient',
  stores: everyone,
  speakers: boxes,
  slots: [
    {
      id: 'day',
      recurrence: rec('FREQ=DAILY;BYHOUR=9;BYMINUTE=0'),
      durationMinutes: 12 * 60,
      playlist: [SONG],
      shuffle: true,
    },
  ],
};

function campaign(id: string, over: Partial<CampaignBody> = {}): CampaignBody {
  return {
    id,
    name: id,
    kind: 'announcement',
    layer: 'hq_campaign',
    assets: [AD],
    recurrence: rec('FREQ=DAILY;BYHOUR=10,15;BYMINUTE=0'),
    entry: 'overlay',
    maxDelayMs: 0,
    caps: { maxPerHour: null, minGapMinutes: null },
    stores: everyone,
    speakers: boxes,
    optPolicy: 'mandatory',
    promo: null,
    ...over,
  };
}

describe('broadcast schedules over HTTP (real fleet, real SQLite)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let managerA: ApiUser;
  let viewer: ApiUser;
  const events: (string[] | null)[] = [];

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true }, { extensions: { broadcastAssets: assets } });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    const { registry } = fleet.services;
    for (const [thingName, storeId, hardwareModel] of [
      ['spk-a-bx01', A, 'BX-100'],
      ['spk-a-px01', A, 'PX-20'],
      ['spk-b-bx01', B, 'BX-100'],
    ] as const) {
      await registry.registerDevice({ thingName, kind: 'speaker', hardwareModel, storeId });
    }
    fleet.bus.on('broadcast.schedule.changed', (e) => events.push(e.storeIds));
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  const tables = () =>
    ['broadcast_programmes', 'broadcast_campaigns', 'broadcast_campaign_opts', 'broadcast_holidays'].map(
      (t) => (fleet.services.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
    );

  it('lets HQ write programmes and campaigns, audited, each write announced once', async () => {
    const as = apiAs(fleet, hq.token);
    events.length = 0;
    const p = await as.put('/api/broadcast/programmes/ambient', AMBIENT);
    assert.equal(p.statusCode, 200, p.body);
    assert.equal(p.json().programme.priority, 50, 'defaults filled');
    for (const c of [
      campaign('hq-mandatory'),
      campaign('hq-optout', { optPolicy: 'opt_out', recurrence: rec('FREQ=DAILY;BYHOUR=11;BYMINUTE=0') }),
      campaign('hq-b-only', { stores: { all: false, regions: [], tags: [], storeIds: [B] } }),
    ]) {
      const res = await as.put(`/api/broadcast/campaigns/${c.id}`, c);
      assert.equal(res.statusCode, 200, res.body);
    }
    assert.deepEqual(events, [null, null, null, [B]]);
    const audit = await as.get('/api/audit?action=broadcast.campaign.create');
    assert.equal(audit.json().total, 3);
  });

  const BAD: [string, () => [string, unknown], number, string][] = [
    [
      'an unparseable RRULE',
      () => ['c-bad', campaign('c-bad', { recurrence: rec('FREQ=HOURLYISH') })],
      400,
      'RRULE_INVALID',
    ],
    [
      'a flooding RRULE',
      () => ['c-bad', campaign('c-bad', { recurrence: rec('FREQ=MINUTELY') })],
      400,
      'RRULE_INVALID',
    ],
    [
      'an asset not in the content library',
      () => ['c-bad', campaign('c-bad', { assets: ['a'.repeat(64)] })],
      400,
      'SCHEDULE_INVALID',
    ],
    ['music as an announcement', () => ['c-bad', campaign('c-bad', { assets: [SONG] })], 400, 'SCHEDULE_INVALID'],
    [
      'an unknown store',
      () => ['c-bad', campaign('c-bad', { stores: { ...everyone, all: false, storeIds: ['nowhere'] } })],
      400,
      'SCHEDULE_INVALID',
    ],
    [
      'validUntil before validFrom',
      () => ['c-bad', campaign('c-bad', { recurrence: { ...rec('FREQ=DAILY'), validUntil: '2025-01-01' } })],
      400,
      'SCHEDULE_INVALID',
    ],
    ['a promo without its settings', () => ['c-bad', campaign('c-bad', { kind: 'promo' })], 400, 'SCHEDULE_INVALID'],
    ['a body whose id is not the path', () => ['c-other', campaign('c-bad')], 400, 'BAD_REQUEST'],
  ];
  for (const [what, body, status, code] of BAD) {
    it(`refuses ${what} with ${status} ${code} and stores nothing`, async () => {
      const before = tables();
      events.length = 0;
      const [id, payload] = body();
      const res = await apiAs(fleet, hq.token).put(`/api/broadcast/campaigns/${id}`, payload);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().code, code);
      assert.deepEqual(tables(), before);
      assert.deepEqual(events, []);
    });
  }

  it('lets a store manager write their own store campaign only (403 NOT_AUTHORIZED otherwise)', async () => {
    const as = apiAs(fleet, managerA.token);
    const own = campaign('a-weekend', {
      layer: 'store_campaign',
      stores: { ...everyone, all: false, storeIds: [A] },
      recurrence: rec('FREQ=DAILY;BYHOUR=16;BYMINUTE=0'),
    });
    events.length = 0;
    const ok = await as.put('/api/broadcast/campaigns/a-weekend', own);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().ownerStoreId, A);
    assert.deepEqual(events, [[A]]);
    for (const [id, body] of [
      ['b-store', { ...own, id: 'b-store', stores: { ...own.stores, storeIds: [B] } }],
      ['hq-x', campaign('hq-x')],
      ['hq-mandatory', { ...campaign('hq-mandatory'), layer: 'store_campaign', stores: own.stores }],
    ] as const) {
      const res = await as.put(`/api/broadcast/campaigns/${id}`, body);
      assert.equal(res.statusCode, 403, `${id}: ${res.body}`);
      assert.equal(res.json().code, 'NOT_AUTHORIZED');
    }
    const programme = await as.put('/api/broadcast/programmes/ambient', AMBIENT);
    assert.equal(programme.json().code, 'NOT_AUTHORIZED');
    const viewerWrite = await apiAs(fleet, viewer.token).put('/api/broadcast/campaigns/v', campaign('v'));
    assert.equal(viewerWrite.statusCode, 403);
    assert.equal((await apiAs(fleet, viewer.token).get('/api/broadcast/campaigns')).statusCode, 200);
  });

  it('lets a store opt out where HQ allows it (CAMPAIGN_OPT_NOT_ALLOWED for a mandatory one)', async () => {
    const as = apiAs(fleet, managerA.token);
    const out = await as.put(`/api/broadcast/stores/${A}/campaigns/hq-optout/opt`, { decision: 'out' });
    assert.equal(out.statusCode, 200, out.body);
    assert.equal(out.json().decision, 'out');
    for (const [url, decision] of [
      [`/api/broadcast/stores/${A}/campaigns/hq-mandatory/opt`, 'out'],
      [`/api/broadcast/stores/${A}/campaigns/hq-optout/opt`, 'in'],
    ] as const) {
      const res = await as.put(url, { decision });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'CAMPAIGN_OPT_NOT_ALLOWED');
    }
    const other = await as.put(`/api/broadcast/stores/${B}/campaigns/hq-optout/opt`, { decision: 'out' });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'STORE_NOT_FOUND');
  });

  it('shows per speaker what plays and why: layers, the opt-out, the promo speaker, dropped entries', async () => {
    const res = await apiAs(fleet, managerA.token).get(`/api/broadcast/stores/${A}/calendar?from=${MONDAY}&days=1`);
    assert.equal(res.statusCode, 200, res.body);
    const calendar = res.json();
    assert.deepEqual(
      calendar.speakers.map((s: { thingName: string; role: string }) => [s.thingName, s.role]),
      [
        ['spk-a-bx01', 'broadcast'],
        ['spk-a-px01', 'promo'],
      ],
    );
    const box = calendar.speakers[0];
    const hhmm = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(11, 16);
    assert.deepEqual(
      box.items.map((i: { at: number; campaignId: string; reason: { layer: string } }) => [
        hhmm(i.at),
        i.campaignId,
        i.reason.layer,
      ]),
      [
        ['10:00', 'hq-mandatory', 'hq_campaign'],
        ['15:00', 'hq-mandatory', 'hq_campaign'],
        ['16:00', 'a-weekend', 'store_campaign'],
      ],
      'hq-optout is left out (the store opted out), hq-b-only is B’s',
    );
    assert.equal(box.music.length, 1);
    assert.equal(calendar.speakers[1].items.length, 0, 'the campaigns target broadcast boxes');
    // Positive control: store B plays the opt-out campaign. hq-b-only and hq-mandatory both want 10:00 and 15:00 with
    // no delay: same layer and priority, so the campaign id decides, and the other is dropped with why.
    const b = await apiAs(fleet, hq.token).get(`/api/broadcast/stores/${B}/calendar?from=${MONDAY}&days=1`);
    const bItems = b.json().speakers[0].items.map((i: { campaignId: string }) => i.campaignId);
    assert.deepEqual([...new Set(bItems)].sort(), ['hq-b-only', 'hq-optout']);
    const dropped = b.json().speakers[0].dropped.map((d: { source: string; why: string }) => `${d.source}: ${d.why}`);
    assert.deepEqual(dropped, ['hq-mandatory: gap 5 min after hq-b-only', 'hq-mandatory: gap 5 min after hq-b-only']);
    const hidden = await apiAs(fleet, managerA.token).get(`/api/broadcast/stores/${B}/calendar`);
    assert.equal(hidden.json().code, 'STORE_NOT_FOUND');
  });

  it('gives a speaker’s manifest draft that the manifest contract accepts', async () => {
    const res = await apiAs(fleet, hq.token).get(`/api/broadcast/things/spk-a-bx01/manifest-draft?from=${MONDAY}`);
    assert.equal(res.statusCode, 200, res.body);
    const { default: Ajv } = await import('ajv');
    const ajv = new Ajv.default({ strict: false });
    const manifest = { ...res.json().manifest, version: 1 };
    assert.equal(ajv.validate(BroadcastManifestSchema, manifest), true, ajv.errorsText());
    assert.equal(manifest.to - manifest.from, 7 * 86_400_000);
    assert.deepEqual(manifest.assets.map((x: { title: string }) => x.title).sort(), ['ad', 'song']);
    // Delivery's compile: from the start of the store's day (MONDAY is one), the horizon plus that day.
    const delivered = fleet.services.broadcastSchedule.compileForThing('spk-a-bx01', MONDAY + 5 * 3_600_000);
    assert.deepEqual([delivered.from, delivered.to], [MONDAY, MONDAY + 8 * 86_400_000]);
    assert.deepEqual(
      delivered.items.filter((i) => i.at < manifest.to),
      manifest.items,
    );
    assert.deepEqual(fleet.services.broadcastSchedule.speakersOf(A), ['spk-a-bx01', 'spk-a-px01']);
  });

  it('applies a store slot override, volume schedule and promo; store tags are HQ’s', async () => {
    const as = apiAs(fleet, managerA.token);
    const silence = await as.put(`/api/broadcast/stores/${A}/slot-overrides/quiet-monday`, {
      id: 'quiet-monday',
      programmeId: 'ambient',
      slotId: 'day',
      storeId: A,
      fromDate: '2026-03-09',
      untilDate: '2026-03-09',
      playlist: null,
    });
    assert.equal(silence.statusCode, 200, silence.body);
    const volume = await as.patch(`/api/broadcast/stores/${A}/settings`, {
      volume: { defaultVolume: 40, rules: [{ days: [], from: '09:00', to: '11:00', volume: 50 }], speakers: {} },
    });
    assert.equal(volume.statusCode, 200, volume.body);
    const tags = await as.patch(`/api/broadcast/stores/${A}/settings`, { tags: ['flagship'] });
    assert.equal(tags.json().code, 'NOT_AUTHORIZED');
    const promo = await apiAs(fleet, hq.token).put(
      '/api/broadcast/campaigns/yoghurt',
      campaign('yoghurt', {
        kind: 'promo',
        assets: [PROMO_AD],
        speakers: { roles: ['promo'], zoneIds: [], thingNames: [] },
        recurrence: rec('FREQ=DAILY;BYHOUR=10;BYMINUTE=0'),
        promo: {
          productId: 'yoghurt',
          windowMinutes: 240,
          cooldownMs: 60_000,
          maxPerHour: 6,
          minBatteryPercent: 20,
          targetSplDb: 60,
          maxSplDb: 70,
        },
      }),
    );
    assert.equal(promo.statusCode, 200, promo.body);
    const cal = (await as.get(`/api/broadcast/stores/${A}/calendar?from=${MONDAY}&days=1`)).json();
    const [box, px] = cal.speakers;
    assert.deepEqual(box.music, [], 'silenced on Monday');
    assert.deepEqual(
      box.volume.map((v: { volume: number }) => v.volume),
      [40, 50, 40],
    );
    assert.equal(px.promo.campaignId, 'yoghurt');
    assert.equal(px.promo.windows.length, 1);
  });

  it('lists a store’s speakers (broadcast boxes and promo speakers, not carts), by name', async () => {
    await fleet.services.registry.registerDevice({
      thingName: 'cart-b-001',
      kind: 'cart',
      hardwareModel: 'SC-200',
      storeId: B,
    });
    await fleet.services.registry.registerDevice({
      thingName: 'spk-b-px01',
      kind: 'speaker',
      hardwareModel: 'PX-20',
      storeId: B,
    });
    assert.deepEqual(fleet.services.broadcastSchedule.speakersOf(B), ['spk-b-bx01', 'spk-b-px01']);
  });

  it('tells the content library which assets its schedules still use (removing one is ASSET_IN_USE)', () => {
    const { broadcastSchedule } = fleet.services;
    assert.deepEqual([broadcastSchedule.usesAsset(AD), broadcastSchedule.usesAsset(SONG)], [true, true]);
    assert.equal(broadcastSchedule.usesAsset('c'.repeat(64)), false);
  });
});
