import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { FleetConfigInput } from '../../fleet/config.ts';
import { generateSigningKey } from '../../ota/release/signing.ts';
import type { EnrolledProductPage, FieldAccuracyReport } from '../../protocol/api/vision.ts';
import type { Product } from '../../protocol/commerce/catalog.ts';
import { OTA_SHADOW } from '../../protocol/ota/device-ota.ts';
import { recognitionTopics } from '../../protocol/vision/device-vision.ts';
import type { RecognitionRecord } from '../../protocol/vision/recognition.ts';
import { packagedProduct } from '../fixtures/vision/enrolment-catalog.ts';
import { productPhoto, writeTinyEmbedderDir } from '../fixtures/vision/tiny-image-embedder.ts';
import { signIn, text } from '../helpers/browser.ts';
import { createConsoleUsers, HQ, MANAGER, useConsoleFleet, XUHUI } from '../helpers/console-fleet.ts';
import { type ApiUser, apiAs, apiUser } from '../helpers/fleet-harness.ts';

/** Screenshots of the pages, for reviewers (CONSOLE_SHOTS=/tmp/console-shots). */
const SHOTS = process.env.CONSOLE_SHOTS;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `vision-${name}.png`), fullPage: true });
};

const VIEWER = { username: 'chain-viewer', password: 'viewer-password-for-tests' };
const CARTS = ['cart-rc-1', 'cart-rc-2'];

const product = (sku: string, en: string, zh: string): Product =>
  packagedProduct(sku, { zh, en }, 'rc-dairy', { priceFen: 890 });

/** A record as a cart logs it once its outcome is known: vision's top candidate, the decision, the truth. */
function record(id: string, at: number, truth: string, visionTop: string, modelVersion: string): RecognitionRecord {
  const other = visionTop === 'rc-milk' ? 'rc-yoghurt' : 'rc-milk';
  const right = visionTop === truth;
  return {
    id,
    evidence: {
      at,
      trigger: 'scale',
      modelVersion,
      galleryVersion: 1,
      candidates: [
        { sku: visionTop, similarity: 0.9 },
        { sku: other, similarity: 0.5 },
      ],
      weightDeltaG: 500,
      zoneId: null,
      barcode: null,
    },
    // Right: added. Wrong: the shopper picked the truth among the options, so no wrong add.
    decision: right
      ? { kind: 'add', sku: visionTop, confidence: 0.95 }
      : {
          kind: 'pick',
          options: [
            { sku: visionTop, confidence: 0.5 },
            { sku: truth, confidence: 0.4 },
          ],
        },
    outcome: { decisionId: id, truthSku: truth, source: right ? 'accepted' : 'shopper-pick', at: at + 2000 },
  };
}

describe('Recognition console in a browser (gallery, enrolment, versions, carts, field accuracy, roles)', function () {
  this.timeout(180_000);
  let viewerApi: ApiUser;
  const env = useConsoleFleet(
    'cartfleet-vision-console-',
    async ({ fleet, registerCart }) => {
      await createConsoleUsers(fleet);
      await fleet.services.access.createUser(
        { username: VIEWER.username, displayName: 'Chain Viewer', role: 'viewer' },
        VIEWER.password,
      );
      viewerApi = await apiUser(fleet, 'viewer-api', 'viewer');
      const { catalog } = fleet.services;
      await catalog.putCategory('rc-dairy', { id: 'rc-dairy', parentId: null, name: { zh: '乳品', en: 'Dairy' } });
      await catalog.putProduct('rc-milk', product('rc-milk', 'Recognition Milk', '识别牛奶'));
      await catalog.putProduct('rc-yoghurt', product('rc-yoghurt', 'Recognition Yoghurt', '识别酸奶'));
      for (const cart of CARTS) await registerCart(cart, XUHUI);
    },
    (dir) => {
      const key = generateSigningKey();
      const keyFile = join(dir, 'signing-key.pem');
      writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
      const model = writeTinyEmbedderDir(join(dir, 'embedder'));
      // No automatic build while the test runs: it asks for its build from the console.
      return {
        ota: { signingKeyFile: keyFile },
        vision: { modelDir: model.dir, buildDebounceMs: 3_600_000 },
      } as FleetConfigInput;
    },
  );

  it('a store manager enrols a product with 3 photos (a corrupt one refused at its photo), sees it recognisable, builds a version that rolls out', async () => {
    const { page } = await env.openPage();
    await signIn(page, MANAGER.username, MANAGER.password, '/');
    await page.getByTestId('nav-recognition').click();
    await page.getByTestId('gallery-page').waitFor();
    await page.getByTestId('enrol-link').click();
    await page.getByTestId('enrol-page').waitFor();

    await page.getByTestId('enrol-product').fill('rc-milk');
    await page.locator('[data-testid="enrol-picked"][data-sku="rc-milk"]').waitFor();
    assert.match(await text(page.getByTestId('enrol-picked')), /Recognition Milk/);
    assert.equal(await page.getByTestId('enrol-status').getAttribute('data-recognisable'), 'false');

    // Three PNG photos made here, and a file that only says it is a PNG.
    const files: string[] = [];
    for (const [i, name] of ['milk-1.png', 'broken.png', 'milk-2.png', 'milk-3.png'].entries()) {
      const file = join(env.dir.path, name);
      writeFileSync(
        file,
        name === 'broken.png'
          ? Buffer.from('not a picture at all')
          : await productPhoto(30, { variant: i, type: 'png' }),
      );
      files.push(file);
    }
    await page.getByTestId('enrol-files').setInputFiles(files);
    assert.equal(await text(page.getByTestId('enrol-upload')), 'Upload 4 photos');
    await page.getByTestId('enrol-upload').click();
    await page.locator('[data-testid="enrol-status"][data-recognisable="true"]').waitFor();
    const items = page.getByTestId('enrol-upload-item');
    await page.locator('[data-testid="enrol-upload-item"][data-state="stored"]').nth(2).waitFor();
    const states = await items.evaluateAll((els) =>
      els.map((el) => `${el.getAttribute('data-state')}:${el.getAttribute('data-code') ?? ''}`),
    );
    assert.deepEqual(states, ['stored:', 'refused:VISION_IMAGE_INVALID', 'stored:', 'stored:']);
    assert.match(await text(items.nth(1)), /VISION_IMAGE_INVALID/);
    assert.equal(await text(page.getByTestId('enrol-photo-count')), '3 of 5 photos enrolled');
    await shot(page, 'enrol');

    // Build now: version 1, rolling out to the store's two carts.
    assert.match(await text(page.getByTestId('build-pending')), /Enrolment changed/);
    await page.getByTestId('build-now').click();
    await page.locator('[data-testid="build-state"][data-state="built"]').waitFor({ timeout: 60_000 });
    assert.match(await text(page.getByTestId('build-state')), /Built gallery v1 with 1 products, rolling out/);
    await page.getByTestId('enrol-versions-link').click();
    await page.getByTestId('versions-page').waitFor();
    const row = page.locator('[data-testid="version-row"][data-version="1"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'rolling-out');
    assert.equal(await text(row.getByTestId('version-state')), 'Rolling out');
    assert.equal(await text(row.locator('[data-field="products"]')), '1');
    assert.match((await row.getByTestId('version-rollout').getAttribute('href')) ?? '', /^\/updates\/rollouts\/.+/);
    // A store manager may not read releases: the release is named, not linked.
    assert.equal(await row.getByTestId('version-release').count(), 0);

    // The gallery: recognisable, three enrolment photos drawn from the API's bytes.
    await page.getByTestId('vision-nav-gallery').click();
    const card = page.locator('[data-testid="gallery-product"][data-sku="rc-milk"]');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-recognisable'), 'true');
    assert.equal(await text(card.getByTestId('product-status')), 'Recognisable');
    const photos = card.getByTestId('gallery-photo');
    await photos.nth(2).waitFor();
    assert.equal(await photos.count(), 3);
    assert.deepEqual(await photos.evaluateAll((els) => els.map((el) => el.getAttribute('data-source'))), [
      'enrolment',
      'enrolment',
      'enrolment',
    ]);
    await page.waitForFunction(() => {
      const imgs = Array.from(
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ naturalWidth: number }> } }
        ).document.querySelectorAll('[data-testid="gallery-photo"] img'),
      );
      return imgs.length === 3 && imgs.every((img) => img.naturalWidth > 0);
    });
    assert.match(await text(page.getByTestId('summary-version')), /v1/);
    await shot(page, 'gallery');

    // Delete a photo: two left, not recognisable any more, and the reason says so.
    await photos.first().getByTestId('delete-photo').click();
    await page.locator('[data-testid="gallery-product"][data-sku="rc-milk"][data-recognisable="false"]').waitFor();
    assert.match(await text(card.getByTestId('product-reason')), /at least 3/);
    await card.locator('[data-testid="gallery-photo"]').nth(2).waitFor({ state: 'detached' });
    assert.equal(await card.getByTestId('gallery-photo').count(), 2);

    // Carts: the first reports the model and gallery v1 in its `ota` shadow (as its agent does); the second reports
    // nothing, so it can only take barcodes and is listed first.
    const slot = (name: string, version: string) => ({
      active: 'a' as const,
      a: { name, version, sha256: 'c'.repeat(64) },
      b: null,
      trial: null,
    });
    await env.fleet.services.shadows.update(CARTS[0]!, OTA_SHADOW, {
      state: {
        reported: {
          components: {
            model: slot('product-embedder', '1.0.0'),
            gallery: slot(`gallery-${XUHUI}`, '1.0.0'),
          },
          job: null,
          lastRollback: null,
        },
      },
    });
    await page.getByTestId('vision-nav-carts').click();
    await page.getByTestId('vision-carts').waitFor();
    const carts = page.getByTestId('vision-cart');
    assert.deepEqual(
      await carts.evaluateAll((els) =>
        els.map((el) => `${el.getAttribute('data-thing')}:${el.getAttribute('data-standing')}`),
      ),
      [`${CARTS[1]}:barcode-only`, `${CARTS[0]}:current`],
    );
    const first = page.locator(`[data-testid="vision-cart"][data-thing="${CARTS[0]}"]`);
    assert.equal(await text(first.locator('[data-field="model"]')), 'product-embedder@1.0.0');
    assert.equal(await text(first.locator('[data-field="gallery"]')), 'v1');
    await shot(page, 'carts');
  });

  it('a viewer sees the gallery but is offered no enrolment, and the API refuses one', async () => {
    const { page } = await env.openPage();
    await signIn(page, VIEWER.username, VIEWER.password, '/');
    await page.getByTestId('nav-recognition').click();
    await page.getByTestId('gallery-page').waitFor();
    // A chain-wide viewer picks the store.
    await page.getByTestId('vision-store').selectOption(XUHUI);
    await page.locator('[data-testid="gallery-product"][data-sku="rc-milk"]').waitFor();
    await page.getByTestId('gallery-photo').first().waitFor();
    assert.equal(await page.getByTestId('enrol-link').count(), 0);
    assert.equal(await page.getByTestId('vision-nav-enrol').count(), 0);
    assert.equal(await page.getByTestId('delete-photo').count(), 0);
    await page.getByTestId('vision-nav-versions').click();
    await page.getByTestId('versions-table').waitFor();
    assert.equal(await page.getByTestId('build-now').count(), 0);
    await shot(page, 'versions-viewer');
    await page.goto(`/recognition/enrol?storeId=${XUHUI}`);
    await page.getByTestId('forbidden').waitFor();

    const refused = await env.fleet.services.http.instance!.inject({
      method: 'POST',
      url: `/api/stores/${XUHUI}/gallery/products/rc-yoghurt/photos`,
      headers: { authorization: `Bearer ${viewerApi.token}`, 'content-type': 'image/png' },
      payload: await productPhoto(200, { type: 'png' }),
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json<{ code: string }>().code, 'NOT_AUTHORIZED');
    const list = await apiAs(env.fleet, viewerApi.token).get(`/api/stores/${XUHUI}/gallery/products`);
    assert.deepEqual(
      list.json<EnrolledProductPage>().items.map((p) => p.sku),
      ['rc-milk'],
    );
  });

  it('shows field accuracy from the records carts send: overall with its counts, the bad model version red, products worst first', async () => {
    // Model 1.0.0: 28 of 30 right; model 1.1.0 calls everything milk: 15 of 30 right, its misses all on the yoghurt.
    const now = Date.now();
    const records: RecognitionRecord[] = [];
    for (let i = 0; i < 30; i++) {
      const truth = i % 2 === 0 ? 'rc-milk' : 'rc-yoghurt';
      const wrong = truth === 'rc-milk' ? 'rc-yoghurt' : 'rc-milk';
      records.push(record(`old:${i}`, now - 3_600_000 + i * 1000, truth, i < 2 ? wrong : truth, '1.0.0'));
    }
    for (let i = 0; i < 30; i++) {
      const truth = i % 2 === 0 ? 'rc-milk' : 'rc-yoghurt';
      records.push(record(`new:${i}`, now - 600_000 + i * 1000, truth, 'rc-milk', '1.1.0'));
    }
    const hits = 28 + 15;
    const { ingest } = env.fleet.services.vision!.parts;
    const send = async (batch: RecognitionRecord[]) => {
      for (let i = 0; i < batch.length; i += 20) {
        const accepted = await new Promise<boolean>((resolve) => {
          void ingest.accept(
            recognitionTopics.publish(CARTS[0]!),
            Buffer.from(JSON.stringify({ records: batch.slice(i, i + 20) })),
            () => resolve(true),
            () => resolve(false),
          );
        });
        assert.equal(accepted, true, 'the batch was taken');
      }
    };
    await send(records);
    const api = await apiUser(env.fleet, 'hq-accuracy', 'hq-admin');
    const report = (await apiAs(env.fleet, api.token).get('/api/vision/accuracy')).json<FieldAccuracyReport>();
    assert.equal(report.overall.records, 60);

    const { page } = await env.openPage();
    await signIn(page, HQ.username, HQ.password, '/recognition/accuracy');
    await page.getByTestId('accuracy-page').waitFor();
    // HQ starts on the whole chain.
    assert.equal(await page.getByTestId('accuracy-store').inputValue(), '');
    await page.getByTestId('accuracy-by-version').waitFor();
    assert.equal(await text(page.getByTestId('overall-records')), '60');
    const vision = page.getByTestId('overall-vision');
    assert.equal(await vision.getAttribute('data-n'), '60');
    assert.equal(await vision.getAttribute('data-hits'), String(hits));
    assert.match(await text(page.getByTestId('overall-vision-text')), new RegExp(`· ${hits} of 60$`));

    const bars = page.getByTestId('version-bar');
    assert.deepEqual(
      await bars.evaluateAll((els) =>
        els.map(
          (el) => `${el.getAttribute('data-version')}:${el.getAttribute('data-n')}:${el.getAttribute('data-worse')}`,
        ),
      ),
      ['1.0.0:30:false', '1.1.0:30:true'],
    );

    // Worst first: the yoghurt, which the new model keeps calling milk.
    const rows = page.getByTestId('accuracy-product');
    assert.deepEqual(
      await rows.evaluateAll((els) => els.map((el) => `${el.getAttribute('data-sku')}:${el.getAttribute('data-n')}`)),
      ['rc-yoghurt:30', 'rc-milk:30'],
    );
    const mix = page.locator('[data-testid="mix-row"]');
    const counts = Object.fromEntries(
      await mix.evaluateAll((els) => els.map((el) => [el.getAttribute('data-kind'), el.getAttribute('data-count')])),
    );
    assert.equal(counts.add, String(hits));
    assert.equal(counts.pick, String(60 - hits));
    assert.equal(counts['wrong-add'], '0');
    await shot(page, 'accuracy');

    // The store manager sees the same figures for their store.
    const manager = await env.openPage();
    await signIn(manager.page, MANAGER.username, MANAGER.password, '/recognition/accuracy');
    await manager.page.getByTestId('accuracy-by-version').waitFor();
    assert.equal(await manager.page.getByTestId('accuracy-store').inputValue(), XUHUI);
    assert.equal(await manager.page.getByTestId('overall-vision').getAttribute('data-hits'), String(hits));

    // Live: what the carts send now shows on the open page without a reload (the fleet's `vision` event).
    await send(
      Array.from({ length: 10 }, (_, i) =>
        record(`live:${i}`, now - 120_000 + i * 1000, 'rc-milk', 'rc-milk', '1.0.0'),
      ),
    );
    await manager.page.getByTestId('overall-records').filter({ hasText: /^70$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await manager.page.getByTestId('overall-vision').getAttribute('data-hits'), String(hits + 10));
  });
});
