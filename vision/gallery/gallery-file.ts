import { endianness } from 'node:os';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { FleetError } from '../../protocol/errors.ts';
import {
  GALLERY_MAGIC,
  GALLERY_MAX_FILE_BYTES,
  GALLERY_MAX_HEADER_BYTES,
  GALLERY_MAX_THUMBNAIL_BYTES,
  type GalleryHeader,
  GalleryHeaderSchema,
  type GalleryProblem,
  type GalleryProduct,
  galleryHeaderProblems,
  type ThumbnailRange,
} from '../../protocol/vision/gallery.ts';
import { matrixProblem } from './embedding-rows.ts';

/** A header as a producer writes it: the thumbnails' places are the encoder's to decide. */
export type GalleryHeaderDraft = Omit<GalleryHeader, 'products'> & {
  products: Omit<GalleryProduct, 'thumbnail'>[];
};

/** A gallery read and checked: the header, its rows in place, its thumbnails. */
export interface DecodedGallery {
  header: GalleryHeader;
  rows: number;
  dimension: number;
  /** `rows × dimension` float32, row i = `header.products[i]`'s prototype; a view of the file's bytes when aligned. */
  matrix: Float32Array;
  /** Row i's thumbnail (a view of the file's bytes), or null. */
  thumbnail(row: number): Buffer | null;
  byteLength: number;
}

const PREAMBLE_BYTES = GALLERY_MAGIC.length + 4;
const MAGIC = Buffer.from(GALLERY_MAGIC, 'latin1');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const LITTLE_ENDIAN = endianness() === 'LE';
const headerSchema = new SchemaValidator<GalleryHeader>(GalleryHeaderSchema);

function invalid(problem: GalleryProblem, message: string): FleetError {
  return new FleetError('GALLERY_INVALID', `gallery refused: ${message}`, { problem });
}

/** The media type of a thumbnail's bytes (PNG or JPEG by their signature), or null. */
export function thumbnailMediaType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | null {
  const starts = (signature: Buffer) => bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
  if (starts(PNG)) return 'image/png';
  if (starts(JPEG)) return 'image/jpeg';
  return null;
}

/**
 * The gallery's file (layout in `protocol/vision/gallery.ts`). The same header, matrix and thumbnails always give the
 * same bytes: the header's JSON is written in one fixed member order (not RFC 8785's canonical form, which is
 * `ota/release/`'s and out of `vision/`'s reach; what is signed is the artifact's sha256, which only needs the bytes
 * to be reproducible). Refuses (GALLERY_INVALID) what `decodeGallery` would refuse.
 */
export function encodeGallery(
  draft: GalleryHeaderDraft,
  matrix: Float32Array,
  thumbnails: readonly (Uint8Array | null)[],
): Buffer {
  if (thumbnails.length !== draft.products.length)
    throw invalid('thumbnail', `${thumbnails.length} thumbnails for ${draft.products.length} products`);
  let thumbnailBytes = 0;
  const ranges: (ThumbnailRange | null)[] = thumbnails.map((bytes, row) => {
    if (!bytes) return null;
    thumbnailProblem(bytes, row);
    const range = { offset: thumbnailBytes, length: bytes.length };
    thumbnailBytes += bytes.length;
    return range;
  });
  const header = headerInOrder(draft, ranges);
  const headerProblem = checkHeader(header);
  if (headerProblem) throw invalid('header', headerProblem);
  const dimension = header.model.embeddingSize;
  const rowsProblem = matrixProblem(matrix, header.products.length, dimension);
  if (rowsProblem) throw invalid('row', rowsProblem);

  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > GALLERY_MAX_HEADER_BYTES)
    throw invalid('oversize', `the header is ${json.length} bytes, the limit is ${GALLERY_MAX_HEADER_BYTES}`);
  const matrixOffset = PREAMBLE_BYTES + json.length + padding(json.length);
  const size = matrixOffset + matrix.length * 4 + thumbnailBytes;
  if (size > GALLERY_MAX_FILE_BYTES)
    throw invalid('oversize', `the gallery would be ${size} bytes, the limit is ${GALLERY_MAX_FILE_BYTES}`);

  const out = Buffer.alloc(size);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, GALLERY_MAGIC.length);
  json.copy(out, PREAMBLE_BYTES);
  if (LITTLE_ENDIAN) Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength).copy(out, matrixOffset);
  else for (let i = 0; i < matrix.length; i++) out.writeFloatLE(matrix[i] as number, matrixOffset + i * 4);
  let at = matrixOffset + matrix.length * 4;
  for (const bytes of thumbnails) {
    if (!bytes) continue;
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** Reads a gallery file and checks all of it (GALLERY_INVALID with `details.problem`, see GALLERY_PROBLEMS). */
export function decodeGallery(file: Buffer): DecodedGallery {
  if (file.length > GALLERY_MAX_FILE_BYTES)
    throw invalid('oversize', `${file.length} bytes, the limit is ${GALLERY_MAX_FILE_BYTES}`);
  const magic = file.subarray(0, GALLERY_MAGIC.length);
  if (!magic.equals(MAGIC.subarray(0, magic.length)))
    throw invalid('magic', `it does not start with ${GALLERY_MAGIC} (not a gallery, or another format version)`);
  if (file.length < PREAMBLE_BYTES) throw invalid('truncated-header', `${file.length} bytes end before the header`);
  const headerLength = file.readUInt32LE(GALLERY_MAGIC.length);
  if (headerLength > GALLERY_MAX_HEADER_BYTES)
    throw invalid('oversize', `a header of ${headerLength} bytes, the limit is ${GALLERY_MAX_HEADER_BYTES}`);
  const headerEnd = PREAMBLE_BYTES + headerLength;
  if (file.length < headerEnd)
    throw invalid(
      'truncated-header',
      `the header is ${headerLength} bytes, the file ends ${headerEnd - file.length} before`,
    );
  const header = parseHeader(file.subarray(PREAMBLE_BYTES, headerEnd));

  const matrixOffset = headerEnd + padding(headerLength);
  const rows = header.products.length;
  const dimension = header.model.embeddingSize;
  const matrixEnd = matrixOffset + rows * dimension * 4;
  if (file.length < matrixEnd)
    throw invalid(
      'truncated-matrix',
      `${rows} rows of ${dimension} float32 need ${matrixEnd} bytes, the file has ${file.length}`,
    );
  if (file.subarray(headerEnd, matrixOffset).some((b) => b !== 0))
    throw invalid('padding', 'the padding after the header is not zeros');
  const thumbnailBytes = header.products.reduce(
    (end, p) => (p.thumbnail ? Math.max(end, p.thumbnail.offset + p.thumbnail.length) : end),
    0,
  );
  if (file.length !== matrixEnd + thumbnailBytes)
    throw invalid(
      'size',
      `the file is ${file.length} bytes, its header says ${matrixEnd + thumbnailBytes} (${rows} rows × ${dimension} float32 after a ${headerLength}-byte header, then ${thumbnailBytes} bytes of thumbnails)`,
    );
  const thumbnails = file.subarray(matrixEnd);
  header.products.forEach((p, row) => {
    if (p.thumbnail)
      thumbnailProblem(thumbnails.subarray(p.thumbnail.offset, p.thumbnail.offset + p.thumbnail.length), row);
  });

  const matrix = floatView(file, matrixOffset, rows * dimension);
  const rowsProblem = matrixProblem(matrix, rows, dimension);
  if (rowsProblem) throw invalid('row', rowsProblem);
  return {
    header,
    rows,
    dimension,
    matrix,
    byteLength: file.length,
    thumbnail(row: number): Buffer | null {
      const range = header.products[row]?.thumbnail;
      return range ? thumbnails.subarray(range.offset, range.offset + range.length) : null;
    },
  };
}

function parseHeader(bytes: Buffer): GalleryHeader {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch (err) {
    throw invalid('header', `the header is not UTF-8 JSON (${(err as Error).message})`);
  }
  const problem = checkHeader(value);
  if (problem) throw invalid('header', problem);
  return value as GalleryHeader;
}

/** The first thing wrong with a header: its schema, then the rules the schema cannot say. */
function checkHeader(value: unknown): string | null {
  const checked = headerSchema.check(value);
  if (!checked.ok) return `header ${checked.reason}`;
  return galleryHeaderProblems(checked.value)[0] ?? null;
}

function thumbnailProblem(bytes: Uint8Array, row: number): void {
  if (bytes.length > GALLERY_MAX_THUMBNAIL_BYTES)
    throw invalid(
      'oversize',
      `row ${row}'s thumbnail is ${bytes.length} bytes, the limit is ${GALLERY_MAX_THUMBNAIL_BYTES}`,
    );
  if (bytes.length === 0 || !thumbnailMediaType(bytes))
    throw invalid('thumbnail', `row ${row}'s thumbnail is not a PNG or JPEG`);
}

/** The header with its members in one fixed order (the schema's), so equal headers are equal bytes. */
function headerInOrder(draft: GalleryHeaderDraft, thumbnails: (ThumbnailRange | null)[]): GalleryHeader {
  return {
    schema: draft.schema,
    storeId: draft.storeId,
    version: draft.version,
    createdAt: draft.createdAt,
    model: { name: draft.model.name, version: draft.model.version, embeddingSize: draft.model.embeddingSize },
    products: draft.products.map((p, row) => ({
      sku: p.sku,
      ...(p.label ? { label: { zh: p.label.zh, en: p.label.en } } : {}),
      plu: p.plu,
      photos: p.photos,
      thumbnail: thumbnails[row] ?? null,
      ...(p.zones ? { zones: [...p.zones] } : {}),
    })),
    metric: draft.metric,
  };
}

function padding(headerLength: number): number {
  return (4 - (headerLength % 4)) % 4;
}

/** The float32 LE values at `offset`: a view when the host is little-endian and the bytes are aligned, else a copy. */
function floatView(file: Buffer, offset: number, length: number): Float32Array {
  const at = file.byteOffset + offset;
  if (LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(file.buffer, at, length);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = file.readFloatLE(offset + i * 4);
  return out;
}
