import assert from 'node:assert/strict';
import type { Database } from '../../../fleet/storage/database.ts';
import { openDatabase } from '../../../fleet/storage/database.ts';
import { type TelemetryRecord, TelemetryRepository } from '../../../fleet/telemetry/telemetry-repository.ts';
import { silentLogger } from '../../../platform/log.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

function record(i: number, receivedAt: number, metrics: TelemetryRecord['metrics'] = { n: i }): TelemetryRecord {
  return { thingName: `cart-${i % 3}`, stream: 'telemetry', msgId: `m-${i}`, ts: receivedAt - 5, receivedAt, metrics };
}

describe('TelemetryRepository (SQLite file)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let repo: TelemetryRepository;

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    repo = new TelemetryRepository(db);
  });

  afterEach(() => {
    db.close();
    dir.cleanup();
  });

  it('stores a batch once and counts duplicates out', () => {
    assert.equal(repo.insertMany([record(1, 100), record(2, 101)]), 2);
    assert.equal(repo.insertMany([record(1, 100), record(3, 102)]), 1);
    assert.equal(repo.count(), 3);
  });

  it('retention deletes exactly the rows received before the cutoff, whatever gaps the ids have', () => {
    for (let batch = 0; batch < 10; batch++) {
      repo.insertMany(Array.from({ length: 50 }, (_, i) => record(batch * 50 + i, 1000 + batch * 50 + i)));
    }
    // gaps in the rowid sequence, as earlier sweeps and duplicates leave them
    db.prepare('DELETE FROM telemetry WHERE id % 7 = 0').run();
    for (const cutoff of [0, 1000, 1001, 1123, 1250, 1499, 1500, 5000]) {
      const expected = (
        db.prepare('SELECT count(*) AS n FROM telemetry WHERE received_at < ?').get(cutoff) as { n: number }
      ).n;
      const before = repo.count();
      assert.equal(repo.deleteReceivedBefore(cutoff, 17), expected, `cutoff ${cutoff}`);
      assert.equal(repo.count(), before - expected);
      const oldest = db.prepare('SELECT min(received_at) AS t FROM telemetry').get() as { t: number | null };
      assert.ok(oldest.t === null || oldest.t >= cutoff);
    }
    assert.equal(repo.count(), 0);
  });

  it('answers a metric history with up to `limit` points that have the metric, newest last', () => {
    const rows: TelemetryRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const metrics: TelemetryRecord['metrics'] = i % 3 === 0 ? { 'battery.percent': i } : { zone: `z${i}` };
      rows.push({
        thingName: 'cart-h',
        stream: 'telemetry',
        msgId: `h-${i}`,
        ts: 1000 + i,
        receivedAt: 2000 + i,
        metrics,
      });
    }
    repo.insertMany(rows);
    const points = repo.history({ thingName: 'cart-h', metric: 'battery.percent', from: 0, to: 5000, limit: 4 });
    assert.deepEqual(
      points.map((p) => p.metrics),
      [18, 21, 24, 27].map((n) => ({ 'battery.percent': n })),
    );
  });

  it('newest() orders by min(ts, received_at), so a ts ahead of its receipt does not hold the newest place', () => {
    const row = (msgId: string, ts: number, receivedAt: number, n: number): TelemetryRecord => ({
      thingName: 'cart-n',
      stream: 'telemetry',
      msgId,
      ts,
      receivedAt,
      metrics: { n },
    });
    repo.insertMany([
      row('ahead', 10_000 + 500, 10_000, 1), // clock 500 ms fast
      row('next', 10_100, 10_100, 2), // measured and received after it
      row('replay', 9_000, 10_200, 3), // an outbox replay: measured before both, received last
    ]);
    assert.equal(repo.newest('cart-n', 'telemetry', 600)?.msgId, 'next');
    // Two readings the fleet sees at the same time: the later arrival wins, as in memory.
    repo.insertMany([row('same-a', 20_000, 20_000, 4), row('same-b', 20_000, 20_000, 5)]);
    assert.equal(repo.newest('cart-n', 'telemetry', 600)?.msgId, 'same-b');
    assert.equal(repo.newest('cart-n', 'health', 600), undefined);
  });
});
