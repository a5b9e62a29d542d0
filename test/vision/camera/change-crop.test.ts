import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import { demoCatalog } from '../../../sim/demo-catalog.ts';
import type { CameraFrame } from '../../../vision/camera/camera.ts';
import {
  centreCrop,
  centreSquare,
  changedRegion,
  type PixelBox,
  resample,
  squareAround,
  squareCrop,
} from '../../../vision/camera/change-crop.ts';
import { VirtualCamera } from '../../../vision/camera/virtual-camera.ts';
import { appearanceFor } from '../../../vision/synthetic/appearance.ts';

const products = demoCatalog().products;
const look = (i: number) => appearanceFor(products[i % products.length]!, 7);

function iou(a: PixelBox, b: PixelBox): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/** A flat grey frame with rectangles painted in. */
function frame(width: number, height: number, boxes: [PixelBox, [number, number, number]][] = []): CameraFrame {
  const rgb = new Uint8Array(width * height * 3).fill(90);
  for (const [box, colour] of boxes) {
    for (let y = box.y; y < box.y + box.height; y++)
      for (let x = box.x; x < box.x + box.width; x++) rgb.set(colour, (y * width + x) * 3);
  }
  return { width, height, rgb, at: 0 };
}

function refusedAsBadRequest(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => isFleetError(err, 'BAD_REQUEST'));
}

describe('changedRegion', () => {
  it('finds a drop on virtual scenes: IoU ≥ 0.5 with the item on 17 of 20 fixed seeds', async () => {
    const ious: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const camera = new VirtualCamera({ seed });
      await camera.start();
      let t = 1_000_000;
      // 0–3 items already in the basket; the capture after the drop may show the hand and the motion blur.
      for (let k = 0; k < seed % 4; k++) {
        camera.place(look(seed * 13 + k * 7), t);
        t += 2000;
      }
      const before = await camera.capture(t);
      t += 5000;
      const placed = camera.place(look(seed * 31), t);
      const after = await camera.capture(t + 800);
      const region = changedRegion(before, after);
      ious.push(region ? iou(region, placed.box) : 0);
      await camera.stop();
    }
    const good = ious.filter((v) => v >= 0.5).length;
    assert.ok(good >= 17, `IoU ≥ 0.5 on ${good} of 20: ${ious.map((v) => v.toFixed(2)).join(' ')}`);
  });

  it('nothing but sensor noise between two captures, or a frame-wide exposure shift: null', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const camera = new VirtualCamera({ seed });
      await camera.start();
      camera.place(look(seed), 0);
      camera.place(look(seed + 50), 10);
      const a = await camera.capture(60_000);
      const b = await camera.capture(120_000);
      assert.equal(changedRegion(a, b), null, `seed ${seed}`);
      const brighter = { ...b, rgb: b.rgb.map((v) => Math.min(255, v + 25)) };
      assert.equal(changedRegion(a, brighter), null, `seed ${seed}, brighter`);
      await camera.stop();
    }
  });

  it('the largest changed region, to within a cell, and lone specks ignored', () => {
    const before = frame(320, 240);
    const after = frame(320, 240, [
      [{ x: 50, y: 61, width: 81, height: 40 }, [200, 40, 40]],
      [{ x: 200, y: 150, width: 30, height: 20 }, [40, 200, 40]],
      [{ x: 300, y: 10, width: 2, height: 2 }, [255, 255, 255]],
    ]);
    const region = changedRegion(before, after);
    assert.ok(region);
    assert.ok(Math.abs(region.x - 50) <= 4 && Math.abs(region.y - 61) <= 4, JSON.stringify(region));
    assert.ok(Math.abs(region.width - 81) <= 8 && Math.abs(region.height - 40) <= 8, JSON.stringify(region));
    // A change in hue alone counts.
    const hue = changedRegion(
      frame(320, 240, [[{ x: 0, y: 0, width: 320, height: 240 }, [90, 90, 90]]]),
      frame(320, 240, [[{ x: 100, y: 100, width: 40, height: 40 }, [90, 150, 90]]]),
    );
    assert.ok(hue && iou(hue, { x: 100, y: 100, width: 40, height: 40 }) > 0.7);
    // Below minArea: nothing.
    assert.equal(changedRegion(before, frame(320, 240, [[{ x: 10, y: 10, width: 12, height: 12 }, [0, 0, 0]]])), null);
    refusedAsBadRequest(() => changedRegion(before, frame(160, 120)));
  });
});

describe('squareCrop and centreCrop', () => {
  const f = { width: 320, height: 240 };

  it('squareAround: centred on the box with the margin, moved inside the frame, never larger than it', () => {
    assert.deepEqual(squareAround(f, { x: 140, y: 100, width: 40, height: 20 }, 0.25), {
      x: 130,
      y: 80,
      width: 60,
      height: 60,
    });
    assert.deepEqual(squareAround(f, { x: 0, y: 220, width: 30, height: 20 }, 0), {
      x: 0,
      y: 210,
      width: 30,
      height: 30,
    });
    assert.deepEqual(squareAround(f, { x: 300, y: 0, width: 20, height: 40 }, 0), {
      x: 280,
      y: 0,
      width: 40,
      height: 40,
    });
    assert.deepEqual(squareAround(f, { x: 10, y: 0, width: 300, height: 240 }), {
      x: 40,
      y: 0,
      width: 240,
      height: 240,
    });
  });

  it('centreSquare: the middle of the frame', () => {
    assert.deepEqual(centreSquare(f), { x: 40, y: 0, width: 240, height: 240 });
    assert.deepEqual(centreSquare(f, 0.5), { x: 100, y: 60, width: 120, height: 120 });
  });

  it('resample at 1:1 is a copy of the square; shrinking keeps what is where', () => {
    const rgb = Uint8Array.from({ length: 320 * 240 * 3 }, (_, i) => (i * 7919) % 251);
    const source: CameraFrame = { width: 320, height: 240, rgb, at: 0 };
    const copy = resample(source, { x: 10, y: 20, width: 32, height: 32 }, 32);
    for (let y = 0; y < 32; y++) {
      const row = rgb.subarray(((20 + y) * 320 + 10) * 3, ((20 + y) * 320 + 42) * 3);
      assert.deepEqual(copy.subarray(y * 32 * 3, (y + 1) * 32 * 3), row);
    }
    // Red left of x = 160, blue right of it: a crop centred on the edge is red on the left, blue on the right.
    const halves = frame(320, 240, [
      [{ x: 0, y: 0, width: 160, height: 240 }, [255, 0, 0]],
      [{ x: 160, y: 0, width: 160, height: 240 }, [0, 0, 255]],
    ]);
    const crop = squareCrop(halves, { x: 110, y: 70, width: 100, height: 100 }, 96, 0.1);
    assert.equal(crop.length, 96 * 96 * 3);
    const at = (x: number, y: number) => Array.from(crop.subarray((y * 96 + x) * 3, (y * 96 + x) * 3 + 3));
    assert.deepEqual(at(10, 48), [255, 0, 0]);
    assert.deepEqual(at(85, 48), [0, 0, 255]);
    const middle = at(47, 48);
    assert.ok(middle[0]! > 100 && middle[2]! > 20, `blended at the edge: ${middle}`);
    // The centre crop of the whole frame: the left edge of the 240 square is red, the right blue.
    const centre = centreCrop(halves, 48);
    assert.deepEqual(Array.from(centre.subarray(0, 3)), [255, 0, 0]);
    assert.deepEqual(Array.from(centre.subarray(47 * 3, 48 * 3)), [0, 0, 255]);
    refusedAsBadRequest(() => resample(halves, { x: 0, y: 0, width: 10, height: 10 }, 0));
  });
});
