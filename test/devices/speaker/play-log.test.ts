import assert from 'node:assert/strict';
import { Outbox } from '../../../devices/core/outbox.ts';
import { PLAYS_PER_BATCH, PlayLog } from '../../../devices/speaker/content/play-log.ts';
import { silentLogger } from '../../../platform/log.ts';
import { playTopics } from '../../../protocol/broadcast/device-content.ts';
import type { PlayBatch, PlayRecord } from '../../../protocol/broadcast/proof-of-play.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeOutboxTransport } from '../../mocks/fake-outbox-transport.ts';
import { waitFor } from '../../mocks/wait-for.ts';

function play(n: number): PlayRecord {
  return {
    playId: crypto.randomUUID(),
    sha256: 'c'.repeat(64),
    campaignId: null,
    itemId: `item-${n}`,
    layer: 'ambient',
    trigger: 'schedule',
    scheduledAt: 1_000 + n,
    startedAt: 1_000 + n,
    endedAt: 2_000 + n,
    outcome: 'completed',
    volume: 50,
    levelDbSpl: null,
    manifestVersion: 3,
  };
}

describe('PlayLog (speaker proof of play)', () => {
  let dir: ReturnType<typeof tempDir>;
  let transport: FakeOutboxTransport;
  let outbox: Outbox;
  let clock: FakeClock;
  let log: PlayLog;

  beforeEach(() => {
    dir = tempDir();
    clock = new FakeClock();
    transport = new FakeOutboxTransport({ online: false });
    outbox = new Outbox(
      dir.path,
      transport,
      { maxMessages: 1000, batchSize: 10, ackTimeoutMs: 1000, maxAttempts: 5 },
      silentLogger(),
      clock,
    );
    outbox.start();
    log = new PlayLog('spk-1', dir.path, outbox, transport, { batchDelayMs: 500 }, silentLogger(), clock);
    log.start();
  });

  afterEach(async () => {
    log.stop();
    await outbox.stop();
    dir.cleanup();
  });

  const batches = () =>
    transport.acknowledged.map((a) => {
      assert.equal(a.topic, playTopics.publish('spk-1'));
      return JSON.parse(a.payload) as PlayBatch;
    });

  it('keeps plays made offline and sends them in full batches once online, none lost, in order', async () => {
    const records = Array.from({ length: 250 }, (_, n) => play(n));
    for (const r of records) log.record(r);
    assert.equal(log.waiting(), 250, 'kept on disk while offline');
    assert.equal(outbox.size(), 0, 'nothing queued as one message per play');
    transport.online = true;
    await waitFor(() => transport.acknowledged.length === 3, 'three messages sent');
    assert.deepEqual(
      batches().map((b) => b.plays.length),
      [PLAYS_PER_BATCH, PLAYS_PER_BATCH, 50],
    );
    assert.deepEqual(
      batches().flatMap((b) => b.plays.map((p) => p.playId)),
      records.map((r) => r.playId),
    );
    assert.equal(log.waiting(), 0);
  });

  it('online, gathers the plays of a short while into one message', async () => {
    transport.online = true;
    log.record(play(1));
    clock.advance(200);
    log.record(play(2));
    assert.equal(transport.attempts.length, 0, 'not before the batch delay');
    clock.advance(300);
    await waitFor(() => transport.acknowledged.length === 1, 'one message');
    assert.equal(batches()[0]?.plays.length, 2);
  });

  it('refuses a record that breaks the schema (PAYLOAD_SCHEMA) and keeps nothing of it', () => {
    assert.throws(
      () => log.record({ ...play(1), outcome: 'half' as PlayRecord['outcome'] }),
      (err: unknown) => isFleetError(err, 'PAYLOAD_SCHEMA'),
    );
    assert.equal(log.waiting(), 0);
    log.record(play(2));
    assert.equal(log.waiting(), 1, 'positive control: a valid record is kept');
  });
});
