import { createCanvas, type Image, loadImage } from '@napi-rs/canvas';
import { MAX_PHOTO_SIDE_PX, MIN_PHOTO_SIDE_PX } from '../../protocol/api/vision.ts';
import { FleetError } from '../../protocol/errors.ts';
import { GALLERY_MAX_THUMBNAIL_BYTES } from '../../protocol/vision/gallery.ts';
import { thumbnailMediaType } from '../../vision/gallery/gallery-file.ts';

/** A photo decoded and checked: its media type by signature, its size in pixels, and the image to draw from. */
export interface DecodedPhoto {
  mediaType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  image: Image;
}

/** Side of the thumbnails the gallery carries for the cart's pick list (a ~120 px cell shows it). */
export const THUMBNAIL_PX = 96;

function invalid(message: string): FleetError {
  return new FleetError('VISION_IMAGE_INVALID', message);
}

/**
 * A photo's bytes decoded with Skia (`@napi-rs/canvas`): a JPEG or PNG by its signature (anything else, a file that
 * does not decode, or one smaller than {@link MIN_PHOTO_SIDE_PX} or larger than {@link MAX_PHOTO_SIDE_PX} on a side is
 * VISION_IMAGE_INVALID). The byte limit is the caller's, checked before the bytes are read in full.
 */
export async function decodePhoto(bytes: Buffer): Promise<DecodedPhoto> {
  const mediaType = thumbnailMediaType(bytes);
  if (!mediaType) throw invalid('the photo is not a JPEG or PNG');
  let image: Image;
  try {
    image = await loadImage(bytes);
  } catch (err) {
    throw invalid(`the ${mediaType === 'image/jpeg' ? 'JPEG' : 'PNG'} does not decode: ${(err as Error).message}`);
  }
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw invalid('the photo decodes to no pixels');
  if (Math.min(width, height) < MIN_PHOTO_SIDE_PX)
    throw invalid(`the photo is ${width}×${height}: at least ${MIN_PHOTO_SIDE_PX} px a side`);
  if (Math.max(width, height) > MAX_PHOTO_SIDE_PX)
    throw invalid(`the photo is ${width}×${height}: at most ${MAX_PHOTO_SIDE_PX} px a side`);
  return { mediaType, width, height, image };
}

/** The largest centred square of the photo, drawn at `width`×`height` onto a canvas. */
function centreSquare(photo: DecodedPhoto, width: number, height = width) {
  const side = Math.min(photo.width, photo.height);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(photo.image, (photo.width - side) / 2, (photo.height - side) / 2, side, side, 0, 0, width, height);
  return { canvas, ctx };
}

/**
 * The photo as the embedder's input image: RGB bytes, row-major, `width`×`height`. A store manager's photo is a
 * product photo, not a basket crop: its largest centred square, resized (the product is in the middle of a photo
 * taken of it; stretching a rectangle would show the model shapes it never saw).
 */
export function embedderInput(photo: DecodedPhoto, width: number, height: number): Uint8Array {
  const { ctx } = centreSquare(photo, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
    rgb[q] = rgba[p]!;
    rgb[q + 1] = rgba[p + 1]!;
    rgb[q + 2] = rgba[p + 2]!;
  }
  return rgb;
}

/** A small JPEG of the photo's centre square for the gallery (under the format's thumbnail limit). */
export async function thumbnailOf(photo: DecodedPhoto, size = THUMBNAIL_PX): Promise<Buffer> {
  const { canvas } = centreSquare(photo, size);
  for (const quality of [80, 60, 40]) {
    const jpeg = await canvas.encode('jpeg', quality);
    if (jpeg.length <= GALLERY_MAX_THUMBNAIL_BYTES) return jpeg;
  }
  throw invalid(`a ${size} px thumbnail does not fit in ${GALLERY_MAX_THUMBNAIL_BYTES} bytes`);
}
