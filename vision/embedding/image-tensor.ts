import type { ImagePreprocessing } from '../../protocol/ota/model.ts';

/**
 * An RGB image (bytes, row-major, 3 per pixel, already `width`×`height` of the model's input) as the model's input
 * tensor, by the manifest's preprocessing: value × scale, minus mean, over std, per channel, in `channelOrder`, laid
 * out NCHW or NHWC. The one implementation of it: the cart's camera path, the fleet's enrolment and the evaluation
 * all call this, and the training script does the same arithmetic (models/product-embedder/train.py, `preprocess`).
 * Writes into `out` at item `index` (a batch), so a batch tensor is filled without copies.
 */
export function imageToTensor(
  rgb: Uint8Array,
  pre: ImagePreprocessing,
  out: Float32Array = new Float32Array(rgb.length),
  index = 0,
): Float32Array {
  const pixels = pre.width * pre.height;
  if (rgb.length !== pixels * 3) {
    throw new RangeError(`an image of ${rgb.length} bytes is not ${pre.width}×${pre.height} RGB`);
  }
  const base = index * pixels * 3;
  if (out.length < base + pixels * 3) throw new RangeError('the output tensor is too small for that batch index');
  const order = pre.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const source = order[c]!;
    // Float32 arithmetic in the same order as the training script: (v / 255 - mean) / std (scale = 1/255).
    const scale = Math.fround(pre.scale);
    const mean = Math.fround(pre.mean[c]!);
    const std = Math.fround(pre.std[c]!);
    if (pre.layout === 'NCHW') {
      const plane = base + c * pixels;
      for (let p = 0; p < pixels; p++) out[plane + p] = (Math.fround(rgb[p * 3 + source]! * scale) - mean) / std;
    } else {
      for (let p = 0; p < pixels; p++) out[base + p * 3 + c] = (Math.fround(rgb[p * 3 + source]! * scale) - mean) / std;
    }
  }
  return out;
}
