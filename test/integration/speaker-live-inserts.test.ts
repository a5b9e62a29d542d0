import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import { silentLogger } from '../../platform/log.ts';
import type { BroadcastInsert } from '../../protocol/api/broadcast-inserts.ts';
import { INSERT_SHADOW } from '../../protocol/broadcast/inserts.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import {
  type ApiUser,
  apiAs,
  apiUser,
  eventually,
  startFleet,
  type TestDevice,
  tempDir,
} from '../helpers/fleet-harness.ts';

const STORE = 'hf-shanghai-xuhui';

describe('a speaker follows its live inserts and emergency, and hears carts nearby (real fleet, real runtime)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let manager: ApiUser;
  let tone: string;
  const speakers: SimulatedSpeaker[] = [];
  const plays: PlayRecord[] = [];

  const register = async (thingName: string): Promise<TestDevice> => {
    const r = await fleet.services.registry.registerDevice({
      thingName,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: STORE,
    });
    return {
      thingName,
      certificateId: r.certificate.certificateId,
      certificatePem: r.certificate.certificatePem,
      privateKeyPem: r.certificate.privateKeyPem,
      caPem: r.caPem,
    };
  };
  const startSpeaker = async (thingName: string, device: TestDevice) => {
    const s = new SimulatedSpeaker(
      {
        thingName,
        endpoint: {
          host: 'localhost',
          port: fleet.services.broker.tlsPort,
          contentPort: fleet.services.deviceHttps.port,
        },
        certDir: join(dir.path, thingName),
        dataDir: join(dir.path, thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
        broadcast: { playBatchDelayMs: 50 },
      },
      device,
      1,
      mulberry32(3),
      silentLogger(),
    );
    s.runtime.onPlay((record) => plays.push(record));
    speakers.push(s);
    await s.start();
    return s;
  };
  const api = () => apiAs(fleet, manager.token);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: [STORE] });
    const wav = join(dir.path, 'chime.wav');
    const out = spawnSync(resolveFfmpeg().path, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=740:duration=1',
      '-y',
      wav,
    ]);
    assert.equal(out.status, 0);
    tone = (
      await fleet.services.content.ingestFile(wav, {
        title: 'Chime',
        kind: 'speech',
        origin: 'upload',
        storeId: null,
        createdBy: 'test',
      })
    ).sha256;
  });

  after(async () => {
    for (const s of speakers) await s.stop();
    await fleet?.stop();
    dir?.cleanup();
  });

  it('downloads an insert’s asset, plays it once, and the fleet sees it handled', async () => {
    const device = await register('spk-li1');
    const s = await startSpeaker('spk-li1', device);
    const res = await api().post(`/api/stores/${STORE}/broadcast/inserts`, { sha256: tone, thingNames: ['spk-li1'] });
    assert.equal(res.statusCode, 201, res.body);
    const insert = res.json() as BroadcastInsert;
    const record = await eventually(() => plays.find((p) => p.itemId === insert.id), 20_000, 'the insert played');
    assert.deepEqual(
      [record.trigger, record.layer, record.outcome, record.sha256],
      ['adhoc', 'adhoc', 'completed', tone],
    );
    assert.ok(record.endedAt - record.startedAt >= 900, 'the whole second of it');
    await eventually(
      async () => {
        const list = await api().get(`/api/stores/${STORE}/broadcast/inserts`);
        const mine = (list.json().items as BroadcastInsert[]).find((i) => i.id === insert.id);
        return mine?.deliveries[0]?.state === 'handled' || undefined;
      },
      10_000,
      'reported handled',
    );
    // Once: a reconnect (a new get of the shadow) does not play it again.
    await s.runtime.core.connection.waitOnline(5000);
    assert.equal(plays.filter((p) => p.itemId === insert.id).length, 1);
  });

  it('skips an insert whose time passed while the speaker was away, and says so', async () => {
    const device = await register('spk-li2');
    // Made 59 s ago with a minute of grace: it expires in about a second, before the speaker is even started.
    const res = await api().post(`/api/stores/${STORE}/broadcast/inserts`, {
      sha256: tone,
      thingNames: ['spk-li2'],
      at: Date.now() - 59_000,
      graceMinutes: 1,
    });
    const insert = res.json() as BroadcastInsert;
    await eventually(() => Date.now() > insert.expiresAt || undefined, 5_000, 'expired');
    // The fleet's sweep runs once a minute; the speaker decides by expiresAt itself. Keep it in the shadow:
    const waiting = fleet.services.shadows.find('spk-li2', INSERT_SHADOW)?.state.desired as
      | { inserts: { id: string }[] }
      | undefined;
    assert.ok(waiting?.inserts.some((i) => i.id === insert.id));
    await startSpeaker('spk-li2', device);
    const record = await eventually(() => plays.find((p) => p.itemId === insert.id), 15_000, 'a skipped record');
    assert.equal(record.outcome, 'skipped');
    assert.equal(record.scheduledAt, insert.at);
  });

  it('repeats the store’s emergency until it is cleared', async () => {
    const s = speakers[0]!;
    const before = plays.length;
    const started = await api().post(`/api/stores/${STORE}/broadcast/emergency`, { sha256: tone });
    assert.equal(started.statusCode, 201, started.body);
    const id = started.json().id as string;
    await eventually(() => (s.runtime.inserts.activeEmergency === id ? true : undefined), 10_000, 'emergency on');
    assert.equal(s.runtime.scheduler.emergencyActive, true);
    await eventually(
      () => (plays.slice(before).filter((p) => p.trigger === 'emergency').length >= 2 ? true : undefined),
      15_000,
      'played twice',
    );
    const cleared = await api().delete(`/api/stores/${STORE}/broadcast/emergency`);
    assert.equal(cleared.statusCode, 200);
    await eventually(() => (s.runtime.scheduler.emergencyActive ? undefined : true), 10_000, 'emergency off');
    assert.equal(s.runtime.inserts.activeEmergency, null);
  });

  it('offers a cart’s nudge to its promo, and ignores a malformed one', async () => {
    const s = speakers[0]!;
    const topic = commerceTopics.notify('spk-li1', 'cart-nearby');
    await fleet.services.broker.publish(topic, 'not json', 0);
    await fleet.services.broker.publish(
      topic,
      JSON.stringify({ msgId: crypto.randomUUID(), at: Date.now(), cart: 'cart-7', zoneId: `${STORE}-dairy` }),
      0,
    );
    const decision = await eventually(() => s.runtime.nearby.decisions[0], 5_000, 'a decision');
    // A broadcast box without a promo in its manifest: offered, and declined for that reason.
    assert.deepEqual(decision, { cart: 'cart-7', decision: 'no_promo' });
    assert.equal(s.runtime.nearby.decisions.length, 1, 'the malformed nudge made no decision');
  });
});
