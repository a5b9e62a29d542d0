import assert from 'node:assert/strict';
import type { EnrolledProductSummary, PhotoUpload } from '../../../protocol/api/vision.ts';
import { type PhotoItem, photoContentType, photoItems, sendPhotos } from '../../../web/src/pages/vision/photo-queue.ts';

const summary = (photos: number): EnrolledProductSummary => ({
  sku: 'milk',
  name: { zh: '牛奶', en: 'Milk' },
  plu: null,
  enrolmentPhotos: photos,
  contributedPhotos: 0,
  recognisable: photos >= 3,
  reasons: [],
  zones: [],
  inGalleryVersion: null,
  updatedAt: 1,
});

const answer = (photos: number, existed = false) => ({ product: summary(photos), existed }) as unknown as PhotoUpload;

/** The coded refusal the browser's client throws (ApiError's shape). */
const refusal = (code: string, message: string) => Object.assign(new Error(message), { code, details: undefined });

describe('web: enrolment photos sent one by one', () => {
  it('refuses a file over the API’s limit before sending it, with the API’s code', () => {
    const items = photoItems([
      { name: 'a.png', size: 1000, type: 'image/png' },
      { name: 'huge.jpg', size: 8 * 1024 * 1024 + 1, type: 'image/jpeg' },
    ]);
    assert.deepEqual(
      items.map((i) => [i.state, i.code]),
      [
        ['waiting', null],
        ['refused', 'PAYLOAD_TOO_LARGE'],
      ],
    );
  });

  it('never sends a photo refused before sending', async () => {
    const items = photoItems([
      { name: 'huge.jpg', size: 8 * 1024 * 1024 + 1, type: 'image/jpeg' },
      { name: 'a.png', size: 1000, type: 'image/png' },
    ]);
    const sent: number[] = [];
    await sendPhotos(
      items,
      async (index) => {
        sent.push(index);
        return answer(1);
      },
      () => undefined,
    );
    assert.deepEqual(sent, [1]);
  });

  it('sends the media types the API takes as such, anything else as octet-stream', () => {
    assert.equal(photoContentType({ name: 'a.png', size: 1, type: 'image/png' }), 'image/png');
    assert.equal(photoContentType({ name: 'a.heic', size: 1, type: 'image/heic' }), 'application/octet-stream');
  });

  it('sends in order with progress, keeps going past a refusal, and ends with the product as the last photo left it', async () => {
    const items = photoItems(
      ['1.png', '2.png', 'bad.png', '3.png'].map((name) => ({ name, size: 10, type: 'image/png' })),
    );
    const seen: PhotoItem[][] = [];
    const sent: number[] = [];
    let stored = 0;
    const product = await sendPhotos(
      items,
      async (index, onProgress) => {
        sent.push(index);
        onProgress(0.5);
        onProgress(0.25); // progress never goes back
        if (index === 2) throw refusal('VISION_IMAGE_INVALID', 'not a JPEG or PNG');
        stored += 1;
        return answer(stored);
      },
      (next) => seen.push(next),
    );
    assert.deepEqual(sent, [0, 1, 2, 3]);
    const last = seen.at(-1)!;
    assert.deepEqual(
      last.map((i) => [i.name, i.state, i.code]),
      [
        ['1.png', 'stored', null],
        ['2.png', 'stored', null],
        ['bad.png', 'refused', 'VISION_IMAGE_INVALID'],
        ['3.png', 'stored', null],
      ],
    );
    assert.equal(last[2]?.message, 'not a JPEG or PNG');
    const fractions = seen
      .map((s) => s[0]!)
      .filter((i) => i.state === 'sending')
      .map((i) => i.fraction);
    assert.deepEqual(fractions, [0, 0.5]);
    assert.equal(product?.enrolmentPhotos, 3);
    assert.equal(product?.recognisable, true);
  });

  it('marks bytes the product already had as existed, and a thrown non-API error as NETWORK', async () => {
    const items = photoItems(['same.png', 'offline.png'].map((name) => ({ name, size: 10, type: 'image/png' })));
    let last: PhotoItem[] = [];
    const product = await sendPhotos(
      items,
      async (index) => {
        if (index === 1) throw new TypeError('Failed to fetch');
        return answer(1, true);
      },
      (next) => {
        last = next;
      },
    );
    assert.deepEqual(
      last.map((i) => [i.state, i.code]),
      [
        ['existed', null],
        ['refused', 'NETWORK'],
      ],
    );
    assert.equal(product?.enrolmentPhotos, 1);
  });
});
