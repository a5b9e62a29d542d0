import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { CertificateAuthority } from '../../fleet/pki/certificate-authority.ts';
import { PENDING_APPROVAL_POLICY_NAME } from '../../fleet/provisioning/provisioning-template.ts';
import { silentLogger } from '../../platform/log.ts';
import { deviceContentPaths, playTopics } from '../../protocol/broadcast/device-content.ts';
import { BROADCAST_SHADOW, type ManifestAsset } from '../../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { ByteCutProxy } from '../helpers/byte-cut-proxy.ts';
import { answerCode as codeOf, deviceGet } from '../helpers/device-https.ts';
import { eventually, startFleet, type TestDevice, tempDir } from '../helpers/fleet-harness.ts';
import { NetworkCut } from '../helpers/network-cut.ts';
import { FakeContentFiles, FakeManifestSource } from '../mocks/fake-manifest-source.ts';

const STORE = 'hf-shanghai-xuhui';

function play(overrides: Partial<PlayRecord> = {}): PlayRecord {
  const startedAt = Date.now() - 10_000;
  return {
    playId: crypto.randomUUID(),
    sha256: 'a'.repeat(64),
    campaignId: 'camp-1',
    itemId: 'item-0-0',
    layer: 'hq_campaign',
    trigger: 'schedule',
    scheduledAt: startedAt,
    startedAt,
    endedAt: startedAt + 5000,
    outcome: 'completed',
    volume: 60,
    levelDbSpl: null,
    manifestVersion: 1,
    ...overrides,
  };
}

describe('broadcast delivery: manifests, content over mTLS HTTPS, the speaker cache, proof of play', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer | undefined;
  let source: FakeManifestSource;
  let files: FakeContentFiles;
  const speakers: SimulatedSpeaker[] = [];
  const devices = new Map<string, TestDevice>();
  let mqttCut: NetworkCut;
  let assets: ManifestAsset[];

  const fleetDir = () => join(dir.path, 'fleet');
  const start = async () => {
    fleet = await startFleet(
      fleetDir(),
      { seedDemoData: true, broadcastDelivery: { debounceMs: 20 } },
      { extensions: { manifestSource: source, contentFiles: files } },
    );
    return fleet;
  };
  const live = (): FleetServer => {
    if (!fleet) throw new Error('fleet not running');
    return fleet;
  };
  const register = async (thingName: string): Promise<TestDevice> => {
    const r = await live().services.registry.registerDevice({
      thingName,
      kind: 'speaker',
      hardwareModel: 'BX-100',
      storeId: STORE,
    });
    const device = {
      thingName,
      certificateId: r.certificate.certificateId,
      certificatePem: r.certificate.certificatePem,
      privateKeyPem: r.certificate.privateKeyPem,
      caPem: r.caPem,
    };
    devices.set(thingName, device);
    return device;
  };
  const speaker = (thingName: string, endpoint: { port: number; contentPort: number }) =>
    new SimulatedSpeaker(
      {
        thingName,
        endpoint: { host: 'localhost', ...endpoint },
        certDir: join(dir.path, thingName),
        dataDir: join(dir.path, thingName, 'data'),
        telemetryIntervalMs: 60_000,
        healthIntervalMs: 60_000,
        broadcast: { playBatchDelayMs: 50, cacheBudgetBytes: 64 * 1024 * 1024 },
      },
      devices.get(thingName)!,
      1,
      mulberry32(7),
      silentLogger(),
    );
  const reported = (thingName: string) =>
    live().services.shadows.find(thingName, BROADCAST_SHADOW)?.state.reported as
      | {
          manifestVersion?: number;
          manifestError?: { code: string; version: number } | null;
          cache?: { missing: number; assets: number; usedBytes: number };
        }
      | undefined;

  before(async () => {
    dir = tempDir();
    source = new FakeManifestSource();
    files = new FakeContentFiles(join(dir.path, 'library'));
    assets = [files.add(randomBytes(40_000), 'opening'), files.add(randomBytes(70_000), 'promo')];
    source.setSpeakers(STORE, ['spk-bd1', 'spk-bd2']);
    source.setAssets('spk-bd1', assets);
    source.setAssets('spk-bd2', []);
    await start();
    await register('spk-bd1');
    await register('spk-bd2');
    mqttCut = await NetworkCut.open(live().services.broker.tlsPort);
  });

  after(async () => {
    for (const s of speakers) await s.stop();
    await mqttCut.close();
    await fleet?.stop();
    dir.cleanup();
  });

  it('publishes: the speaker fetches its manifest and assets over mTLS HTTPS and reports its cache', async () => {
    const f = live();
    await f.services.manifests.flush();
    const announced = f.services.manifests.announcement('spk-bd1');
    assert.equal(announced?.version, 1);
    const s = speaker('spk-bd1', { port: mqttCut.port, contentPort: f.services.deviceHttps.port });
    speakers.push(s);
    await s.start();
    const report = await eventually(
      () => {
        const r = reported('spk-bd1');
        return r?.manifestVersion === 1 && r.cache?.missing === 0 && r.cache.assets === 2 ? r : undefined;
      },
      15_000,
      'speaker reports manifest 1 with every asset cached',
    );
    assert.equal(report.cache?.usedBytes, 110_000);
    for (const asset of assets) {
      const path = s.runtime.delivery.pathOf(asset.sha256);
      assert.ok(path, `asset ${asset.title} cached`);
      assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), asset.sha256);
    }
    assert.equal(s.runtime.delivery.current?.version, 1);
    // The shadow's delta is empty once caught up: reported carries the announcement desired has.
    const shadow = f.services.shadows.find('spk-bd1', BROADCAST_SHADOW);
    assert.deepEqual(shadow?.state.reported?.manifest, shadow?.state.desired?.manifest);
  });

  it('makes a new version only when the content changed', async () => {
    const f = live();
    const before = source.compiled.get('spk-bd1') ?? 0;
    f.bus.emit('broadcast.schedule.changed', { storeIds: [STORE] });
    await eventually(() => (source.compiled.get('spk-bd1') ?? 0) > before, 5000, 'recompiled');
    await f.services.manifests.flush();
    assert.equal(f.services.manifests.announcement('spk-bd1')?.version, 1, 'same content, same version');
    // Positive control: a changed schedule makes version 2, and the speaker follows.
    assets = [...assets, files.add(randomBytes(30_000), 'closing')];
    source.setAssets('spk-bd1', assets);
    f.bus.emit('broadcast.schedule.changed', { storeIds: [STORE] });
    await eventually(() => f.services.manifests.announcement('spk-bd1')?.version === 2, 5000, 'version 2');
    await eventually(
      () => reported('spk-bd1')?.manifestVersion === 2 && reported('spk-bd1')?.cache?.assets === 3,
      15_000,
      'speaker on version 2 with 3 assets',
    );
  });

  it('serves content only to a thing whose manifest references it, and only mTLS with a fleet certificate', async () => {
    const port = live().services.deviceHttps.port;
    const own = devices.get('spk-bd1')!;
    const other = devices.get('spk-bd2')!;
    const asset = assets[0]!;
    const path = deviceContentPaths.content(asset.sha256);
    const ok = await deviceGet(port, own, path);
    assert.ok('status' in ok && ok.status === 200, 'positive control: the speaker whose manifest references it');
    assert.equal(ok.body.length, asset.bytes);
    assert.equal(ok.headers.etag, `"${asset.sha256}"`);
    assert.equal(ok.headers['accept-ranges'], 'bytes');
    const range = await deviceGet(port, own, path, { range: 'bytes=100-199', 'if-range': `"${asset.sha256}"` });
    assert.ok('status' in range && range.status === 206);
    assert.equal(range.headers['content-range'], `bytes 100-199/${asset.bytes}`);
    const stale = await deviceGet(port, own, path, { range: 'bytes=100-', 'if-range': '"something-else"' });
    assert.ok('status' in stale && stale.status === 200, 'If-Range that does not match: the whole file');
    assert.equal(codeOf(await deviceGet(port, own, path, { range: `bytes=${asset.bytes}-` })), 'RANGE_NOT_SATISFIABLE');

    // A valid fleet certificate of another speaker: its manifest does not reference the asset.
    assert.equal(codeOf(await deviceGet(port, other, path)), 'NOT_AUTHORIZED');
    // Manifests: only the caller's own.
    const mine = await deviceGet(port, own, deviceContentPaths.manifest(1));
    assert.ok('status' in mine && mine.status === 200);
    assert.equal(codeOf(await deviceGet(port, other, deviceContentPaths.manifest(2))), 'NOT_FOUND');

    // A certificate from a foreign CA never gets past the handshake.
    const forger = tempDir();
    try {
      const foreignCa = new CertificateAuthority(
        {
          dir: forger.path,
          hostNames: ['localhost'],
          caValidityDays: 30,
          serverValidityDays: 10,
          deviceValidityDays: 10,
          commonName: 'Cartfleet Device CA',
        },
        silentLogger(),
      );
      await foreignCa.start();
      const forged = await foreignCa.issueClientCertificate('spk-bd1');
      const answer = await deviceGet(port, { ...own, ...forged }, path);
      assert.ok('error' in answer, `forged certificate refused at the handshake, got ${JSON.stringify(answer)}`);
    } finally {
      forger.cleanup();
    }

    // A revoked certificate: refused on the next request, as at an MQTT CONNECT.
    const spare = await register('spk-bd9');
    assert.equal(codeOf(await deviceGet(port, spare, path)), 'NOT_AUTHORIZED', 'active but no manifest: 403');
    live().services.registry.revokeCertificate(spare.certificateId);
    assert.equal(codeOf(await deviceGet(port, spare, path)), 'CERTIFICATE_REVOKED');
  });

  it('refuses a manifest whose bytes do not match the announced sha256, or that is not its own, and keeps the old one', async () => {
    const f = live();
    const current = f.services.manifests.announcement('spk-bd1')!;
    const s = speakers[0]!;
    assert.equal(s.runtime.delivery.current?.version, current.version);
    const forged = { ...current, sha256: 'f'.repeat(64) };
    const result = await f.services.shadows.update('spk-bd1', BROADCAST_SHADOW, {
      state: { desired: { manifest: forged } },
    });
    assert.ok(result.ok);
    const report = await eventually(() => reported('spk-bd1')?.manifestError, 10_000, 'manifestError reported');
    assert.deepEqual(report, { version: current.version, code: 'MANIFEST_HASH_MISMATCH' });
    assert.equal(s.runtime.delivery.current?.version, current.version, 'the old manifest stays current');
    assert.equal(reported('spk-bd1')?.manifestVersion, current.version);
    // Bytes that match their announcement but hold another speaker's manifest: MANIFEST_INVALID, the old one stays.
    const foreign = Buffer.from(
      JSON.stringify({ ...source.compileForThing('spk-bd2', Date.now()), version: current.version + 1 }),
    );
    const foreignSha = createHash('sha256').update(foreign).digest('hex');
    f.services.db
      .prepare(
        `INSERT INTO broadcast_manifests (thing_name, version, store_id, sha256, bytes, content_digest, compiled_at,
           horizon_from, horizon_to) VALUES ('spk-bd1', ?, ?, ?, ?, 'forged', 0, 0, 0)`,
      )
      .run(current.version + 1, STORE, foreignSha, foreign);
    await f.services.shadows.update('spk-bd1', BROADCAST_SHADOW, {
      state: { desired: { manifest: { version: current.version + 1, sha256: foreignSha, bytes: foreign.length } } },
    });
    await eventually(
      () => reported('spk-bd1')?.manifestError?.code === 'MANIFEST_INVALID',
      10_000,
      'MANIFEST_INVALID reported',
    );
    assert.deepEqual(reported('spk-bd1')?.manifestError, { version: current.version + 1, code: 'MANIFEST_INVALID' });
    assert.equal(s.runtime.delivery.current?.version, current.version, 'the old manifest stays current');
    // A genuine announcement afterwards is taken again (the refusal is for those bytes, not for the speaker).
    assets = assets.slice(0, 2);
    source.setAssets('spk-bd1', assets);
    f.bus.emit('broadcast.schedule.changed', { storeIds: [STORE] });
    await eventually(
      // Reporting null removes the field (shadow semantics).
      () => reported('spk-bd1')?.manifestVersion === current.version + 2 && reported('spk-bd1')?.manifestError == null,
      15_000,
      'next version installed, error cleared',
    );
  });

  it('resumes a download cut midway from where it stopped', async () => {
    const f = live();
    await register('spk-bd3');
    const big = files.add(randomBytes(600_000), 'long programme');
    source.setSpeakers(STORE, ['spk-bd1', 'spk-bd2', 'spk-bd3']);
    source.setAssets('spk-bd3', [big]);
    await f.services.manifests.publish('spk-bd3');
    const proxy = await ByteCutProxy.open(f.services.deviceHttps.port, 250_000);
    try {
      const s = speaker('spk-bd3', { port: f.services.broker.tlsPort, contentPort: proxy.port });
      speakers.push(s);
      await s.start();
      await eventually(() => s.runtime.delivery.pathOf(big.sha256), 20_000, 'the big asset cached after the cut');
      assert.ok(proxy.cut, 'the download was cut');
      const resumes = s.runtime.delivery.cache.resumes;
      assert.equal(resumes.length, 1, JSON.stringify(resumes));
      const resumed = resumes[0]!;
      // Bytes in flight when the connection was reset are lost with it: the part holds what had been read.
      assert.ok(resumed.offset > 0, `resumed at ${resumed.offset}`);
      assert.equal(resumed.received, big.bytes - resumed.offset, 'the resume fetched only the rest');
      assert.ok(resumed.received < big.bytes, 'bytes re-sent are fewer than the whole file');
      assert.ok(s.runtime.delivery.cache.stats().bytesReceived < 2 * big.bytes);
    } finally {
      await proxy.close();
    }
  });

  it('plays logged offline arrive once, batched, after reconnect', async () => {
    const f = live();
    const s = speakers[0]!;
    const { playRepository, plays } = f.services;
    const countFor = () => playRepository.list({ thingName: 'spk-bd1' }, 1, 0).total;
    const before = plays.stats();
    mqttCut.cut();
    await eventually(() => !s.runtime.core.connection.online, 10_000, 'speaker offline');
    const records = Array.from({ length: 5 }, () => play());
    for (const r of records) s.runtime.delivery.recordPlay(r);
    assert.equal(s.runtime.delivery.plays.waiting(), 5, 'kept on the speaker while offline');
    assert.equal(countFor(), 0);
    mqttCut.mend();
    await eventually(() => countFor() === 5, 20_000, 'five plays stored');
    assert.equal(plays.stats().received - before.received, 1, 'one message for the five');
    // A resend (a PUBACK lost in a disconnect) stores nothing twice.
    s.runtime.core.outbox.enqueue(playTopics.publish('spk-bd1'), JSON.stringify({ plays: records }));
    await eventually(() => plays.stats().duplicates - before.duplicates === 5, 10_000, 'resend seen as duplicates');
    assert.equal(countFor(), 5);
  });

  it('a speaker waiting for approval gets its manifest once approved, without reconnecting', async () => {
    const f = live();
    const reg = await f.services.registry.registerDevice(
      { thingName: 'spk-bd4', kind: 'speaker', hardwareModel: 'BX-100', storeId: STORE },
      PENDING_APPROVAL_POLICY_NAME,
    );
    devices.set('spk-bd4', {
      thingName: 'spk-bd4',
      certificateId: reg.certificate.certificateId,
      certificatePem: reg.certificate.certificatePem,
      privateKeyPem: reg.certificate.privateKeyPem,
      caPem: reg.caPem,
    });
    source.setSpeakers(STORE, ['spk-bd1', 'spk-bd2', 'spk-bd3', 'spk-bd4']);
    source.setAssets('spk-bd4', [assets[0]!]);
    await f.services.manifests.publish('spk-bd4');
    const s = speaker('spk-bd4', { port: f.services.broker.tlsPort, contentPort: f.services.deviceHttps.port });
    speakers.push(s);
    let reconnects = 0;
    s.runtime.core.connection.on('online', () => reconnects++);
    await s.start();
    await eventually(() => s.runtime.core.connection.online, 10_000, 'connected while pending');
    const connectsBefore = reconnects;
    // Its subscriptions are refused while it waits (connect-only policy): no manifest, however often it asks.
    await eventually(() => s.runtime.delivery.sync.watchRefusals >= 2, 10_000, 'asked twice, refused twice');
    assert.equal(s.runtime.delivery.current, undefined);
    assert.equal(reported('spk-bd4')?.manifestVersion, undefined);
    f.services.registry.attachPolicy('DeviceDefault', reg.certificate.certificateId);
    f.services.registry.detachPolicy(PENDING_APPROVAL_POLICY_NAME, reg.certificate.certificateId);
    await eventually(
      () => reported('spk-bd4')?.cache?.missing === 0 && reported('spk-bd4')?.manifestVersion === 1,
      20_000,
      'manifest and asset after approval',
    );
    assert.equal(reconnects, connectsBefore, 'on the same connection');
  });

  it('after a restart with the fleet down, the speaker has its manifest and every asset', async () => {
    const s = speakers[0]!;
    const version = s.runtime.delivery.current!.version;
    const wanted = s.runtime.delivery.current!.assets.map((a) => a.sha256);
    for (const one of speakers.splice(0)) await one.stop();
    await fleet?.stop();
    fleet = undefined;
    const again = speaker('spk-bd1', { port: mqttCut.port, contentPort: 1 });
    speakers.push(again);
    await again.start();
    assert.equal(again.runtime.core.connection.online, false, 'the fleet is unreachable');
    assert.equal(again.runtime.delivery.current?.version, version);
    for (const sha of wanted) {
      const path = again.runtime.delivery.pathOf(sha);
      assert.ok(path, `asset ${sha.slice(0, 8)} playable offline`);
      assert.equal(createHash('sha256').update(readFileSync(path)).digest('hex'), sha);
    }
    assert.equal(again.runtime.delivery.cache.report().missing, 0);
  });
});
