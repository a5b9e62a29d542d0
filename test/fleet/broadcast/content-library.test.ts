import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { announcerIngest } from '../../../fleet/broadcast/content/announcer-ingest.ts';
import { ContentLibrary } from '../../../fleet/broadcast/content/content-library.ts';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { DatabaseWriter } from '../../../fleet/storage/database-writer.ts';
import { systemClock } from '../../../platform/clock.ts';
import { silentLogger } from '../../../platform/log.ts';
import { DEFAULT_CONTENT_LIMITS, DEFAULT_LOUDNESS_TARGET } from '../../../protocol/broadcast/audio-format.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { makeAudio } from '../../helpers/audio-fixtures.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { waitFor } from '../../mocks/wait-for.ts';

describe('ContentLibrary (real ffmpeg, real SQLite file)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let writer: DatabaseWriter;
  let library: ContentLibrary;
  const dataDir = () => join(dir.path, 'fleet');
  const open = (ffmpegPath: string | null = null) =>
    new ContentLibrary(
      { dataDir: dataDir(), ffmpegPath, ...DEFAULT_CONTENT_LIMITS, loudness: DEFAULT_LOUDNESS_TARGET },
      db,
      writer,
      silentLogger(),
      systemClock,
    );
  const meta = {
    title: 'Announcement',
    kind: 'speech' as const,
    origin: 'announcer' as const,
    storeId: null,
    createdBy: null,
  };

  beforeEach(async () => {
    dir = tempDir('cartfleet-content-');
    db = openDatabase(dataDir(), silentLogger());
    writer = new DatabaseWriter(db, { retryMinMs: 5, retryMaxMs: 50 }, silentLogger(), systemClock);
    library = open();
    await library.start();
  });
  afterEach(() => {
    library.stop();
    writer.stop();
    db.close();
    dir.cleanup();
  });

  it("ingestFile (the announcer's entry) stores the asset and leaves the caller's file where it was", async () => {
    const speech = makeAudio(dir.path, 'tts.wav', 'sine=f=300:d=2', ['-af', 'volume=-25dB']);
    const asset = await library.ingestFile(speech, meta);
    assert.ok(existsSync(speech), "the caller's file stays");
    assert.equal(asset.origin, 'announcer');
    assert.equal(library.pathOf(asset.sha256), join(dataDir(), 'broadcast', 'assets', `${asset.sha256}.opus`));
    assert.ok(existsSync(library.pathOf(asset.sha256) as string));
    assert.deepEqual(library.get(asset.sha256), asset);
    assert.equal(library.pathOf('0'.repeat(64)), undefined);
    assert.equal(library.list({ limit: 50, offset: 0 }).total, 1);
  });

  it("serves as the announcer's AssetIngest port (announcerIngest)", async () => {
    const speech = makeAudio(dir.path, 'tts.wav', 'sine=f=250:d=1.5', ['-af', 'volume=-30dB']);
    const stored = await announcerIngest(library).ingestFile(speech, {
      title: 'Milk ¥9.90',
      kind: 'speech',
      origin: 'announcer',
      storeId: null,
      createdBy: 'hq',
    });
    const asset = library.get(stored.sha256);
    assert.ok(asset);
    assert.deepEqual(stored, {
      sha256: asset.sha256,
      durationMs: asset.durationMs,
      integratedLufs: asset.loudness.integratedLufs,
      title: 'Milk ¥9.90',
    });
    assert.ok(Math.abs(stored.integratedLufs + 16) <= 1);
  });

  it('the same input ingested twice at once is normalised once (positive control: a different input is)', async () => {
    const a = makeAudio(dir.path, 'a.wav', 'sine=f=440:d=2');
    const [one, two] = await Promise.all([library.ingestFile(a, meta), library.ingestFile(a, meta)]);
    assert.equal(one.sha256, two.sha256);
    assert.deepEqual(library.stats(), { normalised: 1, deduplicated: 1 });
    await library.ingestFile(makeAudio(dir.path, 'b.wav', 'sine=f=550:d=2'), meta);
    assert.equal(library.stats().normalised, 2);
  });

  it('normalises the same input to the same bytes (bit-exact output): the sha256 is stable', async () => {
    const a = makeAudio(dir.path, 'a.flac', 'anoisesrc=d=3:a=0.05:seed=7', ['-c:a', 'flac']);
    const first = await library.ingestFile(a, meta);
    await library.remove(first.sha256);
    const second = await library.ingestFile(a, meta);
    assert.equal(second.sha256, first.sha256);
  });

  it('a refusal stores nothing: no row, no file, no temp file', async () => {
    const silence = makeAudio(dir.path, 'silence.wav', 'anullsrc=r=48000:cl=mono', ['-t', '2']);
    await assert.rejects(library.ingestFile(silence, meta), (err: unknown) => isFleetError(err, 'AUDIO_SILENT'));
    assert.equal(library.list({ limit: 50, offset: 0 }).total, 0);
    assert.deepEqual(readdirSync(join(dataDir(), 'broadcast', 'assets')), []);
    assert.deepEqual(readdirSync(join(dataDir(), 'broadcast', 'tmp')), []);
  });

  it('a configured ffmpeg that is not there: FFMPEG_UNAVAILABLE at the first ingest, the fleet still starts', async () => {
    const broken = open(join(dir.path, 'no-such-ffmpeg'));
    await broken.start();
    const a = makeAudio(dir.path, 'a.wav', 'sine=f=440:d=1');
    await assert.rejects(broken.ingestFile(a, meta), (err: unknown) => isFleetError(err, 'FFMPEG_UNAVAILABLE'));
    assert.equal(broken.list({ limit: 50, offset: 0 }).total, 0);
    broken.stop();
  });

  it('start() empties the temp dir and removes stored files without a row (a crash between move and insert)', async () => {
    const kept = await library.ingestFile(makeAudio(dir.path, 'a.wav', 'sine=f=440:d=1'), meta);
    const orphan = join(dataDir(), 'broadcast', 'assets', `${'e'.repeat(64)}.opus`);
    writeFileSync(orphan, 'orphan');
    mkdirSync(join(dataDir(), 'broadcast', 'tmp', 'job-left'), { recursive: true });
    library.stop();
    library = open();
    await library.start();
    assert.ok(!existsSync(orphan));
    assert.ok(existsSync(library.pathOf(kept.sha256) as string));
    assert.deepEqual(readdirSync(join(dataDir(), 'broadcast', 'tmp')), []);
  });

  it('stop() kills a normalisation in progress: it fails, nothing is stored', async () => {
    const long = makeAudio(dir.path, 'long.flac', 'anoisesrc=d=120:c=pink:a=0.1', ['-c:a', 'flac']);
    const ingest = library.ingestFile(long, meta);
    const tmp = join(dataDir(), 'broadcast', 'tmp');
    // Stopped once the normalisation has begun (its work dir exists), not while the input is still being hashed.
    await waitFor(() => readdirSync(tmp).some((f) => f.startsWith('job-')), 'the normalisation to start', 10_000);
    library.stop();
    await assert.rejects(ingest, (err: unknown) => isFleetError(err, 'STORAGE_BUSY'));
    assert.equal(library.list({ limit: 50, offset: 0 }).total, 0);
    assert.deepEqual(readdirSync(join(dataDir(), 'broadcast', 'assets')), []);
    assert.deepEqual(readdirSync(tmp), [], 'its work dir is removed');
  });
});
