import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxOptions } from '../../../devices/core/outbox.ts';
import { silentLogger } from '../../../platform/log.ts';
import { FakeOutboxTransport } from '../../mocks/fake-outbox-transport.ts';
import { sleep, waitFor } from '../../mocks/wait-for.ts';

const OPTIONS: OutboxOptions = { maxMessages: 100, batchSize: 10, ackTimeoutMs: 200, maxAttempts: 3 };

describe('Outbox', () => {
  let dataDir: string;
  let started: Outbox[];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cartfleet-outbox-test-'));
    started = [];
  });

  afterEach(async () => {
    for (const outbox of started) await outbox.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function open(transport: FakeOutboxTransport, options: Partial<OutboxOptions> = {}): Outbox {
    const outbox = new Outbox(dataDir, transport, { ...OPTIONS, ...options }, silentLogger());
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
    await sleep(20);
    assert.equal(transport.attempts.length, 0);

    transport.online = true;
    await waitFor(() => outbox.size() === 0, 'the outbox to drain');
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
    await waitFor(() => again.size() === 0, 'the outbox to drain');
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b']);
  });

  it('sends at once while online, and stops sending when the transport goes offline', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    const outbox = open(transport);
    outbox.enqueue('t', 'now');
    await waitFor(() => outbox.size() === 0, 'the message to be sent');
    assert.deepEqual(payloads(transport.acknowledged), ['now']);

    transport.online = false;
    outbox.enqueue('t', 'later');
    await sleep(30);
    assert.equal(outbox.size(), 1);
    assert.equal(transport.attempts.length, 1);
    transport.online = true;
    await waitFor(() => outbox.size() === 0, 'the second message to be sent');
    assert.deepEqual(payloads(transport.acknowledged), ['now', 'later']);
  });

  it('sends a message enqueued by another listener of the same online event', async () => {
    const transport = new FakeOutboxTransport({ online: false });
    const outbox = open(transport);
    transport.on('online', () => outbox.enqueue('t', 'hello'));
    transport.online = true;
    await waitFor(() => outbox.size() === 0, 'the message to be sent');
    assert.deepEqual(payloads(transport.acknowledged), ['hello']);
  });

  it('keeps a message whose publish failed and retries it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.failNext(1);
    const outbox = open(transport);
    outbox.enqueue('t', 'retry-me');
    await waitFor(() => outbox.stats().failedAttempts === 1, 'the failed attempt to be counted');
    assert.equal(outbox.size(), 1, 'the failed message stays queued');
    assert.equal(transport.acknowledged.length, 0);
    await sleep(300);
    assert.equal(transport.attempts.length, 1, 'the retry waits about a second');

    await waitFor(() => outbox.size() === 0, 'the retry to deliver the message', 4000);
    assert.deepEqual(payloads(transport.attempts), ['retry-me', 'retry-me']);
    assert.deepEqual(payloads(transport.acknowledged), ['retry-me']);
    assert.equal(outbox.stats().sent, 1);
  });

  it('treats a publish that is not acknowledged within ackTimeoutMs as failed and retries it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 50 });
    outbox.enqueue('t', 'slow');
    await waitFor(() => outbox.stats().failedAttempts === 1, 'the publish to time out');
    assert.equal(outbox.size(), 1);

    transport.behaviour = 'ack';
    await waitFor(() => outbox.size() === 0, 'the retry to deliver the message', 4000);
    assert.deepEqual(payloads(transport.acknowledged), ['slow']);
    assert.equal(transport.attempts.length, 2);
  });

  it('deletes nothing before the transport acknowledges it', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'manual';
    const outbox = open(transport, { ackTimeoutMs: 10_000 });
    outbox.enqueue('t', 'a');
    await waitFor(() => transport.pendingCount === 1, 'the first publish');
    outbox.enqueue('t', 'b');
    await sleep(30);
    assert.equal(outbox.size(), 2, 'both messages stay on disk while unacknowledged');
    assert.equal(outbox.stats().sent, 0);

    transport.acknowledgePending();
    await waitFor(() => transport.pendingCount === 1, 'the second publish');
    assert.equal(outbox.size(), 1, 'only the acknowledged message is deleted');
    assert.equal(outbox.stats().sent, 1);

    transport.acknowledgePending();
    await waitFor(() => outbox.size() === 0, 'the second message to be deleted');
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
    await waitFor(() => outbox.size() === 0, 'the outbox to drain');
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
    await sleep(50);
    assert.equal(transport.attempts.length, 0, 'nothing is published while held');
    assert.equal(outbox.size(), 5, 'everything waits on disk');

    outbox.release();
    assert.equal(outbox.holding, false);
    await waitFor(() => outbox.size() === 0, 'the outbox to drain after release');
    assert.deepEqual(payloads(transport.acknowledged), ['0', '1', '2', '3', '4']);
    assert.deepEqual(payloads(transport.attempts), ['0', '1', '2', '3', '4'], 'each sent once, in order');
    outbox.enqueue('t/5', '5');
    await waitFor(() => outbox.size() === 0, 'a message after release to be sent at once');
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
    await waitFor(() => transport.pendingCount === 2, 'the first batch');
    outbox.hold();
    transport.acknowledgePending();
    await sleep(50);
    assert.deepEqual(payloads(transport.attempts), ['0', '1'], 'no second batch while held');
    assert.equal(outbox.size(), 2);

    transport.behaviour = 'ack';
    outbox.release();
    await waitFor(() => outbox.size() === 0, 'the rest to be sent');
    assert.deepEqual(payloads(transport.acknowledged), ['0', '1', '2', '3']);
  });

  it('keeps what was queued while held across a restart, and sends it in order once released', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    const first = open(transport);
    first.hold();
    first.enqueue('t', 'a');
    first.enqueue('t', 'b');
    await sleep(30);
    assert.equal(transport.attempts.length, 0);
    await first.stop();

    // A reboot in process: the device runtime holds the new outbox before starting it, as at every start.
    const again = new Outbox(dataDir, transport, OPTIONS, silentLogger());
    again.hold();
    again.start();
    started.push(again);
    again.enqueue('t', 'c');
    await sleep(30);
    assert.equal(transport.attempts.length, 0, 'still nothing sent while held');
    assert.equal(again.size(), 3);

    again.release();
    await waitFor(() => again.size() === 0, 'the outbox to drain after release');
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b', 'c']);
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
    await waitFor(() => outbox.size() === 0, 'the refused message to be given up and b delivered', 6000);
    assert.deepEqual(givenUp, [{ topic: 'dt/cartfleet/other/telemetry', attempts: 3 }]);
    // a went with the first batch; the refused one then alone, three times; b, which only shared a batch with it, after.
    assert.deepEqual(payloads(transport.attempts), ['a', 'refused', 'b', 'refused', 'refused', 'b']);
    assert.deepEqual(payloads(transport.acknowledged), ['a', 'b']);
    assert.equal(outbox.stats().undeliverable, 1);
    assert.equal(outbox.stats().sent, 2);
  });

  it('never gives up a message whose sends only timed out (a slow broker, the connection up)', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'hang';
    const outbox = open(transport, { ackTimeoutMs: 50, maxAttempts: 2 });
    outbox.enqueue('t', 'slow');
    await waitFor(() => transport.attempts.length === 3, 'three sends', 4000);
    assert.equal(outbox.size(), 1, 'still queued after more timeouts than maxAttempts');
    assert.equal(outbox.stats().undeliverable, 0);
    transport.behaviour = 'ack';
    await waitFor(() => outbox.size() === 0, 'the message to be delivered', 4000);
  });

  it('counts an acknowledgement that arrives after its send timed out: delivered, not sent again', async () => {
    const transport = new FakeOutboxTransport({ online: true });
    transport.behaviour = 'manual';
    const outbox = open(transport, { ackTimeoutMs: 50 });
    outbox.enqueue('t', 'late');
    await waitFor(() => outbox.stats().failedAttempts === 1, 'the send to time out');
    transport.acknowledgePending();
    await waitFor(() => outbox.size() === 0, 'the late acknowledgement to delete it');
    assert.equal(outbox.stats().sent, 1);
    transport.behaviour = 'ack';
    outbox.enqueue('t', 'next');
    await waitFor(() => outbox.size() === 0, 'the next message', 4000);
    assert.deepEqual(payloads(transport.attempts), ['late', 'next'], 'the late one was not sent again');
  });

  it('refuses to be used before start()', () => {
    const outbox = new Outbox(dataDir, new FakeOutboxTransport(), OPTIONS, silentLogger());
    assert.throws(() => outbox.enqueue('t', 'x'), /before start/);
    assert.equal(outbox.stats().queued, 0);
  });
});
