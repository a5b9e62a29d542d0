import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadImage } from '@napi-rs/canvas';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { CONSOLE_THUMBNAIL_PX } from '../../fleet/vision/photo-files.ts';
import { Keyring } from '../../ota/release/keyring.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import { verifySignedRelease } from '../../ota/release/verify.ts';
import type { ReleaseDetail } from '../../protocol/api/releases.ts';
import type { Rollout } from '../../protocol/api/rollouts.ts';
import type {
  EnrolledProduct,
  EnrolledProductPage,
  GalleryBuildResult,
  GalleryVersionPage,
  PhotoUpload,
  StoreVision,
} from '../../protocol/api/vision.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { decodeGallery } from '../../vision/gallery/gallery-file.ts';
import { packagedProduct } from '../fixtures/vision/enrolment-catalog.ts';
import { productPhoto, TINY_EMBEDDING, writeTinyEmbedderDir } from '../fixtures/vision/tiny-image-embedder.ts';
import { type ApiUser, apiAs, apiUser, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const XUHUI = 'hf-shanghai-xuhui';
const BINJIANG = 'hf-hangzhou-binjiang';

const product = (sku: string, name: string, categoryId = 'v-dairy'): Product => packagedProduct(sku, name, categoryId);

describe('store galleries over HTTP: enrolment, signed gallery releases and their rollout (real fleet, SQLite, files, onnxruntime)', function () {
  this.timeout(120_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let manager: ApiUser;
  let otherManager: ApiUser;
  let viewer: ApiUser;
  const fleetKey = generateSigningKey();

  const upload = (user: ApiUser, storeId: string, sku: string, body: Buffer, type = 'image/jpeg') =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url: `/api/stores/${storeId}/gallery/products/${sku}/photos`,
      headers: { authorization: `Bearer ${user.token}`, 'content-type': type },
      payload: body,
    });
  const count = (table: string) => fleet.services.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  const nothingStored = () => ({ photos: count('vision_photos'), embeddings: count('vision_embeddings') });

  before(async () => {
    dir = tempDir();
    const keyFile = join(dir.path, 'fleet-signing.pem');
    writeFileSync(keyFile, fleetKey.privateKeyPem, { mode: 0o600 });
    const model = writeTinyEmbedderDir(join(dir.path, 'embedder'));
    fleet = await startFleet(dir.path, {
      seedDemoData: true,
      ota: { signingKeyFile: keyFile },
      // No automatic build during the test's own steps: builds are asked for.
      vision: { modelDir: model.dir, buildDebounceMs: 3_600_000 },
    });
    const { catalog } = fleet.services;
    await catalog.putCategory('v-food', { id: 'v-food', parentId: null, name: { zh: '食品', en: 'Food' } });
    await catalog.putCategory('v-dairy', { id: 'v-dairy', parentId: 'v-food', name: { zh: '乳品', en: 'Dairy' } });
    for (const [sku, name] of [
      ['v-milk', 'Milk'],
      ['v-yoghurt', 'Yoghurt'],
      ['v-cheese', 'Cheese'],
    ] as const) {
      await catalog.putProduct(sku, product(sku, name));
    }
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'xuhui-manager', 'store-manager', { storeIds: [XUHUI] });
    otherManager = await apiUser(fleet, 'binjiang-manager', 'store-manager', { storeIds: [BINJIANG] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    for (const name of ['cart-vision-1', 'cart-vision-2']) {
      await registerDevice(fleet, name, 'cart');
      fleet.services.registry.updateThing(name, { storeId: XUHUI });
    }
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('enrols products with photos: fewer than 3 is listed as not yet recognisable, with why', async () => {
    const first = await upload(manager, XUHUI, 'v-milk', await productPhoto(10));
    assert.equal(first.statusCode, 201, first.body);
    const body = first.json<PhotoUpload>();
    assert.equal(body.photo.sku, 'v-milk');
    assert.equal(body.photo.source, 'enrolment');
    assert.equal(body.photo.addedBy, 'xuhui-manager');
    assert.deepEqual(body.photo.embeddedWith, [{ name: 'product-embedder', version: '1.0.0' }]);
    assert.equal(body.product.recognisable, false);
    assert.deepEqual(
      body.product.reasons.map((r) => r.reason),
      ['too-few-photos'],
    );
    // The same bytes again store nothing new.
    const again = await upload(manager, XUHUI, 'v-milk', await productPhoto(10));
    assert.equal(again.statusCode, 201);
    assert.equal(again.json<PhotoUpload>().existed, true);
    for (const variant of [1, 2]) {
      assert.equal((await upload(manager, XUHUI, 'v-milk', await productPhoto(10, { variant }))).statusCode, 201);
    }
    for (const variant of [0, 1, 2]) {
      const png = await productPhoto(200, { variant, type: 'png' });
      assert.equal((await upload(hq, XUHUI, 'v-yoghurt', png, 'image/png')).statusCode, 201);
    }
    assert.equal((await upload(manager, XUHUI, 'v-cheese', await productPhoto(60))).statusCode, 201);
    const list = (
      await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/gallery/products`)
    ).json<EnrolledProductPage>();
    assert.deepEqual(
      list.items.map((p) => [p.sku, p.enrolmentPhotos, p.recognisable]),
      [
        ['v-cheese', 1, false],
        ['v-milk', 3, true],
        ['v-yoghurt', 3, true],
      ],
    );
    const milk = (
      await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/gallery/products/v-milk`)
    ).json<EnrolledProduct>();
    assert.equal(milk.photos.length, 3);
    const image = await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/gallery/photos/${milk.photos[0]!.id}`);
    assert.equal(image.headers['content-type'], 'image/jpeg');
    assert.equal(image.rawPayload.subarray(0, 3).toString('hex'), 'ffd8ff');
  });

  it('lists a photo by its thumbnail: a small JPEG of its centre square, made once and kept, gone with the photo', async () => {
    const photo = await productPhoto(140, { width: 900, height: 600 });
    const added = (await upload(manager, XUHUI, 'v-milk', photo)).json<{ photo: { id: string; sha256: string } }>();
    const url = `/api/stores/${XUHUI}/gallery/photos/${added.photo.id}/thumbnail`;
    const first = await apiAs(fleet, viewer.token).get(url);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['content-type'], 'image/jpeg');
    const image = await loadImage(first.rawPayload);
    assert.deepEqual([image.width, image.height], [CONSOLE_THUMBNAIL_PX, CONSOLE_THUMBNAIL_PX]);
    assert.ok(first.rawPayload.length < photo.length / 2, `${first.rawPayload.length} bytes against ${photo.length}`);
    const kept = join(dir.path, 'vision', 'thumbnails', `${added.photo.sha256}.jpg`);
    assert.ok(existsSync(kept), 'the thumbnail is kept beside the photos');
    const again = await apiAs(fleet, viewer.token).get(url);
    assert.ok(again.rawPayload.equals(first.rawPayload));
    assert.equal(
      (await apiAs(fleet, otherManager.token).get(url)).json<{ code: string }>().code,
      'STORE_NOT_FOUND',
      'another store’s manager',
    );
    assert.equal(
      (await apiAs(fleet, manager.token).delete(`/api/stores/${XUHUI}/gallery/photos/${added.photo.id}`)).statusCode,
      204,
    );
    assert.equal(existsSync(kept), false, 'deleted with the photo');
    assert.equal((await apiAs(fleet, viewer.token).get(url)).json<{ code: string }>().code, 'VISION_PHOTO_NOT_FOUND');
  });

  it('refuses a corrupt image, an oversized upload, a wrong role and another store, storing nothing', async () => {
    const before = nothingStored();
    const photo = await productPhoto(90);
    const corrupt = Buffer.concat([photo.subarray(0, 40), Buffer.alloc(200, 7)]);
    const refusals = [
      [await upload(manager, XUHUI, 'v-cheese', corrupt), 422, 'VISION_IMAGE_INVALID'],
      [await upload(manager, XUHUI, 'v-cheese', Buffer.from('not an image at all')), 422, 'VISION_IMAGE_INVALID'],
      [
        await upload(manager, XUHUI, 'v-cheese', await productPhoto(90, { width: 20, height: 20 })),
        422,
        'VISION_IMAGE_INVALID',
      ],
      [await upload(manager, XUHUI, 'v-cheese', Buffer.alloc(8 * 1024 * 1024 + 1, 0xff)), 413, 'PAYLOAD_TOO_LARGE'],
      [await upload(viewer, XUHUI, 'v-cheese', photo), 403, 'NOT_AUTHORIZED'],
      [await upload(otherManager, XUHUI, 'v-cheese', photo), 404, 'STORE_NOT_FOUND'],
      [await upload(manager, XUHUI, 'no-such-sku', photo), 404, 'PRODUCT_NOT_FOUND'],
    ] as const;
    for (const [answer, status, code] of refusals) {
      assert.equal(answer.statusCode, status, answer.body);
      assert.equal(answer.json<{ code: string }>().code, code);
    }
    const otherBuild = await apiAs(fleet, otherManager.token).post(`/api/stores/${XUHUI}/gallery/builds`, {});
    assert.equal(otherBuild.json<{ code: string }>().code, 'STORE_NOT_FOUND');
    assert.deepEqual(nothingStored(), before);
  });

  it('builds a signed gallery release whose file decodes with the products, model and zones, and rolls it out to the store carts', async () => {
    const settings = await apiAs(fleet, hq.token).put(`/api/stores/${XUHUI}/vision/settings`, {
      contributions: false,
      planogram: [{ zoneId: `${XUHUI}-dairy`, categoryIds: ['v-food'], skus: [] }],
    });
    assert.equal(settings.statusCode, 200, settings.body);
    const answer = await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/gallery/builds`, {});
    assert.equal(answer.statusCode, 200, answer.body);
    const result = answer.json<GalleryBuildResult>();
    assert.equal(result.built, true);
    const version = result.version!;
    assert.equal(version.version, 1);
    assert.equal(version.products, 2);
    assert.deepEqual(version.model, { name: 'product-embedder', version: '1.0.0', embeddingSize: TINY_EMBEDDING });
    assert.deepEqual(version.leftOut, [{ sku: 'v-cheese', reason: '1 photo(s): at least 3 are needed' }]);
    assert.equal(version.releaseName, `gallery-${XUHUI}`);
    assert.equal(version.releaseVersion, '1.0.0');

    const release = (await apiAs(fleet, hq.token).get(`/api/releases/${version.releaseId}`)).json<ReleaseDetail>();
    assert.equal(release.component, 'gallery');
    assert.equal(release.signatureOk, true);
    assert.deepEqual(release.manifest.metadata, { storeId: XUHUI, galleryVersion: 1, model: version.model });
    assert.deepEqual(release.manifest.deviceKinds, ['cart']);
    const keyring = Keyring.fromPems([fleetKey.publicKeyPem]);
    assert.equal(verifySignedRelease({ manifest: release.manifest, signatures: release.signatures }, keyring).ok, true);
    const file = readFileSync(fleet.services.releases.files.artifactPath(release.sha256));
    const gallery = decodeGallery(file);
    assert.equal(gallery.header.storeId, XUHUI);
    assert.equal(gallery.header.version, 1);
    assert.deepEqual(gallery.header.model, version.model);
    assert.deepEqual(
      gallery.header.products.map((p) => [p.sku, p.photos, p.zones, p.label?.en]),
      [
        ['v-milk', 3, [`${XUHUI}-dairy`], 'Milk'],
        ['v-yoghurt', 3, [`${XUHUI}-dairy`], 'Yoghurt'],
      ],
    );
    assert.equal(gallery.thumbnail(0)?.subarray(0, 3).toString('hex'), 'ffd8ff');
    // Two products of different colours: their prototypes point apart.
    let dot = 0;
    for (let d = 0; d < TINY_EMBEDDING; d++) dot += gallery.matrix[d]! * gallery.matrix[TINY_EMBEDDING + d]!;
    assert.ok(dot < 0.99, `prototypes too alike: ${dot}`);

    assert.ok(version.rolloutId);
    const rollout = (await apiAs(fleet, hq.token).get(`/api/rollouts/${version.rolloutId}`)).json<Rollout>();
    assert.equal(rollout.releaseId, version.releaseId);
    assert.equal(rollout.component, 'gallery');
    assert.deepEqual(rollout.spec.targets, { storeIds: [XUHUI], kinds: ['cart'] });
    assert.equal(rollout.counts.total, 2);
    assert.deepEqual(rollout.storeIds, [XUHUI]);
  });

  it('a build with nothing changed is a no-op; a change makes the next version and supersedes the rollout', async () => {
    const same = await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/gallery/builds`, {});
    assert.equal(same.statusCode, 200);
    assert.deepEqual((({ built, reason }) => ({ built, reason }))(same.json<GalleryBuildResult>()), {
      built: false,
      reason: 'unchanged',
    });
    for (const variant of [1, 2]) {
      assert.equal((await upload(manager, XUHUI, 'v-cheese', await productPhoto(60, { variant }))).statusCode, 201);
    }
    const vision = (await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/vision`)).json<StoreVision>();
    assert.equal(vision.changedSinceLatest, true);
    assert.equal(vision.products.recognisable, 3);
    assert.deepEqual(vision.carts.map((c) => c.thingName).sort(), ['cart-vision-1', 'cart-vision-2']);
    assert.ok(vision.nextBuildAt !== null, 'the automatic build is scheduled');
    const next = (
      await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/gallery/builds`, {})
    ).json<GalleryBuildResult>();
    assert.equal(next.version?.version, 2);
    assert.equal(next.version?.products, 3);
    const versions = (
      await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/gallery/versions`)
    ).json<GalleryVersionPage>();
    assert.deepEqual(
      versions.items.map((v) => [v.version, v.state]),
      [
        [2, 'rolling-out'],
        [1, 'stopped'],
      ],
    );
  });

  it('refuses a build without a signing key or without a model, with a coded error and nothing published', async () => {
    const releasesBefore = count('releases');
    const { builds } = fleet.services.vision;
    const keys = fleet.services.releases.keys as { signingKey: unknown };
    const signingKey = keys.signingKey;
    keys.signingKey = null;
    try {
      await assert.rejects(builds.build(XUHUI, { trigger: 'manual', actor: 'test', force: true }), {
        code: 'RELEASE_SIGNING_KEY_MISSING',
      });
    } finally {
      keys.signingKey = signingKey;
    }
    const models = fleet.services.vision.parts.models as unknown as {
      options: { committedDir: string | null };
      committedCache: unknown;
    };
    const committedDir = models.options.committedDir;
    models.options.committedDir = join(dir.path, 'no-model-here');
    models.committedCache = undefined;
    try {
      const answer = await apiAs(fleet, manager.token).post(`/api/stores/${XUHUI}/gallery/builds`, { force: true });
      assert.equal(answer.statusCode, 503);
      assert.equal(answer.json<{ code: string }>().code, 'VISION_MODEL_UNAVAILABLE');
      const view = (await apiAs(fleet, viewer.token).get(`/api/stores/${XUHUI}/vision`)).json<StoreVision>();
      assert.equal(view.model, null);
      assert.match(view.modelProblem ?? '', /no embedding model/);
    } finally {
      models.options.committedDir = committedDir;
      models.committedCache = undefined;
    }
    assert.equal(count('releases'), releasesBefore);
  });

  it('the publish path refuses a gallery release whose file does not agree with its metadata', async () => {
    const latest = fleet.services.vision.builds.latest(XUHUI)!;
    const release = fleet.services.releases.get(latest.releaseId)!;
    const manifest = {
      ...release.manifest,
      version: '99.0.0',
      metadata: { storeId: XUHUI, galleryVersion: 99, model: latest.model },
    };
    const answer = await apiAs(fleet, hq.token).post('/api/releases', { manifest });
    assert.equal(answer.statusCode, 422, answer.body);
    assert.equal(answer.json<{ code: string }>().code, 'GALLERY_INVALID');
    const noMetadata = await apiAs(fleet, hq.token).post('/api/releases', {
      manifest: { ...release.manifest, version: '98.0.0', metadata: { storeId: XUHUI } },
    });
    assert.equal(noMetadata.json<{ code: string }>().code, 'RELEASE_INVALID');
  });
});
