import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { shiftDay } from '../../broadcast/uplift/uplift-calculation.ts';
import { storeDay } from '../../fleet/loyalty/store-day.ts';
import { silentLogger } from '../../platform/log.ts';
import type { PlayReport } from '../../protocol/api/broadcast-plays.ts';
import type { UpliftReport } from '../../protocol/api/sales.ts';
import { playTopics } from '../../protocol/broadcast/device-content.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { makeAudio } from '../helpers/audio-fixtures.ts';
import { signIn, text } from '../helpers/browser.ts';
import { BINJIANG, createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { eventually, mqttJsClient, tempDir } from '../helpers/fleet-harness.ts';

const SKU = 'DAIRY-CHEESE-1';
const PEERS = ['DAIRY-CHEESE-2', 'DAIRY-CHEESE-3'];
const SPEAKER = 'spk-bc1';
const PLAYS_XUHUI = 'spk-bc-promo';
const PLAYS_BINJIANG = 'spk-bj-promo';
const HOUR = 3_600_000;

function play(overrides: Partial<PlayRecord> = {}): PlayRecord {
  const startedAt = overrides.startedAt ?? Date.now() - 2 * HOUR;
  return {
    playId: crypto.randomUUID(),
    sha256: 'c'.repeat(64),
    campaignId: 'cheese-week',
    itemId: null,
    layer: 'store_campaign',
    trigger: 'schedule',
    scheduledAt: startedAt - 120,
    startedAt,
    endedAt: startedAt + 30_000,
    outcome: 'completed',
    volume: 60,
    levelDbSpl: null,
    manifestVersion: 1,
    ...overrides,
  };
}

/** Three scheduled plays (one cut short) yesterday and today, three presence promos (PIR twice, a cart), one skipped. */
function xuhuiPlays(): PlayRecord[] {
  const yesterday = Date.now() - 26 * HOUR;
  return [
    play({ startedAt: yesterday, endedAt: yesterday + 30_000 }),
    play(),
    play({ startedAt: Date.now() - HOUR, endedAt: Date.now() - HOUR + 10_000, outcome: 'interrupted' }),
    play({ campaignId: 'promo-milk', layer: 'hq_campaign', trigger: 'pir', scheduledAt: null }),
    play({ campaignId: 'promo-milk', layer: 'hq_campaign', trigger: 'pir', scheduledAt: null }),
    play({ campaignId: 'promo-milk', layer: 'hq_campaign', trigger: 'cart', scheduledAt: null }),
    play({ campaignId: 'promo-milk', layer: 'hq_campaign', trigger: 'schedule', outcome: 'skipped' }),
  ];
}
/** Screenshots of the pages, for reviewers (CONSOLE_SHOTS=/tmp/console-shots). */
const SHOTS = process.env.CONSOLE_SHOTS;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `broadcast-${name}.png`), fullPage: true });
};

/**
 * The console's Broadcast section in Chromium against a real fleet (SQLite, broker, HTTP, socket.io) with a real
 * speaker runtime on virtual hardware: what each page shows is checked against what the API answers.
 */
describe('broadcast console in a browser (uplift, now playing, proof of play)', function () {
  this.timeout(120_000);
  const fixtures = tempDir('cartfleet-console-uplift-audio-');
  after(() => fixtures.cleanup());
  let today = '';
  const env = useConsoleFleet('cartfleet-broadcast-console-', async (env) => {
    const { fleet } = env;
    await createConsoleUsers(fleet);
    await loadDemoCatalog(fleet.services);
    today = storeDay(Date.now(), 'Asia/Shanghai').day;
    // 14 days of promo period, the same weekdays 364 and 28 days back: the product sells 10 then 6 and 8 a day, its
    // category's other products 20 a day throughout (a control that did not move).
    const rows = [];
    for (let i = 1; i <= 14; i++) {
      const day = shiftDay(today, -i);
      for (const [offset, units] of [
        [0, 10],
        [-364, 6],
        [-28, 8],
      ] as const) {
        const d = shiftDay(day, offset);
        rows.push({ storeId: XUHUI, sku: SKU, day: d, units, revenueFen: units * 1590 });
        for (const peer of PEERS) rows.push({ storeId: XUHUI, sku: peer, day: d, units: 20, revenueFen: 20 * 990 });
      }
    }
    await fleet.services.sales.history.importJson(rows);

    const r = await fleet.services.registry.registerDevice({
      thingName: SPEAKER,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: XUHUI,
      zoneId: `${XUHUI}-dairy`,
    });
    const speaker = new SimulatedSpeaker(
      {
        thingName: SPEAKER,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(env.dir.path, SPEAKER),
        dataDir: join(env.dir.path, SPEAKER, 'data'),
        telemetryIntervalMs: 500,
        healthIntervalMs: 1000,
        model: 'broadcast',
      },
      { certificatePem: r.certificate.certificatePem, privateKeyPem: r.certificate.privateKeyPem, caPem: r.caPem },
      1,
      mulberry32(7),
      silentLogger(),
    );
    await speaker.start();
    env.onStop(() => speaker.stop());

    // Proof of play as speakers send it: a batch on dt/cartfleet/{thing}/plays over mTLS, one speaker per store.
    for (const [thingName, storeId, plays] of [
      [PLAYS_XUHUI, XUHUI, xuhuiPlays()],
      [PLAYS_BINJIANG, BINJIANG, [play({ campaignId: 'cheese-week' })]],
    ] as const) {
      const device = await fleet.services.registry.registerDevice({
        thingName,
        kind: 'speaker',
        hardwareModel: 'PX-20',
        storeId,
      });
      const client = await mqttJsClient(
        fleet.services.broker.tlsPort,
        {
          certificatePem: device.certificate.certificatePem,
          privateKeyPem: device.certificate.privateKeyPem,
          caPem: device.caPem,
        },
        thingName,
      );
      await client.publishAsync(playTopics.publish(thingName), JSON.stringify({ plays }), { qos: 1 });
      await client.endAsync();
      await eventually(
        () => fleet.services.playRepository.list({ thingName }, 1, 0).total === plays.length,
        5000,
        `${thingName}'s plays stored`,
      );
    }
    // A promo campaign for the product at Xuhui's promo speakers, since the period began: the uplift report's placement.
    const asset = await fleet.services.content.ingestFile(
      makeAudio(fixtures.path, 'cheese.wav', 'sine=f=600:d=3', ['-c:a', 'pcm_s16le']),
      { title: 'Cheese promo', kind: 'speech', origin: 'upload', storeId: null, createdBy: 'test' },
    );
    await fleet.services.broadcastSchedule.putCampaign({ username: 'test', storeIds: null }, 'promo-milk', {
      id: 'promo-milk',
      name: 'Cheese at the shelf',
      kind: 'promo',
      layer: 'hq_campaign',
      assets: [asset.sha256],
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0', validFrom: shiftDay(today, -14), validUntil: null },
      entry: 'between_tracks',
      maxDelayMs: 0,
      caps: { maxPerHour: null, minGapMinutes: null },
      stores: { all: false, regions: [], tags: [], storeIds: [XUHUI] },
      speakers: { roles: ['promo'], zoneIds: [], thingNames: [] },
      optPolicy: 'mandatory',
      promo: {
        productId: SKU,
        windowMinutes: 600,
        cooldownMs: 60_000,
        maxPerHour: 12,
        minBatteryPercent: 20,
        targetSplDb: 60,
        maxSplDb: 70,
      },
    });
  });

  it('uplift report: the numbers shown are the API’s, with a chart and a CSV of the same period', async () => {
    const { page } = await env.openPage();
    const from = shiftDay(today, -14);
    const to = shiftDay(today, -1);
    const query = `sku=${SKU}&from=${from}&to=${to}`;
    await signIn(page, HQ.username, HQ.password, `/broadcast/uplift?storeId=${XUHUI}&${query}`);
    const card = page.getByTestId('uplift-report');
    await card.waitFor();
    // The API as the same user sees it (the page's own session cookie).
    const cookies = await page.context().cookies();
    const res = await env.fleet.services.http.instance!.inject({
      method: 'GET',
      url: `/api/stores/${XUHUI}/uplift?${query}`,
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    assert.equal(res.statusCode, 200);
    const [report] = res.json().reports as UpliftReport[];
    assert.ok(report);
    assert.equal(report.units, 140, 'the fixture: 14 days of 10');
    assert.equal(await text(card.getByTestId('uplift-units')), String(report.units));
    assert.equal(await text(card.getByTestId('uplift-revenue')), `¥${(report.revenueFen / 100).toFixed(2)}`);
    const row = (baseline: string, field: string) =>
      text(card.locator(`[data-baseline="${baseline}"] [data-field="${field}"]`));
    assert.equal(await row('lastYear', 'units'), String(report.lastYear.units));
    // 140 against 84 last year: +66.7 %; the control did not move, so the net uplift is the same in points.
    assert.equal(await row('lastYear', 'unitsUpliftPct'), '+66.7%');
    assert.equal(report.lastYear.unitsUpliftPct?.toFixed(1), '66.7');
    assert.equal(await row('lastYear', 'controlUnitsChangePct'), '±0.0%');
    assert.equal(await row('lastYear', 'netUnitsUpliftPts'), `+${report.lastYear.netUnitsUpliftPts?.toFixed(1)} pts`);
    assert.equal(await row('lastMonth', 'unitsUpliftPct'), `+${report.lastMonth.unitsUpliftPct?.toFixed(1)}%`);
    assert.equal(await row('lastMonth', 'units'), '112');
    // uPlot drew the three lines with their legend.
    await card.locator('[data-testid="uplift-chart"] canvas').waitFor();
    assert.match(await text(card.getByTestId('uplift-chart')), /Last year.*Last month/s);
    await shot(page, 'uplift');
    const csvHref = await page.getByTestId('uplift-csv').getAttribute('href');
    assert.ok(csvHref);
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), csvHref);
    assert.match(csv, new RegExp(`^${XUHUI},${SKU},.*,${from},${to},140,`, 'm'));
  });

  it('uplift report without a product: one card per promoted product with its campaign, speakers, plays and triggers', async () => {
    const { page } = await env.openPage();
    // Up to today: the promo speaker's plays of the campaign are today's.
    const query = `from=${shiftDay(today, -14)}&to=${today}`;
    await signIn(page, MANAGER.username, MANAGER.password, `/broadcast/uplift?storeId=${XUHUI}&${query}`);
    const card = page.locator(`[data-testid="uplift-report"][data-sku="${SKU}"]`);
    await card.waitFor();
    const cookies = await page.context().cookies();
    const res = await env.fleet.services.http.instance!.inject({
      method: 'GET',
      url: `/api/stores/${XUHUI}/uplift?${query}`,
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    const reports = res.json().reports as UpliftReport[];
    assert.deepEqual(
      reports.map((r) => [r.sku, r.campaignId, r.thingNames]),
      [[SKU, 'promo-milk', [PLAYS_XUHUI]]],
    );
    assert.ok(
      (reports[0]?.plays ?? 0) > 0 && (reports[0]?.presenceTriggers ?? 0) > 0,
      'the fixture: plays in the period',
    );
    assert.equal(await page.getByTestId('uplift-report').count(), 1);
    assert.match(await text(card.locator('.panel-header')), new RegExp(`campaign promo-milk · ${PLAYS_XUHUI}`));
    assert.equal(await text(card.getByTestId('uplift-plays')), String(reports[0]?.plays));
    assert.equal(await text(card.getByTestId('uplift-triggers')), String(reports[0]?.presenceTriggers));
    assert.equal(await text(card.getByTestId('uplift-units')), '140');
  });

  it('now playing: each speaker of the store with its title, updated live from its shadow', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, `/broadcast?storeId=${XUHUI}`);
    const card = page.locator(`[data-testid="speaker-card"][data-thing="${SPEAKER}"]`);
    await card.waitFor();
    // The real speaker runtime is online and plays nothing until a manifest reaches it (no schedule here).
    await eventually(
      () => env.fleet.services.shadows.find(SPEAKER)?.state.reported,
      10_000,
      'the speaker reported its state',
    );
    await eventually(async () => (await text(card.getByTestId('now-playing-title'))) === 'Silent', 5000, 'silent');
    assert.equal(await card.getByTestId('now-playing').getAttribute('data-state'), 'idle');
    // What the player reports once it plays (trackId, title, layer, campaign) and the cache report in the named
    // shadow, written as the speaker would, arriving live.
    await env.fleet.services.shadows.update(SPEAKER, undefined, {
      state: {
        reported: {
          // As the broadcast player reports it: the asset's sha256 as trackId.
          nowPlaying: {
            trackId: 'a'.repeat(64),
            title: 'Cheese week',
            startedAt: Date.now(),
            layer: 'store_campaign',
            campaignId: 'cheese-week',
          },
          audioError: 'AUDIO_OUTPUT_UNAVAILABLE',
        },
      },
    });
    await env.fleet.services.shadows.update(SPEAKER, 'broadcast', {
      state: {
        reported: {
          manifestVersion: 3,
          cache: { budgetBytes: 32 * 1024 ** 3, usedBytes: 5 * 1024 ** 2, assets: 4, missing: 1 },
        },
      },
    });
    await eventually(
      async () => (await text(card.getByTestId('now-playing-title'))) === 'Cheese week',
      5000,
      'the live title',
    );
    assert.equal(await card.locator('.layer-chip').getAttribute('data-layer'), 'store_campaign');
    assert.match(await text(card.getByTestId('now-playing')), /campaign cheese-week · aaaaaaaaaa/);
    assert.match(await text(card.getByTestId('speaker-audio-error')), /AUDIO_OUTPUT_UNAVAILABLE/);
    await eventually(async () => /v3/.test(await text(card.getByTestId('speaker-cache'))), 5000, 'the cache state');
    assert.match(await text(card.getByTestId('speaker-cache')), /4 assets, 5\.0 MB of 32\.00 GB.*1 downloading/);
    await shot(page, 'now-playing');
    // The device page shows the same.
    await card.locator('h2 a').click();
    await page.getByTestId('device-now-playing').waitFor();
    assert.equal(await text(page.getByTestId('device-now-playing').getByTestId('now-playing-title')), 'Cheese week');
  });

  it('proof of play: per campaign and per speaker as the API reports them, a chart per day, CSV; a store manager sees their store only', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/broadcast/plays');
    const table = page.getByTestId('plays-table');
    await table.waitFor();
    const cookies = await page.context().cookies();
    const asPage = async (url: string) =>
      (
        await env.fleet.services.http.instance!.inject({
          method: 'GET',
          url,
          headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
        })
      ).json() as PlayReport;
    const report = await asPage('/api/broadcast/plays/report?groupBy=campaign');
    // Xuhui's: cheese-week 3 plays (30 + 30 + 10 s), promo-milk 4 (3 presence, 1 skipped); Binjiang's is not theirs.
    const cheese = report.rows.find((r) => r.key === 'cheese-week');
    assert.equal(cheese?.plays, 3);
    assert.equal(cheese?.airtimeMs, 70_000);
    const row = (key: string, field: string) =>
      text(page.locator(`[data-testid="plays-row"][data-key="${key}"] [data-field="${field}"]`));
    for (const r of report.rows) {
      assert.equal(await row(r.key ?? '', 'plays'), String(r.plays));
      assert.equal(await row(r.key ?? '', 'completed'), String(r.completed));
      assert.equal(await row(r.key ?? '', 'skipped'), String(r.skipped));
      assert.equal(await row(r.key ?? '', 'presence'), `${r.presence.pir} / ${r.presence.cart}`);
    }
    assert.equal(await row('cheese-week', 'airtime'), '0:01:10');
    assert.equal(await row('cheese-week', 'interrupted'), '1');
    assert.equal(await row('promo-milk', 'presence'), '2 / 1');
    await page.locator('[data-testid="plays-chart"] canvas').waitFor();
    const legend = await text(page.getByTestId('plays-chart'));
    assert.match(legend, /cheese-week/);
    assert.match(legend, /promo-milk/);

    await page.getByTestId('plays-by-thing').click();
    await page.locator(`[data-testid="plays-row"][data-key="${PLAYS_XUHUI}"]`).waitFor();
    assert.equal(await page.getByTestId('plays-row').count(), 1, 'only their store’s speakers');
    assert.equal(await row(PLAYS_XUHUI, 'plays'), '7');
    await shot(page, 'plays');

    const csvHref = await page.getByTestId('plays-csv').getAttribute('href');
    const csv = await page.evaluate(`fetch(${JSON.stringify(csvHref)}).then((r) => r.text())`);
    assert.match(String(csv), new RegExp(`^${PLAYS_XUHUI},7,`, 'm'));
    assert.doesNotMatch(String(csv), new RegExp(PLAYS_BINJIANG));

    // HQ sees both stores.
    const hq = (await env.openPage()).page;
    await signIn(hq, HQ.username, HQ.password, '/broadcast/plays?groupBy=store');
    await hq.locator(`[data-testid="plays-row"][data-key="${BINJIANG}"]`).waitFor();
    assert.equal(await hq.getByTestId('plays-row').count(), 2);
  });
});
