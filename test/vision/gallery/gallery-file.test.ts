import assert from 'node:assert/strict';
import { isFleetError } from '../../../protocol/errors.ts';
import {
  GALLERY_MAX_FILE_BYTES,
  GALLERY_MAX_THUMBNAIL_BYTES,
  type GalleryProblem,
  galleryModelProblems,
} from '../../../protocol/vision/gallery.ts';
import { decodeGallery, encodeGallery, thumbnailMediaType } from '../../../vision/gallery/gallery-file.ts';
import { fakeJpeg, fakePng, galleryDraft, randomUnitRows } from '../../fixtures/vision/random-gallery.ts';

const DIM = 16;

function sample(rows = 5) {
  const draft = galleryDraft(rows, DIM);
  draft.products[1] = {
    ...(draft.products[1] as (typeof draft.products)[number]),
    label: { zh: '鲜牛奶', en: 'Fresh milk' },
  };
  draft.products[2] = { ...(draft.products[2] as (typeof draft.products)[number]), plu: '4011' };
  const matrix = randomUnitRows(rows, DIM, 7);
  const thumbnails = Array.from({ length: rows }, (_, i) => (i === 0 ? null : i % 2 ? fakePng(i) : fakeJpeg(i)));
  return { draft, matrix, thumbnails, bytes: encodeGallery(draft, matrix, thumbnails) };
}

/** Asserts that `fn` throws GALLERY_INVALID for `problem` with a message matching `reason`. */
function refuses(fn: () => unknown, problem: GalleryProblem, reason: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isFleetError(err, 'GALLERY_INVALID'), `expected GALLERY_INVALID, got ${String(err)}`);
    assert.deepEqual(err.details, { problem });
    assert.match(err.message, reason);
    return true;
  });
}

/** The matrix's byte offset in an encoded file. */
function matrixOffset(bytes: Buffer): number {
  const n = bytes.readUInt32LE(8);
  return 12 + n + ((4 - (n % 4)) % 4);
}

describe('gallery file', () => {
  it('round-trips header, rows and thumbnails, and starts with CFGAL001', () => {
    const { draft, matrix, thumbnails, bytes } = sample();
    assert.equal(bytes.subarray(0, 8).toString('latin1'), 'CFGAL001');
    assert.equal(matrixOffset(bytes) % 4, 0);
    const gallery = decodeGallery(bytes);
    assert.equal(gallery.rows, 5);
    assert.equal(gallery.dimension, DIM);
    assert.deepEqual([...gallery.matrix], [...matrix]);
    assert.equal(gallery.header.storeId, draft.storeId);
    assert.deepEqual(gallery.header.products[1]?.label, { zh: '鲜牛奶', en: 'Fresh milk' });
    assert.equal(gallery.header.products[2]?.plu, '4011');
    assert.equal(gallery.header.products[0]?.thumbnail, null);
    assert.equal(gallery.thumbnail(0), null);
    for (let i = 1; i < 5; i++) assert.deepEqual(gallery.thumbnail(i), thumbnails[i]);
    assert.equal(thumbnailMediaType(gallery.thumbnail(1) as Buffer), 'image/png');
    assert.equal(thumbnailMediaType(gallery.thumbnail(2) as Buffer), 'image/jpeg');
    assert.equal(gallery.byteLength, bytes.length);
  });

  it('keeps each product’s shelf zones (the cart’s location prior), and leaves them out where there are none', () => {
    const draft = galleryDraft(2, DIM);
    draft.products[0] = { ...(draft.products[0] as (typeof draft.products)[number]), zones: ['dairy', 'chilled'] };
    const decoded = decodeGallery(encodeGallery(draft, randomUnitRows(2, DIM, 3), [null, null]));
    assert.deepEqual(decoded.header.products[0]?.zones, ['dairy', 'chilled']);
    assert.equal('zones' in (decoded.header.products[1] ?? {}), false);
  });

  it('writes the same bytes for the same content, whatever the order of the header members', () => {
    const { draft, matrix, thumbnails, bytes } = sample();
    const reordered = {
      metric: draft.metric,
      products: draft.products.map((p) => ({ photos: p.photos, plu: p.plu, sku: p.sku, label: p.label })),
      model: { embeddingSize: DIM, version: draft.model.version, name: draft.model.name },
      createdAt: draft.createdAt,
      version: draft.version,
      storeId: draft.storeId,
      schema: draft.schema,
    };
    assert.ok(encodeGallery(reordered, matrix, thumbnails).equals(bytes));
  });

  it('reads rows from a buffer that is not 4-byte aligned (copies them)', () => {
    const { matrix, bytes } = sample();
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    assert.deepEqual([...decodeGallery(shifted.subarray(1)).matrix], [...matrix]);
  });

  it('reads an empty gallery', () => {
    const bytes = encodeGallery(galleryDraft(0, DIM), new Float32Array(0), []);
    assert.equal(decodeGallery(bytes).rows, 0);
  });

  it('refuses another magic or format version', () => {
    const { bytes } = sample();
    const other = Buffer.from(bytes);
    other.write('CFGAL002', 0, 'latin1');
    refuses(() => decodeGallery(other), 'magic', /does not start with CFGAL001/);
    refuses(() => decodeGallery(Buffer.from('PK\u0003\u0004 a zip file')), 'magic', /CFGAL001/);
  });

  it('refuses a file that ends in the preamble or the header', () => {
    const { bytes } = sample();
    refuses(() => decodeGallery(bytes.subarray(0, 5)), 'truncated-header', /end before the header/);
    refuses(() => decodeGallery(bytes.subarray(0, 100)), 'truncated-header', /the file ends \d+ before/);
  });

  it('refuses a header that is not JSON, not the schema, or lists a sku twice', () => {
    const withHeader = (json: string) => {
      const header = Buffer.from(json, 'utf8');
      const pre = Buffer.alloc(12);
      pre.write('CFGAL001', 0, 'latin1');
      pre.writeUInt32LE(header.length, 8);
      return Buffer.concat([pre, header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
    };
    refuses(() => decodeGallery(withHeader('{"schema":')), 'header', /not UTF-8 JSON/);
    refuses(
      () => decodeGallery(Buffer.concat([withHeader('{}').subarray(0, 8), Buffer.from([2, 0, 0, 0, 0xff, 0xfe])])),
      'header',
      /not UTF-8 JSON/,
    );
    const { draft } = sample();
    const header = { ...draft, products: draft.products.map((p) => ({ ...p, thumbnail: null })) };
    refuses(() => decodeGallery(withHeader(JSON.stringify({ ...header, metric: 'euclidean' }))), 'header', /metric/);
    refuses(
      () => decodeGallery(withHeader(JSON.stringify({ ...header, version: 0 }))),
      'header',
      /version: must be >= 1/,
    );
    const twice = { ...header, products: [header.products[0], header.products[0]] };
    refuses(() => decodeGallery(withHeader(JSON.stringify(twice))), 'header', /sku-000000 is listed twice/);
  });

  it('refuses a file that ends in the matrix', () => {
    const { bytes } = sample();
    refuses(
      () => decodeGallery(bytes.subarray(0, matrixOffset(bytes) + 5 * DIM * 4 - 1)),
      'truncated-matrix',
      /5 rows of 16 float32 need/,
    );
  });

  it("refuses a file whose length is not the header's (rows, thumbnails, trailing bytes)", () => {
    const { bytes } = sample();
    refuses(() => decodeGallery(bytes.subarray(0, bytes.length - 1)), 'size', /its header says/);
    refuses(() => decodeGallery(Buffer.concat([bytes, Buffer.alloc(4 * DIM)])), 'size', /5 rows × 16 float32/);
  });

  it('refuses a non-zero padding byte', () => {
    // A header of a length that needs padding.
    let draft = galleryDraft(2, DIM);
    let bytes = encodeGallery(draft, randomUnitRows(2, DIM, 1), [null, null]);
    for (let v = 4; bytes.readUInt32LE(8) % 4 === 0; v++) {
      draft = { ...draft, version: v * 11 };
      bytes = encodeGallery(draft, randomUnitRows(2, DIM, 1), [null, null]);
    }
    const damaged = Buffer.from(bytes);
    damaged[12 + damaged.readUInt32LE(8)] = 1;
    refuses(() => decodeGallery(damaged), 'padding', /not zeros/);
  });

  it('refuses a row with a NaN and a row that is not normalised, naming the row', () => {
    const { bytes } = sample();
    const nan = Buffer.from(bytes);
    nan.writeFloatLE(Number.NaN, matrixOffset(bytes) + (3 * DIM + 4) * 4);
    refuses(() => decodeGallery(nan), 'row', /row 3 has a value that is not a finite number/);
    const long = Buffer.from(bytes);
    const at = matrixOffset(bytes) + 2 * DIM * 4;
    long.writeFloatLE(long.readFloatLE(at) + 0.5, at);
    refuses(() => decodeGallery(long), 'row', /row 2 is not L2-normalised/);
  });

  it('refuses thumbnails out of the section or not PNG/JPEG, and oversize ones and files', () => {
    const { draft, matrix } = sample();
    const thumbs = (t: Buffer | null) => Array.from({ length: 5 }, (_, i) => (i === 3 ? t : null));
    refuses(
      () => encodeGallery(draft, matrix, thumbs(Buffer.from('GIF89a.....'))),
      'thumbnail',
      /row 3's thumbnail is not a PNG or JPEG/,
    );
    refuses(
      () => encodeGallery(draft, matrix, thumbs(fakePng(1, GALLERY_MAX_THUMBNAIL_BYTES + 1))),
      'oversize',
      /row 3's thumbnail is \d+ bytes/,
    );
    refuses(() => encodeGallery(draft, matrix, [null]), 'thumbnail', /1 thumbnails for 5 products/);
    const bytes = encodeGallery(draft, matrix, thumbs(fakePng(9)));
    const damaged = Buffer.from(bytes);
    damaged[bytes.length - 40] = 0x47; // the PNG signature's first byte
    refuses(() => decodeGallery(damaged), 'thumbnail', /row 3's thumbnail is not a PNG or JPEG/);
    const huge = { length: GALLERY_MAX_FILE_BYTES + 1, subarray: () => Buffer.alloc(0) } as unknown as Buffer;
    refuses(() => decodeGallery(huge), 'oversize', /the limit is/);
    const bigHeader = Buffer.from(bytes);
    bigHeader.writeUInt32LE(0xffff_fff0, 8);
    refuses(() => decodeGallery(bigHeader), 'oversize', /a header of \d+ bytes/);
  });

  it('refuses to write rows that are not normalised or do not match the header', () => {
    const { draft, thumbnails } = sample();
    const matrix = randomUnitRows(5, DIM, 3);
    matrix[DIM * 4] = 3;
    refuses(() => encodeGallery(draft, matrix, thumbnails), 'row', /row 4 is not L2-normalised/);
    refuses(() => encodeGallery(draft, randomUnitRows(4, DIM, 3), thumbnails), 'row', /5 rows of 16 need 80/);
  });
});

describe('gallery model check', () => {
  const gallery = { name: 'product-embedder', version: '1.0.0', embeddingSize: 128 };
  it('refuses another embedding size or model, and another version only when asked', () => {
    assert.deepEqual(galleryModelProblems(gallery, { ...gallery }), []);
    assert.match(
      galleryModelProblems(gallery, { ...gallery, embeddingSize: 256 }).join(),
      /128 dimensions, the model makes 256/,
    );
    assert.match(
      galleryModelProblems(gallery, { ...gallery, name: 'other-embedder' }).join(),
      /cart runs other-embedder/,
    );
    assert.deepEqual(galleryModelProblems(gallery, { ...gallery, version: '1.1.0' }), []);
    assert.match(
      galleryModelProblems(gallery, { ...gallery, version: '1.1.0' }, { sameVersion: true }).join(),
      /runs 1.1.0/,
    );
  });
});
