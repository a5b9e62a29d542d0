import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import type { CameraFailureReason, CameraStatus } from '../../../protocol/vision/camera.ts';
import { demoCatalog } from '../../../sim/demo-catalog.ts';
import type { PixelBox } from '../../../vision/camera/basket-scene.ts';
import type { CameraFrame } from '../../../vision/camera/camera.ts';
import { changedRegion } from '../../../vision/camera/change-crop.ts';
import { VirtualCamera } from '../../../vision/camera/virtual-camera.ts';
import { appearanceFor } from '../../../vision/synthetic/appearance.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const DOMAIN = 7;
const products = demoCatalog().products;
const look = (i: number) => appearanceFor(products[i % products.length]!, DOMAIN);
/** Long after a drop: no hand, no motion blur, only the sensor noise differs between two captures. */
const LATER = 60_000;

/** Mean absolute difference per byte, over the whole frame or inside `box`. */
function meanDiff(a: CameraFrame, b: CameraFrame, box?: PixelBox, inside = true): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (box) {
        const within = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
        if (within !== inside) continue;
      }
      const p = (y * a.width + x) * 3;
      for (let c = 0; c < 3; c++) sum += Math.abs(a.rgb[p + c]! - b.rgb[p + c]!);
      n += 3;
    }
  }
  return sum / n;
}

async function rejectsFor(promise: Promise<unknown>, reason: CameraFailureReason): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isFleetError(err, 'CAMERA_UNAVAILABLE'), String(err));
    assert.equal((err.details as { reason: string }).reason, reason);
    return true;
  });
}

async function started(seed: number, clock?: FakeClock): Promise<VirtualCamera> {
  const camera = new VirtualCamera({ seed }, clock);
  await camera.start();
  return camera;
}

describe('VirtualCamera', () => {
  it('is deterministic for a seed: the same calls give the same frames, another seed another scene', async () => {
    const run = async (seed: number): Promise<CameraFrame[]> => {
      const camera = await started(seed);
      const frames = [await camera.capture(1000)];
      camera.place(look(3), 2000);
      frames.push(await camera.capture(2500));
      camera.place(look(40), 3000);
      frames.push(await camera.capture(3100));
      await camera.stop();
      return frames;
    };
    const a = await run(5);
    assert.deepEqual(await run(5), a);
    const other = await run(6);
    assert.ok(meanDiff(a[0]!, other[0]!) > 5, 'another seed: another trip look');
    assert.deepEqual([a[0]!.width, a[0]!.height, a[0]!.rgb.length], [320, 240, 320 * 240 * 3]);
    assert.equal(a[2]!.at, 3100);
  });

  it('a placed item changes the frame where it lies, and only there', async () => {
    const camera = await started(11);
    const empty = await camera.capture(0);
    const noise = meanDiff(empty, await camera.capture(1));
    const placed = camera.place(look(12), 1000);
    const full = await camera.capture(1000 + LATER);
    assert.ok(placed.box.width > 20 && placed.box.height > 20);
    assert.ok(meanDiff(empty, full, placed.box) > noise + 15, 'the item shows');
    // Outside its box: the sensor noise, and the item's soft shadow.
    assert.ok(meanDiff(empty, full, placed.box, false) < noise + 1);
    assert.deepEqual(
      camera.contents.map((c) => c.product.sku),
      [products[12]!.sku],
    );
  });

  it('remove() takes out the most recent item of the SKU and the basket looks as before', async () => {
    const camera = await started(12);
    const first = camera.place(look(20), 0);
    camera.place(look(30), 100);
    const before = await camera.capture(LATER);
    const noise = meanDiff(before, await camera.capture(LATER + 1));
    camera.place(look(20), LATER + 1000);
    camera.place(look(55), LATER + 2000);
    assert.equal(camera.remove(products[55]!.sku), true);
    assert.equal(camera.remove(products[20]!.sku), true);
    assert.equal(camera.remove('NO-SUCH-SKU'), false);
    assert.deepEqual(
      camera.contents.map((c) => c.product.sku),
      [products[20]!.sku, products[30]!.sku],
    );
    assert.equal(camera.contents[0], first, 'the older one of the two stays');
    const after = await camera.capture(3 * LATER);
    assert.ok(meanDiff(before, after) < noise + 0.5, `mean difference ${meanDiff(before, after)}, noise ${noise}`);
    assert.equal(changedRegion(before, after), null);
  });

  it('clear() empties the basket and begins a new trip with other light and floor', async () => {
    const camera = await started(13);
    const trip1 = await camera.capture(0);
    camera.place(look(1), 10);
    camera.clear();
    assert.equal(camera.contents.length, 0);
    const trip2 = await camera.capture(LATER);
    assert.ok(meanDiff(trip1, trip2) > 5);
  });

  it('shows the hand and the motion blur only in a capture soon after the drop', async () => {
    // The first seed whose drop has both (a fixed seed found by a fixed search: nothing random at run time).
    let camera: VirtualCamera | undefined;
    let seed = 1;
    for (; seed < 100; seed++) {
      camera = await started(seed);
      const placed = camera.place(look(seed), 1000);
      if (placed.hand && placed.motion) break;
    }
    assert.ok(camera && seed < 100);
    const box = camera.contents[0]!.box;
    const grown = { x: box.x - 40, y: box.y - 40, width: box.width + 80, height: box.height + 80 };
    const soon = await camera.capture(1100);
    const late = await camera.capture(1000 + LATER);
    const later = await camera.capture(1000 + 2 * LATER);
    const noise = meanDiff(late, later, grown);
    assert.ok(meanDiff(soon, late, grown) > noise * 2, `${meanDiff(soon, late, grown)} vs noise ${noise}`);
  });

  it('fail() and recover(): coded refusals and status changes; stopped cameras refuse too', async () => {
    const clock = new FakeClock();
    const camera = new VirtualCamera({ seed: 2 }, clock);
    await rejectsFor(camera.capture(0), 'stopped');
    const seen: CameraStatus[] = [];
    camera.onStatus((s) => seen.push(s));
    await camera.start();
    assert.deepEqual(camera.status(), { ok: true, reason: null, detail: null, since: clock.now() });
    clock.advance(5000);
    camera.fail();
    assert.deepEqual(camera.status(), {
      ok: false,
      reason: 'injected',
      detail: 'failure injected',
      since: clock.now(),
    });
    await rejectsFor(camera.capture(clock.now()), 'injected');
    camera.fail('device-missing', 'unplugged');
    await rejectsFor(camera.capture(clock.now()), 'device-missing');
    clock.advance(1000);
    camera.recover();
    assert.equal(camera.status().ok, true);
    assert.equal(camera.status().since, clock.now());
    const frame = await camera.capture(clock.now());
    assert.equal(frame.at, clock.now());
    await camera.stop();
    await rejectsFor(camera.capture(clock.now()), 'stopped');
    assert.deepEqual(
      seen.map((s) => [s.ok, s.reason]),
      [
        [true, null],
        [false, 'injected'],
        [false, 'device-missing'],
        [true, null],
        [false, 'stopped'],
      ],
    );
  });
});
