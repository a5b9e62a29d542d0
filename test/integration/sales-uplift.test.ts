import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { shiftDay } from '../../broadcast/uplift/uplift-calculation.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { storeDay } from '../../fleet/loyalty/store-day.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import type { UpliftReport } from '../../protocol/api/sales.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { registerCart, submission } from '../helpers/commerce-cart.ts';
import { type ApiUser, apiAs, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const SKU = 'DAIRY-CHEESE-1';
const PEERS = ['DAIRY-CHEESE-2', 'DAIRY-CHEESE-3'];

describe('sales history, cart rollup and the promo uplift report (real fleet, real SQLite)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let manager: ApiUser;
  let otherManager: ApiUser;
  let attendant: ApiUser;
  let viewer: ApiUser;
  let today: string;

  const csv = (rows: (string | number)[][]) =>
    ['store_id,sku,day,units,revenue', ...rows.map((r) => r.join(','))].join('\n');
  const postCsv = (user: ApiUser, body: string) =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url: '/api/sales/history',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'text/csv' },
      payload: body,
    });
  const posRows = () => fleet.services.sales.repository.countBySource('pos');

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    await loadDemoCatalog(fleet.services);
    await fleet.services.pricing.flush();
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: [XUHUI] });
    otherManager = await apiUser(fleet, 'other', 'store-manager', { storeIds: [BINJIANG] });
    attendant = await apiUser(fleet, 'attendant', 'attendant', { storeIds: [XUHUI] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    today = storeDay(Date.now(), 'Asia/Shanghai').day;
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('refuses a history with bad rows, lists every problem with its row and column, and imports nothing', async () => {
    const future = shiftDay(today, 2);
    const res = await postCsv(
      hq,
      csv([
        [XUHUI, SKU, shiftDay(today, -1), 3, '9.90'],
        ['no-such-store', SKU, shiftDay(today, -1), 3, '9.90'],
        [XUHUI, SKU, '2026-02-30', 3, '9.90'],
        [XUHUI, SKU, future, 3, '9.90'],
        [XUHUI, SKU, shiftDay(today, -2), 'three', '9.90'],
      ]),
    );
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.code, 'SALES_HISTORY_INVALID');
    assert.deepEqual(
      body.details.map((p: { row: number; field: string }) => [p.row, p.field]),
      [
        [3, 'store_id'],
        [4, 'day'],
        [5, 'day'],
        [6, 'units'],
      ],
    );
    assert.equal(posRows(), 0, 'the good first row was not imported either');
  });

  it('refuses a row with a cell too many (an unquoted 9,90) instead of reading the revenue as 9', async () => {
    const res = await postCsv(hq, csv([[XUHUI, SKU, shiftDay(today, -3), 1, '9,90']]));
    assert.equal(res.json().code, 'SALES_HISTORY_INVALID');
    assert.deepEqual(
      res.json().details.map((p: { row: number }) => p.row),
      [2],
    );
    assert.equal(posRows(), 0);
  });

  it('refuses an unknown column and a file without a revenue column', async () => {
    const unknown = await postCsv(hq, `store_id,sku,day,units,revenue,colour\n${XUHUI},${SKU},${today},1,1.00,red`);
    assert.equal(unknown.json().code, 'SALES_HISTORY_INVALID');
    assert.match(JSON.stringify(unknown.json().details), /unknown column 'colour'/);
    const noRevenue = await postCsv(hq, `store_id,sku,day,units\n${XUHUI},${SKU},${today},1`);
    assert.equal(noRevenue.json().code, 'SALES_HISTORY_INVALID');
    assert.equal(posRows(), 0);
  });

  it('lets only chain-wide roles import history', async () => {
    const res = await postCsv(manager, csv([[XUHUI, SKU, shiftDay(today, -1), 1, '1.00']]));
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'NOT_AUTHORIZED');
    assert.equal(posRows(), 0);
  });

  it('reports the uplift of the cart and lane sales against last year, last month and the category', async () => {
    const [d2, d1, d0] = [shiftDay(today, -2), shiftDay(today, -1), today];
    const ly = (d: string) => shiftDay(d, -364);
    const lm = (d: string) => shiftDay(d, -28);
    const rows: (string | number)[][] = [
      // lanes sold 10 and 12 in the first two days of the period; the carts add today's
      [XUHUI, SKU, d2, 10, '99.00'],
      [XUHUI, SKU, d1, 12, '118.80'],
      [XUHUI, SKU, ly(d2), 5, '49.50'],
      [XUHUI, SKU, ly(d1), 5, '49.50'],
      [XUHUI, SKU, ly(d0), 10, '99.00'],
      [XUHUI, SKU, lm(d2), 6, '59.40'],
      [XUHUI, SKU, lm(d1), 6, '59.40'],
      [XUHUI, SKU, lm(d0), 3, '29.70'],
      // the same product in another store must not count
      [BINJIANG, SKU, d1, 500, '4950.00'],
    ];
    // the category's other products: 50 a day each now and last month, 40 last year (+25 %)
    for (const peer of PEERS)
      for (const d of [d2, d1, d0]) {
        rows.push(
          [XUHUI, peer, d, 50, '500.00'],
          [XUHUI, peer, lm(d), 50, '500.00'],
          [XUHUI, peer, ly(d), 40, '400.00'],
        );
      }
    const first = await postCsv(hq, csv(rows));
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().imported, rows.length);
    // an export imported twice imports once
    assert.equal((await postCsv(hq, csv(rows))).statusCode, 200);
    assert.equal(posRows(), rows.length);

    // two cheeses bought on a cart today, paid through the sandbox
    await registerCart(fleet, 'cart-u1', XUHUI);
    const port = fleet.services.http.port;
    const quote = (await fetch(`http://127.0.0.1:${port}/api/quote`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hq.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        storeId: XUHUI,
        lines: [{ lineId: 'l1', sku: SKU, quantity: 2, weightG: null, scannedAt: Date.now() }],
      }),
    }).then((r) => r.json())) as { lines: { netFen: number }[] };
    const { order } = await fleet.services.orders.submit(
      'cart-u1',
      XUHUI,
      submission(XUHUI, [{ sku: SKU, quantity: 2, cartNetFen: quote.lines[0]!.netFen }], {
        snapshotVersion: fleet.services.pricing.currentVersion(XUHUI)!,
      }),
    );
    await fetch(order.payment!.payUrl!, { method: 'POST', redirect: 'manual', body: '' });
    await eventually(() => fleet.services.orders.get(order.id).state === 'paid' || undefined, 5000, 'paid');
    await fleet.services.sales.rollup.flush();
    const cart = fleet.services.sales.repository.cartDay(XUHUI, today);
    assert.deepEqual(
      cart.map((r) => [r.sku, r.units, r.orders, r.revenueFen]),
      [[SKU, 2, 1, quote.lines[0]!.netFen]],
    );

    const res = await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/uplift?sku=${SKU}&from=${d2}&to=${d0}`);
    assert.equal(res.statusCode, 200, res.body);
    const [report] = res.json().reports as UpliftReport[];
    assert.ok(report);
    assert.equal(report.units, 24);
    assert.deepEqual(
      report.series.map((d) => [d.day, d.units, d.lastYearUnits, d.lastMonthUnits]),
      [
        [d2, 10, 5, 6],
        [d1, 12, 5, 6],
        [d0, 2, 10, 3],
      ],
    );
    // 24 against 20 last year: +20 %; the category rose 25 %: net −5 points. Against 15 last month: +60 %, flat
    // category: net +60.
    assert.deepEqual(
      [report.lastYear.units, report.lastYear.unitsUpliftPct, report.lastYear.controlUnitsChangePct],
      [20, 20, 25],
    );
    assert.equal(report.lastYear.netUnitsUpliftPts, -5);
    assert.deepEqual(
      [report.lastMonth.units, report.lastMonth.unitsUpliftPct, report.lastMonth.netUnitsUpliftPts],
      [15, 60, 60],
    );
    assert.equal(report.productName, fleet.services.catalog.products.get(SKU)!.name.zh);

    const csvRes = await apiAs(fleet, viewer.token).get(
      `/api/stores/${XUHUI}/uplift.csv?sku=${SKU}&from=${d2}&to=${d0}`,
    );
    assert.equal(csvRes.statusCode, 200);
    assert.match(csvRes.headers['content-type'] as string, /^text\/csv/);
    const lines = csvRes.body.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^store_id,sku,product,campaign_id,/);
    assert.match(lines[1]!, new RegExp(`^${XUHUI},${SKU},.*,last_year,${ly(d2)},${ly(d0)},20,20,`));
  });

  it('reports each promo campaign of the store with its speakers, plays and presence triggers', async () => {
    const [d2, , d0] = [shiftDay(today, -2), shiftDay(today, -1), today];
    const wav = join(dir.path, 'promo.wav');
    const made = spawnSync(resolveFfmpeg().path, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=500:duration=2',
      '-y',
      wav,
    ]);
    assert.equal(made.status, 0);
    const asset = await fleet.services.content.ingestFile(wav, {
      title: 'Cheese promo',
      kind: 'speech',
      origin: 'upload',
      storeId: null,
      createdBy: 'test',
    });
    const speaker = await fleet.services.registry.registerDevice({
      thingName: 'px-cheese',
      kind: 'speaker',
      hardwareModel: 'PX-20',
      storeId: XUHUI,
      zoneId: `${XUHUI}-dairy`,
    });
    assert.ok(speaker);
    const put = await apiAs(fleet, hq.token).put('/api/broadcast/campaigns/cheese-promo', {
      id: 'cheese-promo',
      name: 'Cheese at the shelf',
      kind: 'promo',
      layer: 'hq_campaign',
      assets: [asset.sha256],
      recurrence: { rule: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0', validFrom: d2, validUntil: null },
      entry: 'overlay',
      maxDelayMs: 0,
      caps: { maxPerHour: null, minGapMinutes: null },
      stores: { all: false, regions: [], tags: [], storeIds: [XUHUI] },
      speakers: { roles: ['promo'], zoneIds: [], thingNames: [] },
      optPolicy: 'mandatory',
      promo: {
        productId: SKU,
        windowMinutes: 720,
        cooldownMs: 60_000,
        maxPerHour: 20,
        minBatteryPercent: 15,
        targetSplDb: 60,
        maxSplDb: 70,
      },
    });
    assert.ok(put.statusCode < 300, put.body);
    // Three plays by the promo speaker: two when a shopper walked by (PIR, a cart), one cut short; and one by
    // another campaign, which must not count.
    const at = Date.now() - 3_600_000;
    const play = (
      i: number,
      trigger: 'pir' | 'cart' | 'schedule',
      outcome: 'completed' | 'interrupted',
      campaignId = 'cheese-promo',
    ) => ({
      playId: `00000000-0000-4000-8000-00000000000${i}`,
      sha256: asset.sha256,
      campaignId,
      itemId: null,
      layer: 'hq_campaign' as const,
      trigger,
      scheduledAt: null,
      startedAt: at + i * 60_000,
      endedAt: at + i * 60_000 + 2000,
      outcome,
      volume: 60,
      levelDbSpl: 60,
      manifestVersion: 1,
      thingName: 'px-cheese',
      storeId: XUHUI,
      receivedAt: at + i * 60_000 + 3000,
    });
    fleet.services.db.transaction(() =>
      fleet.services.playRepository.insertMany([
        play(1, 'pir', 'completed'),
        play(2, 'cart', 'completed'),
        play(3, 'pir', 'interrupted'),
        play(4, 'schedule', 'completed', 'other-campaign'),
      ]),
    )();
    const res = await apiAs(fleet, manager.token).get(`/api/stores/${XUHUI}/uplift?from=${d2}&to=${d0}`);
    assert.equal(res.statusCode, 200, res.body);
    const reports = res.json().reports as UpliftReport[];
    assert.deepEqual(
      reports.map((r) => [r.campaignId, r.sku, r.thingNames, r.fromDay, r.toDay, r.plays, r.presenceTriggers, r.units]),
      [['cheese-promo', SKU, ['px-cheese'], d2, d0, 2, 3, 24]],
    );
    // Positive control for the store filter: the other store has no placement.
    const other = await apiAs(fleet, hq.token).get(`/api/stores/${BINJIANG}/uplift?from=${d2}&to=${d0}`);
    assert.deepEqual(other.json().reports, []);
  });

  it('keeps a store outside the caller’s scope and refuses roles without broadcast:read', async () => {
    const other = await apiAs(fleet, otherManager.token).get(`/api/stores/${XUHUI}/uplift?sku=${SKU}`);
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'STORE_NOT_FOUND');
    const own = await apiAs(fleet, otherManager.token).get(`/api/stores/${BINJIANG}/uplift?sku=${SKU}`);
    assert.equal(own.statusCode, 200, 'positive control: the same route answers for their own store');
    const staff = await apiAs(fleet, attendant.token).get(`/api/stores/${XUHUI}/uplift?sku=${SKU}`);
    assert.equal(staff.statusCode, 403);
    assert.equal(staff.json().code, 'NOT_AUTHORIZED');
  });

  it('refuses a period that ends before it starts or is longer than 400 days', async () => {
    const api = apiAs(fleet, hq.token);
    const backwards = await api.get(`/api/stores/${XUHUI}/uplift?sku=${SKU}&from=${today}&to=${shiftDay(today, -1)}`);
    assert.equal(backwards.json().code, 'BAD_REQUEST');
    const long = await api.get(`/api/stores/${XUHUI}/uplift?sku=${SKU}&from=${shiftDay(today, -500)}&to=${today}`);
    assert.equal(long.json().code, 'BAD_REQUEST');
  });
});
