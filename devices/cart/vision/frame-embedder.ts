import type { ModelRelease } from '../../../ota/model/swappable-model.ts';
import type { ModelMetadata } from '../../../protocol/ota/model.ts';
import type { GalleryHeader } from '../../../protocol/vision/gallery.ts';
import { MAX_RECOGNITION_CANDIDATES, type RecognitionCandidate } from '../../../protocol/vision/recognition.ts';
import type { CameraFrame } from '../../../vision/camera/camera.ts';
import { centreSquare, changedRegion, type PixelBox, squareCrop } from '../../../vision/camera/change-crop.ts';
import { imageToTensor } from '../../../vision/embedding/image-tensor.ts';
import type { GalleryMatch, RowFilter } from '../../../vision/gallery/gallery-search.ts';

/** The cart's model as recognition uses it: SwappableModel (inference in a worker thread: the screen never waits). */
export interface EmbeddingModel {
  readonly metadata: ModelMetadata | undefined;
  readonly release: ModelRelease | null;
  infer(input: Float32Array, dims: number[]): Promise<{ data: Float32Array; dims: number[] }>;
  onSwap(listener: () => void): () => void;
}

/** The cart's gallery as recognition uses it: SwappableGallery. */
export interface ProductGallery {
  readonly header: GalleryHeader | null;
  modelProblems(): string[];
  search(
    query: Float32Array,
    k: number,
    allow?: RowFilter,
  ): Promise<{ matches: GalleryMatch[]; header: GalleryHeader }>;
  thumbnailUrl(sku: string): string | null;
  onSwap(listener: () => void): () => void;
}

/**
 * The crop arithmetic recognition uses: `vision/camera/change-crop.ts`'s ({@link CAMERA_CROPS}) on a cart; a test may
 * pass its own to drive a tiny fake frame straight to a fake model.
 */
export interface FrameCrops {
  /** Where the basket changed between two frames, or null (noise only). */
  changedRegion(before: CameraFrame, after: CameraFrame): PixelBox | null;
  /** RGB `size`×`size`: a square around `box` with `margin` (a share of its side), clamped to the frame, resized. */
  squareCrop(frame: CameraFrame, box: PixelBox, size: number, margin: number): Uint8Array;
  /** The box a crop takes when there is no earlier frame to compare with (the first drop of a trip). */
  centreBox(frame: CameraFrame): PixelBox;
}

/** The camera folder's crops: the change region, the square crop around it, the frame's centre square. */
export const CAMERA_CROPS: FrameCrops = {
  changedRegion: (before, after) => changedRegion(before, after),
  squareCrop: (frame, box, size, margin) => squareCrop(frame, box, size, margin),
  centreBox: (frame) => centreSquare(frame),
};

/** Share of the changed region's side added around it: the whole item, a little basket. */
export const CROP_MARGIN = 0.15;

/** What one frame came to: the gallery's candidates and where the time went. */
export interface FrameCandidates {
  candidates: RecognitionCandidate[];
  /** The crop the model saw (RGB, the model's input size): a contributed photo is made of it. */
  crop: { rgb: Uint8Array; size: number };
  embedMs: number;
  searchMs: number;
  galleryVersion: number;
}

/**
 * One frame through the model and the gallery: the region that changed since the frame of the previous settle (the
 * whole centre without one), cropped square to the model's input size, made a tensor by the manifest's
 * preprocessing (`vision/embedding/image-tensor.ts`), embedded in the model's worker thread, and searched in the
 * gallery (top {@link MAX_RECOGNITION_CANDIDATES} among the products `allow` lets through: the ones the settled weight
 * allows, `vision/fusion/weight-gate.ts`). Throws the model's or the gallery's coded error.
 */
export async function frameCandidates(
  frame: CameraFrame,
  before: CameraFrame | null,
  crops: FrameCrops,
  model: EmbeddingModel,
  gallery: ProductGallery,
  allow?: (sku: string) => boolean,
): Promise<FrameCandidates> {
  const metadata = model.metadata;
  const pre = metadata?.preprocessing;
  if (!metadata || !pre) throw new Error('the model has no image preprocessing');
  const box = (before && crops.changedRegion(before, frame)) ?? crops.centreBox(frame);
  // Square crops only: the embedder's input is square (96×96 for issue 11's); width is the side.
  const rgb = crops.squareCrop(frame, box, pre.width, CROP_MARGIN);
  const tensor = imageToTensor(rgb, pre);
  const dims = [1, ...metadata.input.shape.slice(1).map(Number)];
  const embedStarted = performance.now();
  const output = await model.infer(tensor, dims);
  const searchStarted = performance.now();
  const header = gallery.header;
  const rows = allow && header ? (row: number) => allow(header.products[row]?.sku ?? '') : undefined;
  const answer = await gallery.search(output.data, MAX_RECOGNITION_CANDIDATES, rows);
  const done = performance.now();
  return {
    candidates: answer.matches.map((m) => ({ sku: m.sku, similarity: Math.min(1, Math.max(-1, m.similarity)) })),
    crop: { rgb, size: pre.width },
    embedMs: searchStarted - embedStarted,
    searchMs: done - searchStarted,
    galleryVersion: answer.header.version,
  };
}
