import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ContentCache } from '../../../devices/speaker/content/content-cache.ts';
import { silentLogger } from '../../../platform/log.ts';
import { deviceContentPaths } from '../../../protocol/broadcast/device-content.ts';
import type { BroadcastManifest, ManifestAsset } from '../../../protocol/broadcast/manifest.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { FakeDeviceContentClient, FakeReachability } from '../../mocks/fake-device-content-client.ts';
import { waitFor } from '../../mocks/wait-for.ts';

function asset(bytes: Buffer): ManifestAsset {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { sha256, bytes: bytes.length, durationMs: 1000, title: 't', kind: 'speech' };
}

function manifest(version: number, assets: ManifestAsset[]): BroadcastManifest {
  return {
    version,
    thingName: 'spk-1',
    storeId: 'store-1',
    timeZone: 'UTC',
    compiledAt: 0,
    from: 0,
    to: 8 * 86_400_000,
    assets,
    music: [],
    items: [],
    volume: [],
    promo: null,
    minGapMs: 0,
  };
}

describe('ContentCache (speaker)', () => {
  let dir: ReturnType<typeof tempDir>;
  let client: FakeDeviceContentClient;
  let network: FakeReachability;
  let clock: FakeClock;
  let cache: ContentCache | undefined;

  const open = (budgetBytes: number) => {
    cache = new ContentCache({ dir: join(dir.path, 'content'), budgetBytes }, client, network, silentLogger(), clock);
    cache.start();
    return cache;
  };
  const serve = (a: ManifestAsset, bytes: Buffer) => client.put(deviceContentPaths.content(a.sha256), bytes);
  const make = (size: number) => {
    const bytes = randomBytes(size);
    const a = asset(bytes);
    serve(a, bytes);
    return a;
  };
  const settled = (c: ContentCache, what: string) =>
    waitFor(() => client.inFlight === 0 && c.report() !== undefined, what);

  beforeEach(() => {
    dir = tempDir();
    client = new FakeDeviceContentClient();
    network = new FakeReachability();
    clock = new FakeClock();
  });

  afterEach(() => {
    cache?.stop();
    cache = undefined;
    dir.cleanup();
  });

  it('downloads every pinned asset, at most two at once, and reports the cache', async () => {
    const c = open(10_000_000);
    const assets = [make(1000), make(2000), make(3000), make(4000)];
    let release = () => {};
    client.hold = new Promise((resolve) => {
      release = resolve;
    });
    c.pin(manifest(1, assets));
    await waitFor(() => client.inFlight === 2, 'two downloads running');
    assert.equal(client.requests.length, 2, 'the other two wait');
    release();
    await waitFor(() => c.report().missing === 0, 'all four cached');
    assert.equal(client.maxInFlight, 2);
    assert.deepEqual(c.report(), { budgetBytes: 10_000_000, usedBytes: 10_000, assets: 4, missing: 0 });
    for (const a of assets) assert.ok(c.pathOf(a.sha256));
  });

  it('evicts unpinned assets least recently used first, never a pinned one', async () => {
    const c = open(10_000);
    const [x, y] = [make(4000), make(4000)];
    c.pin(manifest(1, [x, y]));
    await waitFor(() => c.report().missing === 0, 'x and y cached');
    clock.advance(60_000);
    c.pathOf(x.sha256); // x used more recently than y
    const z = make(4000);
    c.pin(manifest(2, [z]));
    await waitFor(() => c.report().missing === 0, 'z cached');
    assert.ok(c.has(x.sha256), 'x, used last, is kept');
    assert.equal(c.has(y.sha256), false, 'y, least recently used, was evicted');
    assert.equal(c.stats().evicted, 1);

    // Pins alone over the budget: nothing pinned is evicted, what does not fit stays missing.
    const big = make(7000);
    c.pin(manifest(3, [z, big]));
    await settled(c, 'downloads settled');
    assert.equal(c.budgetError?.code, 'CACHE_BUDGET_EXCEEDED');
    assert.ok(c.has(z.sha256), 'the pinned z stays');
    assert.equal(c.has(big.sha256), false);
    assert.equal(c.report().missing, 1);
    assert.ok(c.report().usedBytes <= 10_000, `within budget: ${c.report().usedBytes}`);
    // Positive control: with room for both, the error goes and both are cached.
    c.pin(manifest(4, [big]));
    await waitFor(() => c.report().missing === 0, 'big cached once z is unpinned');
    assert.equal(c.budgetError, undefined);
  });

  it('deletes a part whose sha256 does not match and retries it after a back-off', async () => {
    const c = open(1_000_000);
    const a = make(5000);
    client.corrupt.add(deviceContentPaths.content(a.sha256));
    c.pin(manifest(1, [a]));
    await waitFor(() => c.stats().hashMismatches === 1, 'mismatch seen');
    assert.equal(c.has(a.sha256), false);
    const parts = readdirSync(join(dir.path, 'content')).filter((n) => n.endsWith('.part'));
    assert.deepEqual(parts, [], 'the bad part is deleted');
    assert.equal(client.requests.length, 1);
    client.corrupt.clear();
    clock.advance(1_999);
    assert.equal(client.requests.length, 1, 'no retry before the back-off');
    clock.advance(1);
    await waitFor(() => c.has(a.sha256), 'cached on the retry');
    assert.equal(client.requests.length, 2);
  });

  it('resumes a cut download from the bytes it already has', async () => {
    const c = open(1_000_000);
    const a = make(10_000);
    client.cutAfter.set(deviceContentPaths.content(a.sha256), 3_000);
    c.pin(manifest(1, [a]));
    await waitFor(() => client.requests.length === 1 && client.inFlight === 0, 'first attempt cut');
    assert.equal(statSync(join(dir.path, 'content', `${a.sha256}.part`)).size, 3_000);
    clock.advance(2_000);
    await waitFor(() => c.has(a.sha256), 'resumed and cached');
    assert.deepEqual(client.requests[1], { path: deviceContentPaths.content(a.sha256), offset: 3_000 });
    assert.deepEqual(c.resumes, [{ sha256: a.sha256, offset: 3_000, received: 7_000 }]);
  });

  it('tries nothing while the fleet is unreachable, and downloads once it is back', async () => {
    network.online = false;
    const c = open(1_000_000);
    const a = make(1000);
    c.pin(manifest(1, [a]));
    clock.advance(60_000);
    assert.equal(client.requests.length, 0);
    assert.equal(c.report().missing, 1);
    network.goOnline();
    await waitFor(() => c.has(a.sha256), 'cached after reconnect');
    assert.ok(existsSync(c.pathOf(a.sha256)!));
  });
});
