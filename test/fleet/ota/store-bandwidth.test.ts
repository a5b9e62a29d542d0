import assert from 'node:assert/strict';
import { PassThrough, type Readable } from 'node:stream';
import { type DownloadCap, StoreBandwidth } from '../../../fleet/ota/rollouts/store-bandwidth.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

/** Counts what comes out of a throttle as it comes. */
function download(throttle: NodeJS.ReadWriteStream, bytes: number): { received: () => number; done: Promise<void> } {
  let received = 0;
  const source = new PassThrough();
  const out = source.pipe(throttle as unknown as PassThrough) as Readable;
  out.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', () => resolve());
    out.on('error', reject);
  });
  // As a file stream does: 64 KiB reads.
  for (let sent = 0; sent < bytes; sent += 65_536) source.write(Buffer.alloc(Math.min(65_536, bytes - sent), 7));
  source.end();
  return { received: () => received, done };
}

describe('store download bandwidth', () => {
  const caps = new Map<string, DownloadCap>();
  let clock: FakeClock;
  let bandwidth: StoreBandwidth;
  beforeEach(() => {
    clock = new FakeClock();
    caps.clear();
    bandwidth = new StoreBandwidth((thing) => caps.get(thing) ?? null, clock);
  });
  afterEach(() => bandwidth.stop());

  it('no cap, no throttle', () => {
    assert.equal(bandwidth.throttle('cart-1'), null);
  });

  it('one store’s concurrent downloads share its rate evenly; another store has its own', async () => {
    // 800 kbit/s = 100,000 B/s, a 25,000 B burst.
    caps.set('a1', { storeId: 'a', kbps: 800 });
    caps.set('a2', { storeId: 'a', kbps: 800 });
    caps.set('b1', { storeId: 'b', kbps: 800 });
    const a1 = download(bandwidth.throttle('a1')!, 300_000);
    const a2 = download(bandwidth.throttle('a2')!, 300_000);
    const b1 = download(bandwidth.throttle('b1')!, 300_000);
    for (let second = 1; second <= 3; second++) {
      await clock.advanceAsync(1_000);
      const storeA = a1.received() + a2.received();
      assert.ok(storeA <= 25_000 + 100_000 * second, `store a after ${second} s: ${storeA}`);
      assert.ok(storeA >= 100_000 * second - 25_000, `store a after ${second} s: ${storeA}`);
      assert.ok(Math.abs(a1.received() - a2.received()) <= 25_000, `even: ${a1.received()} / ${a2.received()}`);
      const storeB = b1.received();
      assert.ok(storeB >= 100_000 * second - 25_000 && storeB <= 25_000 + 100_000 * second, `store b: ${storeB}`);
    }
    await clock.advanceAsync(4_000);
    await Promise.all([a1.done, a2.done, b1.done]);
    assert.equal(a1.received(), 300_000);
    assert.equal(a2.received(), 300_000);
  });

  it('a download cut short gives its place back and leaves no timer', async () => {
    caps.set('a1', { storeId: 'a', kbps: 64 });
    const throttle = bandwidth.throttle('a1')! as unknown as PassThrough;
    throttle.write(Buffer.alloc(200_000));
    await clock.advanceAsync(100);
    assert.ok(clock.pending > 0, 'waiting for tokens');
    throttle.destroy();
    await clock.advanceAsync(0);
    assert.equal(clock.pending, 0);
  });
});
