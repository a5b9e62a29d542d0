import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadReleaseKeys } from '../../../../fleet/ota/releases/release-keys.ts';
import { ReleaseService, type ReleaseServiceOptions } from '../../../../fleet/ota/releases/release-service.ts';
import { type Database, openDatabase } from '../../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../../fleet/storage/database-writer.ts';
import { generateSigningKey } from '../../../../ota/release/signing.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { isFleetError } from '../../../../protocol/errors.ts';
import { tempDir } from '../../../helpers/fleet-harness.ts';
import { signedRelease, testManifest } from '../../../helpers/ota-release.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const HQ = { username: 'hq' };

describe('release store (ReleaseService on real SQLite and files)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let writer: DatabaseWriter;
  let service: ReleaseService;
  const key = generateSigningKey();
  const clock = new FakeClock();
  const options = (overrides: Partial<ReleaseServiceOptions['deltas']> = {}): ReleaseServiceOptions => ({
    dataDir: dir.path,
    maxArtifactBytes: 1024 * 1024,
    deltas: { bases: 3, concurrency: 1, maxArtifactBytes: 1024 * 1024, ...overrides },
  });
  const make = (keys = loadReleaseKeys({ signingKeyFile: null, trustedKeys: [key.publicKeyPem] }), o = options()) =>
    new ReleaseService({ db, writer, keys, clock, log: silentLogger() }, o);
  const stage = (bytes: Buffer) => service.stage(Readable.from([bytes]), HQ);
  const publish = async (bytes: Buffer, version: string) => {
    await stage(bytes);
    return service.publish(signedRelease(testManifest({ version, upgradeFrom: '*' }, bytes), key), HQ);
  };
  const rows = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

  beforeEach(() => {
    dir = tempDir('release-service-');
    db = openDatabase(dir.path, silentLogger());
    writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), clock);
  });
  afterEach(async () => {
    await service?.stop();
    writer.stop();
    db.close();
    dir.cleanup();
  });

  it('refuses an unsigned publish without a signing key (RELEASE_SIGNING_KEY_MISSING), storing nothing', async () => {
    service = make();
    await service.start();
    const bytes = randomBytes(2000);
    await stage(bytes);
    await assert.rejects(service.publish({ manifest: testManifest({}, bytes) }, HQ), (err) =>
      isFleetError(err, 'RELEASE_SIGNING_KEY_MISSING'),
    );
    assert.equal(rows('releases'), 0);
    // Positive control: the same manifest signed offline publishes.
    await service.publish(signedRelease(testManifest({}, bytes), key), HQ);
    assert.equal(rows('releases'), 1);
  });

  it('removes what no row names at start: temp files, orphan artifacts and deltas', async () => {
    service = make();
    await service.start();
    const kept = await publish(randomBytes(3000), '1.0.0');
    await service.stop();
    const orphan = join(dir.path, 'ota', 'artifacts', sha(Buffer.from('orphan')));
    writeFileSync(orphan, 'orphan');
    writeFileSync(join(dir.path, 'ota', 'deltas', `${'a'.repeat(64)}-${'b'.repeat(64)}`), 'x');
    writeFileSync(join(dir.path, 'ota', 'deltas', '.half.part'), 'x');
    mkdirSync(join(dir.path, 'ota', 'tmp'), { recursive: true });
    writeFileSync(join(dir.path, 'ota', 'tmp', 'upload-in-progress'), 'x');
    service = make();
    await service.start();
    assert.deepEqual(readdirSync(join(dir.path, 'ota', 'artifacts')), [kept.sha256]);
    assert.deepEqual(readdirSync(join(dir.path, 'ota', 'deltas')), []);
    assert.deepEqual(readdirSync(join(dir.path, 'ota', 'tmp')), []);
  });

  it('makes again, after a restart, the deltas a stop left pending', async () => {
    service = make();
    await service.start();
    const base = randomBytes(64 * 1024);
    await publish(base, '1.0.0');
    const target = Buffer.from(base);
    randomBytes(2000).copy(target, 30_000);
    await stage(target);
    // Stopped before the delta could be made: the builder no longer takes work.
    await service.deltas.stop();
    const r2 = await service.publish(
      signedRelease(testManifest({ version: '1.1.0', upgradeFrom: '*' }, target), key),
      HQ,
    );
    assert.equal(db.prepare('SELECT state FROM release_deltas').pluck().get(), 'pending');
    assert.deepEqual(service.detail(r2.id).deltas, []);
    await service.stop();
    service = make();
    await service.start();
    await service.deltas.whenIdle();
    const deltas = service.detail(r2.id).deltas;
    assert.equal(deltas.length, 1);
    assert.ok(deltas[0]!.ratio < 0.1);
    assert.ok(existsSync(join(dir.path, 'ota', 'deltas', `${sha(base)}-${sha(target)}`)));
  });

  it('marks failed, with no file, a delta not smaller than the artifact; makes none past the size limit', async () => {
    service = make();
    await service.start();
    await publish(randomBytes(4000), '1.0.0');
    const unrelated = await publish(randomBytes(4000), '1.1.0');
    await service.deltas.whenIdle();
    assert.deepEqual(service.detail(unrelated.id).deltas, []);
    assert.equal(
      db.prepare('SELECT state FROM release_deltas WHERE release_id = ?').pluck().get(unrelated.id),
      'failed',
    );
    assert.deepEqual(readdirSync(join(dir.path, 'ota', 'deltas')), []);
    await service.stop();

    service = make(undefined, options({ maxArtifactBytes: 4096 }));
    await service.start();
    const big = await publish(randomBytes(5000), '1.2.0');
    assert.equal(db.prepare('SELECT count(*) FROM release_deltas WHERE release_id = ?').pluck().get(big.id), 0);
  });

  it('refuses a release name for another component (RELEASE_INVALID)', async () => {
    service = make();
    await service.start();
    await publish(randomBytes(1000), '1.0.0');
    const bytes = Buffer.from('{"a":1}');
    await stage(bytes);
    const asConfig = testManifest({ component: 'config', version: '2.0.0' }, bytes);
    await assert.rejects(service.publish(signedRelease(asConfig, key), HQ), (err) =>
      isFleetError(err, 'RELEASE_INVALID'),
    );
    assert.equal(rows('releases'), 1);
  });
});

describe('release keys from the config', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('release-keys-');
  });
  afterEach(() => dir.cleanup());

  it('trusts inline PEMs, PEM files and the signing key’s public half', () => {
    const [a, b, signing] = [generateSigningKey(), generateSigningKey(), generateSigningKey()];
    writeFileSync(join(dir.path, 'b.pem'), b.publicKeyPem);
    writeFileSync(join(dir.path, 'signing.pem'), signing.privateKeyPem);
    const keys = loadReleaseKeys({
      signingKeyFile: join(dir.path, 'signing.pem'),
      trustedKeys: [a.publicKeyPem, join(dir.path, 'b.pem')],
    });
    assert.deepEqual(keys.keyring.keyIds(), [a.keyId, b.keyId, signing.keyId].sort());
    assert.equal(keys.signingKeyId, signing.keyId);
    assert.equal(keys.signingKey?.type, 'private');
  });

  it('stops the fleet (CONFIG_INVALID) for a key it cannot use, naming the entry and never the key', () => {
    const signing = generateSigningKey();
    writeFileSync(join(dir.path, 'public-as-private.pem'), signing.publicKeyPem);
    const cases = [
      { signingKeyFile: join(dir.path, 'missing.pem'), trustedKeys: [] },
      { signingKeyFile: join(dir.path, 'public-as-private.pem'), trustedKeys: [] },
      { signingKeyFile: null, trustedKeys: [signing.privateKeyPem] },
      { signingKeyFile: null, trustedKeys: ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'] },
    ];
    for (const config of cases) {
      assert.throws(
        () => loadReleaseKeys(config),
        (err) => {
          assert.ok(isFleetError(err, 'CONFIG_INVALID'), String(err));
          assert.match(err.message, /^ota\.(signingKeyFile|trustedKeys\[0\])/);
          assert.ok(
            !err.message.includes(signing.privateKeyPem.split('\n')[1]!),
            'the key itself is never in the message',
          );
          return true;
        },
      );
    }
  });
});
