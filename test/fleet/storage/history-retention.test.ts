import assert from 'node:assert/strict';
import { type Database, openDatabase } from '../../../fleet/storage/database.ts';
import { HistoryRetention } from '../../../fleet/storage/history-retention.ts';
import { silentLogger } from '../../../platform/log.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);

describe('HistoryRetention', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database;
  let retention: HistoryRetention;
  let alertSeq = 0;

  const alert = (state: 'open' | 'acknowledged' | 'resolved', resolvedDaysAgo: number | null, openedDaysAgo = 400) =>
    db
      .prepare(
        `INSERT INTO alerts (thing_name, store_id, device_kind, cause, cause_key, severity, state, message, value,
           opened_at, updated_at, resolved_at)
         VALUES (?, 's1', 'cart', 'battery-low', ?, 'warning', ?, 'battery low', 10, ?, ?, ?)`,
      )
      .run(
        `cart-${++alertSeq}`,
        `battery-low`,
        state,
        NOW - openedDaysAgo * DAY,
        NOW,
        resolvedDaysAgo === null ? null : NOW - resolvedDaysAgo * DAY,
      );
  const command = (id: string, status: string, requestedDaysAgo: number) =>
    db
      .prepare(
        `INSERT INTO commands (id, thing_name, store_id, name, params, status, requested_by, requested_at, expires_at)
         VALUES (?, 'cart-1', 's1', 'locate', '{}', ?, 'tester', ?, ?)`,
      )
      .run(id, status, NOW - requestedDaysAgo * DAY, NOW - requestedDaysAgo * DAY + 30_000);
  const ids = (table: 'alerts' | 'commands') =>
    (
      db.prepare(`SELECT ${table === 'alerts' ? 'thing_name' : 'id'} AS k FROM ${table} ORDER BY 1`).all() as {
        k: string;
      }[]
    )
      .map((r) => r.k)
      .sort();

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(dir.path, silentLogger());
    retention = new HistoryRetention(
      db,
      { alertsDays: 180, commandsDays: 90, sweepMs: 3_600_000 },
      silentLogger(),
      new FakeClock(NOW),
    );
  });

  afterEach(() => {
    db.close();
    dir.cleanup();
  });

  it('deletes resolved alerts past retention and keeps recent or unresolved ones, however old', () => {
    alert('resolved', 200); // cart-1: gone
    alert('resolved', 100); // cart-2: kept (resolved recently)
    alert('open', null); // cart-3: kept (open, opened 400 days ago)
    alert('acknowledged', null); // cart-4: kept
    assert.deepEqual(retention.sweep(), { alerts: 1, commands: 0 });
    assert.deepEqual(ids('alerts'), ['cart-2', 'cart-3', 'cart-4']);
  });

  it('deletes finished commands past retention and never a pending one', () => {
    command('old-ok', 'succeeded', 120);
    command('old-failed', 'failed', 91);
    command('old-expired', 'expired', 365);
    command('old-queued', 'queued', 120);
    command('old-sent', 'sent', 120);
    command('recent-ok', 'succeeded', 10);
    assert.deepEqual(retention.sweep(), { alerts: 0, commands: 3 });
    assert.deepEqual(ids('commands'), ['old-queued', 'old-sent', 'recent-ok']);
  });

  it('sweeps more rows than one slice holds', () => {
    db.transaction(() => {
      for (let i = 0; i < 4500; i++) alert('resolved', 365);
    })();
    alert('resolved', 1);
    assert.deepEqual(retention.sweep(), { alerts: 4500, commands: 0 });
    assert.equal(ids('alerts').length, 1);
    assert.deepEqual(retention.sweep(), { alerts: 0, commands: 0 }, 'nothing left to sweep');
  });
});
