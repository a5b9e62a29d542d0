import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUTBOX_RETRY_MS, Outbox, type OutboxOptions, REFUSAL_CLOSE_WINDOW_MS } from '../../../devices/core/outbox.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeOutboxTransport } from '../../mocks/fake-outbox-transport.ts';

const OPTIONS: OutboxOptions = { maxMessages: 100, batchSize: 10, ackTimeoutMs: 200, maxAttempts: 3 };

/**
 * On a fake clock: ack timeouts and the retry wait run only when a test moves time, and `settle()` lets the promise
 * callbacks of the fake transport run, so "nothing was sent" is checked after everything that could send has run.
 */
describe('Outbox', () => {
  let dataDir: string;
  let started: Outbox[];
  let clock: FakeClock;
  const settle = () => clock.advanceAsync(0);

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cartfleet-outbox-test-'));
    started = [];
    clock = new FakeClock();
  });

  afterEach(async () => {
    for (const outbox of started) await outbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function open(transport: FakeOutboxTransport, options: Partial<OutboxOptions> = {}): Outbox {
    const outbox = new Outbox(dataDir, transport, { ...OPTIONS, ...options }, silentLogger(), clock);
    outbox.start();
    started.push(outbox);
    return outbox;
  }

  function payloads(attempts: { payload: string }[]): string[] {
    return attempts.map((a) => a.payload);
  }

  it('keeps what is queued while offline on disk, across a restart', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const first = open(transport);
    first.enqueue('dt/cartfleet/cart-1/telemetry', '1');
    first.enqueue('dt/cartfleet/cart-1/events', '2');
    first.enqueue('dt/cartfleet/cart-1/telemetry', '3');
    assert.equal(first.size(), 3);
    assert.equal(transport.attempts.length, 0, 'nothing is sent while offline');
    await first.stop();
    assert.ok(existsSync(join(dataDir, 'outbox.sqlite')));

    const again = open(new FakeOutboxTransport({ online: false }));
    assert.equal(again.size(), 3);
    assert.deepEqual(again.stats(), {
      enqueued: 0,
      sent: 0,
      dropped: 0,
      failedAttempts: 0,
      undeliverable: 0,
      queued: 3,
    });
  });

  it('drains the queue in order once the transport comes online', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const outbox = open(transport, { batchSize: 2 });
    for (let i = 0; i < 5; i++) outbox.enqueue(`t/${i}`, String(i));
    await settle();
    assert.equal(transport.attempts.length, 0);

    transport.online = true;
    await settle();
    assert.equal(outbox.size(), 0, 'drained without waiting for any timer');
    assert.deepEqual(payloads(transport.acknowledged), ['0', '1', '2', '3', '4']);
    assert.deepEqual(
      transport.acknowledged.map((a) => a.topic),
      ['t/0', 't/1', 't/2', 't/3', 't/4'],
    );
    assert.deepEqual(outbox.stats(), {
      enqueued: 5,
      sent: 5,
      dropped: 0,
      failedAttempts: 0,
      undeliverable: 0,
      queued: 0,
    });
  });

  it('sends what was queued before a restart once the new transport is online', async () => {
    const first = open(new FakeOutboxTransport({ online: false }));
    first.enqueue('t', 'a');
    first.enqueue('t', 'b');
    await first.stop();

    const transport = new FakeOutboxTransport({ online: false });
    const again = open(transport);
    transport.online = true;
    await settle();
    assert.equal(again.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b']);
  });

  it('sends at once while online, and stops sending when the transport goes offline', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    const outbox = open(transport);
    outbox.enqueue('t', 'now');
    await settle();
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['now']);

    transport.online = false;
    outbox.enqueue('t', 'later');
    await clock.advanceAsync(60_000);
    assert.equal(outbox.size(), 1);
    assert.equal(transport.attempts.length, 1);
    transport.online = true;
    await settle();
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['now', 'later']);
  });

  it('sends a message enqueued by another listener of the same online event', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const outbox = open(transport);
    transport.on('online', () => outbox.enqueue('t', 'hello'));
    transport.online = true;
    await settle();
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['hello']);
  });

  it('keeps a message whose publish failed and retries it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.failNext(1);
    const outbox = open(transport);
    outbox.enqueue('t', 'retry-me');
    await settle();
    assert.equal(outbox.stats().failedAttempts, 1);
    assert.equal(outbox.size(), 1, 'the failed message stays queued');
    assert.equal(transport.acknowledged.length, 0);
    await clock.advanceAsync(OUTBOX_RETRY_MS - 1);
    assert.equal(transport.attempts.length, 1, 'the retry waits OUTBOX_RETRY_MS');

    await clock.advanceAsync(1);
    assert.equal(outbox.size(), 0, 'the retry delivered the message');
    assert.deepEqual(payloads(transport.attempts), ['retry-me', 'retry-me']);
    assert.deepEqual(payloads(transport.acknowledged), ['retry-me']);
    assert.equal(outbox.stats().sent, 1);
  });

  it('treats a publish that is not acknowledged within ackTimeoutMs as failed and retries it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 50 });
    outbox.enqueue('t', 'slow');
    await clock.advanceAsync(49);
    assert.equal(outbox.stats().failedAttempts, 0, 'not failed before ackTimeoutMs');
    await clock.advanceAsync(1);
    assert.equal(outbox.stats().failedAttempts, 1, 'failed at ackTimeoutMs');
    assert.equal(outbox.size(), 1);

    transport.behaviour = 'ack';
    await clock.advanceAsync(OUTBOX_RETRY_MS);
    assert.equal(outbox.size(), 0, 'the retry delivered the message');
    assert.deepEqual(payloads(transport.acknowledged), ['slow']);
    assert.equal(transport.attempts.length, 2);
  });

  it('deletes nothing before the transport acknowledges it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'manual';
    const outbox = open(transport, { ackTimeoutMs: 10_000 });
    outbox.enqueue('t', 'a');
    await settle();
    assert.equal(transport.pendingCount, 1, 'the first publish');
    outbox.enqueue('t', 'b');
    await settle();
    assert.equal(outbox.size(), 2, 'both messages stay on disk while unacknowledged');
    assert.equal(outbox.stats().sent, 0);

    transport.acknowledgePending();
    await settle();
    assert.equal(transport.pendingCount, 1, 'the second publish');
    assert.equal(outbox.size(), 1, 'only the acknowledged message is deleted');
    assert.equal(outbox.stats().sent, 1);

    transport.acknowledgePending();
    await settle();
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b']);
    assert.equal(outbox.stats().sent, 2);
  });

  it('drops the oldest messages beyond maxMessages and counts them', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const outbox = open(transport, { maxMessages: 3 });
    for (let i = 0; i < 5; i++) outbox.enqueue('t', String(i));
    assert.equal(outbox.size(), 3);
    assert.deepEqual(outbox.stats(), {
      enqueued: 5,
      sent: 0,
      dropped: 2,
      failedAttempts: 0,
      undeliverable: 0,
      queued: 3,
    });

    transport.online = true;
    await settle();
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.acknowledged), ['2', '3', '4']);
  });

  it('sends nothing while held, even online, and everything in order once released', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const outbox = open(transport, { batchSize: 2 });
    outbox.hold();
    assert.equal(outbox.holding, true);
    outbox.enqueue('t/0', '0');
    transport.online = true; // a (re)connect: the outbox's own 'online' kick must not send while held
    for (let i = 1; i < 5; i++) outbox.enqueue(`t/${i}`, String(i));
    await clock.advanceAsync(60_000);
    assert.equal(transport.attempts.length, 0, 'nothing is published while held');
    assert.equal(outbox.size(), 5, 'everything waits on disk');

    outbox.release();
    assert.equal(outbox.holding, false);
    await settle();
    assert.equal(outbox.size(), 0, 'drained after release');
    assert.deepEqual(payloads(transport.acknowledged), ['0', '1', '2', '3', '4']);
    assert.deepEqual(payloads(transport.attempts), ['0', '1', '2', '3', '4'], 'each sent once, in order');
    outbox.enqueue('t/5', '5');
    await settle();
    assert.equal(outbox.size(), 0, 'a message after release is sent at once');
    assert.deepEqual(outbox.stats(), {
      enqueued: 6,
      sent: 6,
      dropped: 0,
      failedAttempts: 0,
      undeliverable: 0,
      queued: 0,
    });
  });

  it('stops between batches when held mid-drain, and resumes from the oldest unsent', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'manual';
    const outbox = open(transport, { batchSize: 2, ackTimeoutMs: 10_000 });
    for (let i = 0; i < 4; i++) outbox.enqueue('t', String(i));
    await settle();
    assert.equal(transport.pendingCount, 2, 'the first batch');
    outbox.hold();
    transport.acknowledgePending();
    await clock.advanceAsync(60_000);
    assert.deepEqual(payloads(transport.attempts), ['0', '1'], 'no second batch while held');
    assert.equal(outbox.size(), 2);

    transport.behaviour = 'ack';
    outbox.release();
    await settle();
    assert.equal(outbox.size(), 0, 'the rest was sent');
    assert.deepEqual(payloads(transport.acknowledged), ['0', '1', '2', '3']);
  });

  it('keeps what was queued while held across a restart, and sends it in order once released', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    const first = open(transport);
    first.hold();
    first.enqueue('t', 'a');
    first.enqueue('t', 'b');
    await settle();
    assert.equal(transport.attempts.length, 0);
    await first.stop();

    // A reboot in process: the device runtime holds the new outbox before starting it, as at every start.
    const again = new Outbox(dataDir, transport, OPTIONS, silentLogger(), clock);
    again.hold();
    again.start();
    started.push(again);
    again.enqueue('t', 'c');
    await settle();
    assert.equal(transport.attempts.length, 0, 'still nothing sent while held');
    assert.equal(again.size(), 3);

    again.release();
    await settle();
    assert.equal(again.size(), 0, 'drained after release');
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b', 'c']);
  });

  it('stop() waits for the publish in flight (up to ackTimeoutMs) and keeps its message for the next start', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 5000 });
    outbox.enqueue('t', 'in-flight');
    await settle();
    assert.equal(transport.attempts.length, 1);
    let stopped = false;
    const stopping = outbox.stop().then(() => {
      stopped = true;
    });
    await clock.advanceAsync(4999);
    assert.equal(stopped, false, 'stop() waits while the publish may still be acknowledged');
    await clock.advanceAsync(1);
    await stopping;
    assert.equal(clock.pending, 0, 'no retry is left armed after stop()');

    const again = open(new FakeOutboxTransport({ online: false }));
    assert.equal(again.size(), 1, 'the unacknowledged message is still on disk');
  });

  it('sends a message whose sends closed the connection alone, and gives it up after maxAttempts', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    transport.refusedTopics.add('dt/cartfleet/other/telemetry');
    const outbox = open(transport, { ackTimeoutMs: 50, maxAttempts: 3 });
    const givenUp: { topic: string; attempts: number }[] = [];
    outbox.onUndeliverable((message) => givenUp.push(message));
    outbox.enqueue('t', 'a');
    outbox.enqueue('dt/cartfleet/other/telemetry', 'refused');
    outbox.enqueue('t', 'b');
    transport.online = true;
    await settle();
    // a went with the first batch; the connection closed under the refused one and b, which shared its batch.
    assert.deepEqual(payloads(transport.attempts), ['a', 'refused', 'b']);
    await clock.advanceAsync(49);
    assert.equal(outbox.stats().failedAttempts, 0, 'not failed before ackTimeoutMs');
    await clock.advanceAsync(1);
    assert.equal(outbox.stats().failedAttempts, 2, 'the refused message and b failed at ackTimeoutMs');
    // The reconnect sends again at once; the refused message alone, until its third send closed the connection.
    assert.deepEqual(payloads(transport.attempts), ['a', 'refused', 'b', 'refused']);
    await clock.advanceAsync(50);
    assert.deepEqual(payloads(transport.attempts), ['a', 'refused', 'b', 'refused', 'refused']);
    assert.deepEqual(givenUp, [], 'two sends closed the connection: not given up yet');
    await clock.advanceAsync(50);
    assert.deepEqual(givenUp, [{ topic: 'dt/cartfleet/other/telemetry', attempts: 3 }]);
    assert.equal(outbox.size(), 0, 'b, sent after the refused message was given up');
    assert.deepEqual(payloads(transport.attempts), ['a', 'refused', 'b', 'refused', 'refused', 'b']);
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b']);
    assert.equal(outbox.stats().undeliverable, 1);
    assert.equal(outbox.stats().sent, 2);
  });

  it('blames a message only for the broker closing the connection promptly after it: a network failure or a late close never counts', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 10_000, maxAttempts: 2 });
    const givenUp: { topic: string; attempts: number }[] = [];
    outbox.onUndeliverable((message) => givenUp.push(message));
    /** Moves time until the outbox sends again (its send failed at ackTimeoutMs, then it retries). */
    const nextSend = async () => {
      const before = transport.attempts.length;
      for (let waited = 0; transport.attempts.length === before; waited += 100) {
        assert.ok(waited <= 20_000, 'the outbox sends again');
        await clock.advanceAsync(100);
      }
    };
    outbox.enqueue('t', 'unlucky');
    await settle();
    assert.equal(transport.attempts.length, 1);
    // The network fails 100 ms after each send (Wi-Fi lost at the edge of the store, a keep-alive timeout).
    for (let i = 0; i < 3; i++) {
      await clock.advanceAsync(100);
      transport.online = false;
      transport.online = true;
      await nextSend();
    }
    // The broker closes the connection long after the send (a fleet restart while the PUBACK was awaited).
    for (let i = 0; i < 3; i++) {
      await clock.advanceAsync(REFUSAL_CLOSE_WINDOW_MS + 1);
      transport.closeByPeer();
      transport.online = true;
      await nextSend();
    }
    assert.deepEqual(givenUp, [], 'six drops, none the message could have caused');
    assert.equal(outbox.size(), 1);
    // Positive control: the broker closing at once after the send, as on a refused publish, counts each time.
    await clock.advanceAsync(10);
    transport.closeByPeer();
    transport.online = true;
    await nextSend();
    await clock.advanceAsync(10);
    transport.closeByPeer();
    transport.online = true;
    await clock.advanceAsync(10_000);
    assert.deepEqual(givenUp, [{ topic: 't', attempts: 2 }]);
    assert.equal(outbox.size(), 0);
  });

  it('never gives up a message whose sends only timed out (a slow broker, the connection up)', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 50, maxAttempts: 2 });
    outbox.enqueue('t', 'slow');
    await clock.advanceAsync(50);
    for (let send = 2; send <= 3; send++) {
      await clock.advanceAsync(OUTBOX_RETRY_MS - 1);
      assert.equal(transport.attempts.length, send - 1, 'the retry waits OUTBOX_RETRY_MS');
      await clock.advanceAsync(1);
      assert.equal(transport.attempts.length, send);
      await clock.advanceAsync(50);
    }
    assert.equal(outbox.stats().failedAttempts, 3);
    assert.equal(outbox.size(), 1, 'still queued after more timeouts than maxAttempts');
    assert.equal(outbox.stats().undeliverable, 0);
    transport.behaviour = 'ack';
    await clock.advanceAsync(OUTBOX_RETRY_MS);
    assert.equal(outbox.size(), 0, 'the message was delivered');
    assert.deepEqual(payloads(transport.acknowledged), ['slow']);
  });

  it('counts an acknowledgement that arrives after its send timed out: delivered, not sent again', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'manual';
    const outbox = open(transport, { ackTimeoutMs: 50 });
    outbox.enqueue('t', 'late');
    await clock.advanceAsync(50);
    assert.equal(outbox.stats().failedAttempts, 1, 'the send timed out');
    transport.acknowledgePending();
    await settle();
    assert.equal(outbox.size(), 0, 'the late acknowledgement deleted it');
    assert.equal(outbox.stats().sent, 1);
    transport.behaviour = 'ack';
    outbox.enqueue('t', 'next');
    await clock.advanceAsync(OUTBOX_RETRY_MS);
    assert.equal(outbox.size(), 0);
    assert.deepEqual(payloads(transport.attempts), ['late', 'next'], 'the late one was not sent again');
  });

  it('refuses to be used before start()', () => {
    const outbox = new Outbox(dataDir, new FakeOutboxTransport(), OPTIONS, silentLogger(), clock);
    assert.throws(() => outbox.enqueue('t', 'x'), { message: 'Outbox used before start()' });
    assert.equal(outbox.stats().queued, 0);
  });
});
