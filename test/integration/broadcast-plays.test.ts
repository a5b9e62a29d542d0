import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { playTopics } from '../../protocol/broadcast/device-content.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import {
  apiAs,
  apiUser,
  eventually,
  mqttJsClient,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1);

function play(overrides: Partial<PlayRecord> = {}): PlayRecord {
  return {
    playId: crypto.randomUUID(),
    sha256: 'b'.repeat(64),
    campaignId: 'camp-a',
    itemId: null,
    layer: 'hq_campaign',
    trigger: 'schedule',
    scheduledAt: T0,
    startedAt: T0,
    endedAt: T0 + 30_000,
    outcome: 'completed',
    volume: 60,
    levelDbSpl: null,
    manifestVersion: 1,
    ...overrides,
  };
}

describe('proof of play: ingest on dt/cartfleet/{thing}/plays and the reports API', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  const speakers = new Map<string, TestDevice>();

  const register = async (thingName: string, storeId: string) => {
    const r = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId,
    });
    speakers.set(thingName, {
      thingName,
      certificateId: r.certificate.certificateId,
      certificatePem: r.certificate.certificatePem,
      privateKeyPem: r.certificate.privateKeyPem,
      caPem: r.caPem,
    });
  };
  const stored = (thingName: string) => fleet.services.playRepository.list({ thingName }, 1, 0).total;
  const ingest = (thingName: string, plays: PlayRecord[]) =>
    fleet.services.plays.accept(playTopics.publish(thingName), Buffer.from(JSON.stringify({ plays })), () => {});

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    await register('spk-pa', XUHUI);
    await register('spk-pb', XUHUI);
    await register('spk-pc', BINJIANG);
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it("refuses a speaker publishing another speaker's proof of play, and stores nothing", async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, speakers.get('spk-pb')!, 'spk-pb');
    try {
      // Positive control: its own topic is stored.
      await client.publishAsync(playTopics.publish('spk-pb'), JSON.stringify({ plays: [play()] }), { qos: 1 });
      await eventually(() => stored('spk-pb') === 1, 5000, 'own play stored');
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.publish(playTopics.publish('spk-pa'), JSON.stringify({ plays: [play()] }), { qos: 1 });
      await closed;
      assert.equal(client.connected, false, 'the broker closed the connection (policy: another thing’s topic)');
      assert.equal(stored('spk-pa'), 0, 'nothing stored for the other speaker');
      assert.equal(stored('spk-pb'), 1);
    } finally {
      await client.endAsync(true);
    }
  });

  it('refuses a malformed batch with a code, stores none of it, and keeps the connection', async () => {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, speakers.get('spk-pb')!, 'spk-pb');
    try {
      const before = fleet.services.plays.stats();
      const good = play();
      const bad = { ...play(), outcome: 'half-heard' };
      await client.publishAsync(playTopics.publish('spk-pb'), JSON.stringify({ plays: [good, bad] }), { qos: 1 });
      const backwards = play({ startedAt: T0 + 10_000, endedAt: T0 });
      await client.publishAsync(playTopics.publish('spk-pb'), JSON.stringify({ plays: [backwards] }), { qos: 1 });
      await client.publishAsync(playTopics.publish('spk-pb'), 'not json', { qos: 1 });
      const after = fleet.services.plays.stats();
      assert.equal((after.rejectedByCode.PAYLOAD_SCHEMA ?? 0) - (before.rejectedByCode.PAYLOAD_SCHEMA ?? 0), 2);
      assert.equal(
        (after.rejectedByCode.PAYLOAD_INVALID_JSON ?? 0) - (before.rejectedByCode.PAYLOAD_INVALID_JSON ?? 0),
        1,
      );
      assert.equal(stored('spk-pb'), 1, 'the valid play of the refused batch is not stored either');
      assert.equal(client.connected, true);
      // Positive control on the same connection.
      await client.publishAsync(playTopics.publish('spk-pb'), JSON.stringify({ plays: [good] }), { qos: 1 });
      assert.equal(stored('spk-pb'), 2);
    } finally {
      await client.endAsync(true);
    }
  });

  it('reports per campaign, store and speaker with a daily series, scoped, and as CSV', async () => {
    // A window of its own: the plays of the tests above started at T0.
    const R = Date.UTC(2027, 0, 10);
    await ingest('spk-pa', [
      play({ campaignId: 'camp-a', startedAt: R, endedAt: R + 30_000 }),
      play({ campaignId: 'camp-a', startedAt: R + DAY, endedAt: R + DAY + 10_000, outcome: 'interrupted' }),
      play({ campaignId: 'camp-b', trigger: 'pir', scheduledAt: null, startedAt: R + 5000, endedAt: R + 25_000 }),
      play({ campaignId: 'camp-b', outcome: 'skipped', startedAt: R + 7000, endedAt: R + 7000 }),
    ]);
    await ingest('spk-pc', [
      play({ campaignId: 'camp-a', trigger: 'cart', startedAt: R + 2 * DAY, endedAt: R + 2 * DAY + 20_000 }),
    ]);
    const admin = await apiUser(fleet, 'hq', 'hq-admin');
    const range = `from=${R}&to=${R + 7 * DAY}`;
    const byCampaign = await apiAs(fleet, admin.token).get(`/api/broadcast/plays/report?groupBy=campaign&${range}`);
    assert.equal(byCampaign.statusCode, 200, byCampaign.body);
    const report = byCampaign.json();
    const a = report.rows.find((r: { key: string }) => r.key === 'camp-a');
    assert.deepEqual(a, {
      key: 'camp-a',
      plays: 3,
      airtimeMs: 60_000,
      completed: 2,
      interrupted: 1,
      skipped: 0,
      presence: { pir: 0, cart: 1 },
    });
    const b = report.rows.find((r: { key: string }) => r.key === 'camp-b');
    assert.equal(b.airtimeMs, 20_000, 'a skipped play has no airtime');
    assert.deepEqual(b.presence, { pir: 1, cart: 0 });
    assert.deepEqual(
      report.days
        .filter((d: { key: string }) => d.key === 'camp-a')
        .map((d: { day: string; plays: number }) => [d.day, d.plays]),
      [
        ['2027-01-10', 1],
        ['2027-01-11', 1],
        ['2027-01-12', 1],
      ],
    );

    const csv = await apiAs(fleet, admin.token).get(`/api/broadcast/plays/report?groupBy=store&${range}&format=csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trimEnd().split('\r\n');
    assert.equal(lines[0], 'key,plays,airtime_ms,completed,interrupted,skipped,presence_pir,presence_cart');
    assert.ok(lines.includes(`${XUHUI},4,60000,2,1,1,1,0`), lines.join('\n'));
    assert.ok(lines.includes(`${BINJIANG},1,20000,1,0,0,0,1`), lines.join('\n'));

    // A store manager of Xuhui sees Xuhui's plays only; Binjiang answers as an unknown store.
    const manager = await apiUser(fleet, 'mgr-xuhui', 'store-manager', { storeIds: [XUHUI] });
    const scoped = (await apiAs(fleet, manager.token).get(`/api/broadcast/plays/report?groupBy=thing&${range}`)).json();
    assert.deepEqual(
      scoped.rows.map((r: { key: string }) => r.key),
      ['spk-pa'],
    );
    const unscoped = (await apiAs(fleet, admin.token).get(`/api/broadcast/plays/report?groupBy=thing&${range}`)).json();
    assert.deepEqual(unscoped.rows.map((r: { key: string }) => r.key).sort(), ['spk-pa', 'spk-pc'], 'positive control');
    const foreign = await apiAs(fleet, manager.token).get(
      `/api/broadcast/plays/report?groupBy=thing&${range}&storeId=${BINJIANG}`,
    );
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'STORE_NOT_FOUND');
    const list = (await apiAs(fleet, manager.token).get(`/api/broadcast/plays?${range}&limit=500`)).json();
    assert.ok(list.items.length > 0);
    assert.ok(list.items.every((p: { storeId: string }) => p.storeId === XUHUI));
    const all = (await apiAs(fleet, admin.token).get(`/api/broadcast/plays?${range}&limit=500`)).json();
    assert.ok(
      all.items.some((p: { storeId: string }) => p.storeId === BINJIANG),
      'positive control: HQ sees both',
    );

    // An attendant has no broadcast:read.
    const attendant = await apiUser(fleet, 'att', 'attendant', { storeIds: [XUHUI] });
    const refused = await apiAs(fleet, attendant.token).get(`/api/broadcast/plays?${range}`);
    assert.equal(refused.statusCode, 403);
    const backwards = await apiAs(fleet, admin.token).get(
      `/api/broadcast/plays/report?groupBy=store&from=${R + DAY}&to=${R}`,
    );
    assert.equal(backwards.json().code, 'BAD_REQUEST');
  });
});
