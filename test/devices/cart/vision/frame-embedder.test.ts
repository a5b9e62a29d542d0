import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { CAMERA_CROPS } from '../../../../devices/cart/vision/frame-embedder.ts';
import type { CameraFrame } from '../../../../vision/camera/camera.ts';
import { centreSquare, changedRegion, squareCrop } from '../../../../vision/camera/change-crop.ts';

/** A grey 64×48 floor, with a red 16×12 block at (40, 8) when `item`. */
function frame(item: boolean): CameraFrame {
  const width = 64;
  const height = 48;
  const rgb = new Uint8Array(width * height * 3).fill(90);
  if (item) {
    for (let y = 8; y < 20; y++) {
      for (let x = 40; x < 56; x++) rgb.set([220, 30, 30], (y * width + x) * 3);
    }
  }
  return { width, height, rgb, at: 0 };
}

describe('the cart’s crops are the camera folder’s (one contract)', () => {
  it('finds the dropped item where vision/camera/change-crop.ts does, crops it the same, centre square without a before', () => {
    const before = frame(false);
    const after = frame(true);
    const box = CAMERA_CROPS.changedRegion(before, after);
    assert.ok(box, 'the block is a change');
    assert.deepEqual(box, changedRegion(before, after));
    assert.ok(box.x >= 36 && box.x + box.width <= 60, `the block's columns, got ${JSON.stringify(box)}`);
    assert.deepEqual(CAMERA_CROPS.squareCrop(after, box, 16, 0.15), squareCrop(after, box, 16, 0.15));
    assert.equal(CAMERA_CROPS.changedRegion(before, frame(false)), null, 'no change, no region');
    assert.deepEqual(CAMERA_CROPS.centreBox(after), centreSquare(after));
    assert.deepEqual(CAMERA_CROPS.centreBox(after), { x: 8, y: 0, width: 48, height: 48 });
  });
});
