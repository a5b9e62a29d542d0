import assert from 'node:assert/strict';
import { PhotoContributor } from '../../../../devices/cart/vision/photo-contributor.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { FleetError } from '../../../../protocol/errors.ts';
import { eventually } from '../../../mocks/wait-for.ts';

const crop = (fill: number, size = 16) => ({ rgb: new Uint8Array(size * size * 3).fill(fill), size });

describe('PhotoContributor: barcode-confirmed crops to the fleet, never in the shopper’s way', () => {
  it('POSTs the crop as a JPEG to the record’s photo path', async () => {
    const posted: { path: string; body: Buffer; type: string }[] = [];
    const contributor = new PhotoContributor(
      { post: async (path, body, type) => void posted.push({ path, body, type }) },
      silentLogger(),
    );
    contributor.contribute('rec-1', crop(200));
    await eventually(() => posted.length === 1);
    assert.equal(posted[0]?.path, '/device/v1/vision/photos/rec-1');
    assert.equal(posted[0]?.type, 'image/jpeg');
    assert.deepEqual([...(posted[0]?.body.subarray(0, 3) ?? [])], [0xff, 0xd8, 0xff], 'a JPEG');
  });

  it('a refused or failed upload is dropped quietly and the next one still goes', async () => {
    const paths: string[] = [];
    let refuse = true;
    const contributor = new PhotoContributor(
      {
        post: async (path) => {
          paths.push(path);
          if (refuse) {
            refuse = false;
            throw new FleetError('NOT_AUTHORIZED', 'the store did not opt in');
          }
        },
      },
      silentLogger(),
    );
    contributor.contribute('rec-1', crop(10));
    await eventually(() => paths.length === 1);
    contributor.contribute('rec-2', crop(20));
    await eventually(() => paths.length === 2);
    assert.deepEqual(paths, ['/device/v1/vision/photos/rec-1', '/device/v1/vision/photos/rec-2']);
  });
});
