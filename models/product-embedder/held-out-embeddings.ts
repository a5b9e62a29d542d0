import * as ort from 'onnxruntime-node';
import type { ImagePreprocessing } from '../../protocol/ota/model.ts';
import { imageToTensor } from '../../vision/embedding/image-tensor.ts';
import { mixSeed, SeededRandom } from '../../vision/synthetic/seeded-random.ts';
import {
  type SyntheticProduct,
  syntheticProduct,
  syntheticProducts,
} from '../../vision/synthetic/synthetic-products.ts';
import { randomView } from '../../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../../vision/synthetic/view-renderer.ts';
import { EMBEDDER_DOMAIN, VIEW_STREAMS } from './domain.ts';

/** The held-out products' enrolment and query embeddings, row-major (product, view, dimension). */
export interface HeldOutEmbeddings {
  products: SyntheticProduct[];
  dim: number;
  enrolViews: number;
  queryViews: number;
  enrol: Float32Array;
  query: Float32Array;
  seconds: number;
}

/**
 * Renders every held-out product (brand families the training never drew): `enrolViews` photos as a store manager
 * takes them when enrolling (the training's nuisance ranges), and `queryViews` drops as the cart's camera sees them in
 * the field (the wider, shifted ranges: other basket floors, warmer light, deeper hands, longer blur), and embeds
 * them all with the model.
 */
export async function heldOutEmbeddings(
  modelPath: string,
  pre: ImagePreprocessing,
  options: { count?: number; threads?: number; from?: number } = {},
): Promise<HeldOutEmbeddings> {
  const { seed, heldOut } = EMBEDDER_DOMAIN;
  const count = options.count ?? heldOut.count;
  const started = performance.now();
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: options.threads ?? 2,
    executionMode: 'sequential',
  });
  const renderer = new ViewRenderer(pre.width);
  const from = options.from ?? heldOut.from;
  const products = Array.from({ length: count }, (_, i) => syntheticProduct(seed, from + i));
  const clutter = syntheticProducts(seed, from + 500_000, 64);
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const batch = 32;
  const itemSize = pre.width * pre.height * 3;
  let dim = 0;

  async function embedAll(
    views: { product: SyntheticProduct; stream: number; view: number; regime: 'training' | 'field' }[],
  ) {
    const chunks: Float32Array[] = [];
    for (let start = 0; start < views.length; start += batch) {
      const part = views.slice(start, start + batch);
      const input = new Float32Array(part.length * itemSize);
      part.forEach((v, i) => {
        const params = randomView(new SeededRandom(mixSeed(seed, v.stream, v.product.index, v.view)), v.regime);
        imageToTensor(renderer.render(v.product, params, clutter), pre, input, i);
      });
      const shape =
        pre.layout === 'NCHW' ? [part.length, 3, pre.height, pre.width] : [part.length, pre.height, pre.width, 3];
      const result = await session.run({ [inputName]: new ort.Tensor('float32', input, shape) });
      const out = result[outputName]!;
      dim = Number(out.dims.at(-1));
      chunks.push(new Float32Array(out.data as Float32Array));
    }
    const all = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  }

  const enrolList = products.flatMap((product) =>
    Array.from({ length: heldOut.enrolViews }, (_, view) => ({
      product,
      stream: VIEW_STREAMS.enrol,
      view,
      regime: 'training' as const,
    })),
  );
  const queryList = products.flatMap((product) =>
    Array.from({ length: heldOut.queryViews }, (_, view) => ({
      product,
      stream: VIEW_STREAMS.query,
      view,
      regime: 'field' as const,
    })),
  );
  const enrol = await embedAll(enrolList);
  const query = await embedAll(queryList);
  await session.release();
  return {
    products,
    dim,
    enrolViews: heldOut.enrolViews,
    queryViews: heldOut.queryViews,
    enrol,
    query,
    seconds: (performance.now() - started) / 1000,
  };
}
