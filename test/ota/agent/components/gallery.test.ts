import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SwappableGallery } from '../../../../devices/cart/vision/swappable-gallery.ts';
import { GALLERY_FILE, GalleryComponentHandler } from '../../../../ota/agent/components/gallery.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { type FleetError, isFleetError } from '../../../../protocol/errors.ts';
import type { RunningModel } from '../../../../protocol/vision/gallery.ts';
import { encodeGallery } from '../../../../vision/gallery/gallery-file.ts';
import { manifestFor } from '../../../fixtures/ota/component-releases.ts';
import { fakePng, galleryDraft, randomUnitRows } from '../../../fixtures/vision/random-gallery.ts';
import { tempDir } from '../../../helpers/fleet-harness.ts';

const DIM = 16;
const STORE = 'hf-shanghai-xuhui';

async function refusal(promise: Promise<unknown>): Promise<FleetError> {
  try {
    await promise;
  } catch (err) {
    if (isFleetError(err)) return err;
    throw err;
  }
  assert.fail('expected a FleetError');
}

/** A gallery release of `rows` random products, built with `model`, for `storeId`. */
function galleryRelease(
  dir: string,
  options: { version?: number; dimension?: number; storeId?: string; modelName?: string; seed?: number } = {},
) {
  const dimension = options.dimension ?? DIM;
  const rows = 6;
  const draft = galleryDraft(rows, dimension);
  draft.version = options.version ?? 1;
  draft.storeId = options.storeId ?? STORE;
  draft.model = { name: options.modelName ?? 'product-embedder', version: '1.0.0', embeddingSize: dimension };
  const bytes = encodeGallery(
    draft,
    randomUnitRows(rows, dimension, options.seed ?? 11),
    Array.from({ length: rows }, (_, i) => fakePng(i + 1)),
  );
  const file = join(dir, `gallery-${draft.version}-${dimension}-${draft.storeId}-${draft.model.name}.cfgal`);
  writeFileSync(file, bytes);
  return {
    file,
    bytes,
    manifest: manifestFor('gallery', bytes, { name: `gallery-${draft.storeId}`, version: `${draft.version}.0.0` }),
  };
}

describe('GalleryComponentHandler with the cart’s SwappableGallery (OTA gallery releases)', () => {
  let dir: ReturnType<typeof tempDir>;
  let running: RunningModel | null;
  let store: string | null;
  let gallery: SwappableGallery;
  let handler: GalleryComponentHandler;
  let n = 0;
  const never = () => new AbortController().signal;
  const newSlot = () => {
    const slot = join(dir.path, `slot-${++n}`);
    mkdirSync(slot);
    return slot;
  };
  /** Install, self-test and activate: what the agent does with a release, in order. */
  const roll = async (release: ReturnType<typeof galleryRelease>) => {
    const slot = newSlot();
    await handler.install(release.file, slot, release.manifest, never());
    await handler.activate(slot, release.manifest);
    await handler.selfTest(slot, release.manifest, never());
    return slot;
  };

  beforeEach(() => {
    dir = tempDir();
    running = { name: 'product-embedder', version: '1.0.0', embeddingSize: DIM };
    store = STORE;
    gallery = new SwappableGallery({
      runningModel: () => running,
      storeId: () => store,
      log: silentLogger(),
    });
    handler = new GalleryComponentHandler(gallery, silentLogger());
  });

  afterEach(async () => {
    await gallery.stop();
    dir.cleanup();
  });

  it('installs, self-tests and swaps a gallery in: searches find its products, with their thumbnails', async () => {
    const release = galleryRelease(dir.path);
    await roll(release);
    assert.equal(gallery.header?.version, 1);
    assert.deepEqual(gallery.modelProblems(), []);
    const rows = randomUnitRows(6, DIM, 11);
    const answer = await gallery.search(rows.subarray(2 * DIM, 3 * DIM), 3);
    assert.equal(answer.matches[0]?.sku, 'sku-000002');
    assert.ok((answer.matches[0]?.similarity ?? 0) > 0.9999);
    assert.match(gallery.thumbnailUrl('sku-000002') ?? '', /^data:image\/png;base64,/);
    assert.equal(gallery.thumbnailUrl('not-in-it'), null);
  });

  it('swaps a newer version in while it serves: new searches go to it, no restart', async () => {
    await roll(galleryRelease(dir.path, { version: 1, seed: 11 }));
    const second = galleryRelease(dir.path, { version: 2, seed: 99 });
    let swaps = 0;
    gallery.onSwap(() => swaps++);
    await roll(second);
    assert.equal(gallery.header?.version, 2);
    assert.equal(swaps, 1);
    const query = randomUnitRows(6, DIM, 99).subarray(4 * DIM, 5 * DIM);
    assert.equal((await gallery.search(query, 1)).matches[0]?.sku, 'sku-000004');
  });

  it('refuses a corrupt file at install (GALLERY_INVALID in the details) and keeps the current gallery', async () => {
    await roll(galleryRelease(dir.path, { version: 1 }));
    const bad = galleryRelease(dir.path, { version: 2 });
    bad.bytes.write('XXXXXXXX', 0, 'latin1');
    writeFileSync(bad.file, bad.bytes);
    const corrupt = { ...bad, manifest: manifestFor('gallery', bad.bytes, { version: '2.0.0' }) };
    const err = await refusal(handler.install(corrupt.file, newSlot(), corrupt.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.deepEqual(err.details, { code: 'GALLERY_INVALID', details: { problem: 'magic' } });
    assert.match(err.message, /^GALLERY_INVALID: /);
    assert.equal(gallery.header?.version, 1, 'the current gallery serves on');
  });

  it('refuses a gallery whose embedding size is not the model’s (GALLERY_MODEL_MISMATCH) and keeps the current one', async () => {
    await roll(galleryRelease(dir.path, { version: 1 }));
    const wide = galleryRelease(dir.path, { version: 2, dimension: DIM * 2 });
    const err = await refusal(handler.install(wide.file, newSlot(), wide.manifest, never()));
    assert.equal(err.code, 'OTA_INSTALL_FAILED');
    assert.equal((err.details as { code: string }).code, 'GALLERY_MODEL_MISMATCH');
    assert.match(err.message, /32 dimensions, the model makes 16/);
    assert.equal(gallery.header?.version, 1);
    // Activated anyway (a slot installed before the model changed): refused too, the current one kept.
    const slot = newSlot();
    writeFileSync(join(slot, GALLERY_FILE), wide.bytes);
    const activate = await refusal(handler.activate(slot, wide.manifest));
    assert.equal(activate.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal((activate.details as { code: string }).code, 'GALLERY_MODEL_MISMATCH');
    assert.equal(gallery.header?.version, 1);
  });

  it('refuses a gallery of another model name, and one of another store', async () => {
    const other = galleryRelease(dir.path, { modelName: 'other-embedder' });
    const err = await refusal(handler.install(other.file, newSlot(), other.manifest, never()));
    assert.equal((err.details as { code: string }).code, 'GALLERY_MODEL_MISMATCH');
    const elsewhere = galleryRelease(dir.path, { storeId: 'hf-beijing-chaoyang' });
    const storeErr = await refusal(handler.install(elsewhere.file, newSlot(), elsewhere.manifest, never()));
    assert.deepEqual(storeErr.details, { code: 'GALLERY_INVALID', details: { problem: 'store' } });
    assert.equal(gallery.header, null);
  });

  it('the self-test fails a slot whose file changed since the install (sha256), and one the model no longer fits', async () => {
    const release = galleryRelease(dir.path);
    const slot = newSlot();
    await handler.install(release.file, slot, release.manifest, never());
    running = { name: 'product-embedder', version: '2.0.0', embeddingSize: DIM * 2 };
    const mismatch = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(mismatch.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.equal((mismatch.details as { code: string }).code, 'GALLERY_MODEL_MISMATCH');
    running = { name: 'product-embedder', version: '1.0.0', embeddingSize: DIM };
    writeFileSync(join(slot, GALLERY_FILE), Buffer.concat([release.bytes, Buffer.from([0])]));
    const changed = await refusal(handler.selfTest(slot, release.manifest, never()));
    assert.equal(changed.code, 'OTA_HEALTH_CHECK_FAILED');
    assert.match(changed.message, /sha256/);
  });

  it('rolls back on its own: the previous slot activated again serves again', async () => {
    const first = galleryRelease(dir.path, { version: 1, seed: 11 });
    const firstSlot = await roll(first);
    await roll(galleryRelease(dir.path, { version: 2, seed: 99 }));
    assert.equal(gallery.header?.version, 2);
    await handler.activate(firstSlot, first.manifest);
    assert.equal(gallery.header?.version, 1);
  });

  it('a gallery waits for a model; a model that no longer fits pauses it (modelProblems), a fitting one resumes', async () => {
    running = null;
    await roll(galleryRelease(dir.path));
    assert.deepEqual(gallery.modelProblems(), ['no model is active']);
    running = { name: 'product-embedder', version: '2.0.0', embeddingSize: DIM * 2 };
    assert.match(gallery.modelProblems().join(), /16 dimensions, the model makes 32/);
    const err = await refusal(gallery.search(new Float32Array(DIM).fill(1), 3));
    assert.equal(err.code, 'GALLERY_MODEL_MISMATCH', 'never a search across embedding spaces');
    running = { name: 'product-embedder', version: '1.0.1', embeddingSize: DIM };
    assert.deepEqual(gallery.modelProblems(), []);
  });
});
