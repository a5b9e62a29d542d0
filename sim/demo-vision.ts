import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createCanvas } from '@napi-rs/canvas';
import type { FleetServer } from '../fleet/fleet-server.ts';
import { galleryRolloutSpec } from '../fleet/vision-composition.ts';
import type { Logger } from '../platform/log.ts';
import type { Product } from '../protocol/commerce/catalog.ts';
import { ARTIFACT_MEDIA_TYPES, type ReleaseManifest } from '../protocol/ota/release.ts';
import type { EmbedderManifest } from '../protocol/vision/embedder-manifest.ts';
import { appearanceFor } from '../vision/synthetic/appearance.ts';
import { mixSeed, SeededRandom } from '../vision/synthetic/seeded-random.ts';
import { randomView } from '../vision/synthetic/view-params.ts';
import { ViewRenderer } from '../vision/synthetic/view-renderer.ts';
import { DEMO_DOMAIN_SEED } from './demo-appearances.ts';

/**
 * Product recognition in the demo (issue 11 item 9): the committed embedder published as a model release and rolled
 * out to the carts, each store's products enrolled from rendered photos through the fleet's enrolment (the fleet's
 * builds then roll the gallery out), and the products' looks the carts' virtual cameras show.
 */
export const DEMO_VISION = {
  /** The synthetic domain the demo's products are drawn in (the embedder's: models/product-embedder/domain.ts). */
  domainSeed: DEMO_DOMAIN_SEED,
  /** Enrolment photos per product (3–5 make a product recognisable). */
  photosPerProduct: 3,
  /** The photos' side: the embedder's input, as the held-out evaluation enrols. */
  photoSide: 96,
  /**
   * Products the demo leaves out of the galleries: shoppers must scan them (the cart asks). The README names the
   * first as the one to enrol live.
   */
  notEnrolled: ['SNACKS-NUTS-6-1', 'BEVERAGES-COFFEE-3-1', 'HOUSEHOLD-CLEANING-1-2', 'SNACKS-CHIPS-3-2'],
} as const;

/** The photo view stream (differs from the embedder's own streams: these views are not its enrolment views). */
const PHOTO_STREAM = 0xde70;

/** The products a store's gallery gets in the demo: packaged goods with a barcode and loose produce. */
export function enrollableProducts(products: readonly Product[]): Product[] {
  return products.filter(
    (p) =>
      p.available &&
      ((p.soldBy === 'each' && p.gtins.length > 0) || (p.soldBy === 'weight' && p.plu !== null && p.tareG !== null)),
  );
}

/**
 * `count` photos of `product` as a store manager's enrolment photos: the product alone, top-down, in the `training`
 * regime's light and poses (seeded by its SKU: the same photos on every run), PNG.
 */
export function renderProductPhotos(
  product: Product,
  count: number,
  renderer = new ViewRenderer(DEMO_VISION.photoSide),
): Buffer[] {
  const look = appearanceFor(product, DEMO_VISION.domainSeed);
  const side = renderer.size;
  return Array.from({ length: count }, (_, i) => {
    const view = randomView(
      new SeededRandom(mixSeed(DEMO_VISION.domainSeed, PHOTO_STREAM, skuSeed(product.sku), i)),
      'training',
    );
    const rgb = renderer.render(look, { ...view, hand: null, motion: null }, []);
    const canvas = createCanvas(side, side);
    const ctx = canvas.getContext('2d');
    const image = ctx.createImageData(side, side);
    for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
      image.data[q] = rgb[p]!;
      image.data[q + 1] = rgb[p + 1]!;
      image.data[q + 2] = rgb[p + 2]!;
      image.data[q + 3] = 255;
    }
    ctx.putImageData(image, 0, 0);
    return canvas.toBuffer('image/png');
  });
}

/**
 * The committed embedder's manifest and file, in the fleet's `vision.modelDir` (`models/product-embedder/` unless
 * the config says otherwise: the model the fleet embeds enrolment photos with), or why there is none (the carts
 * stay barcode-only then).
 */
export function committedEmbedder(dir: string | null): { manifest: EmbedderManifest; file: string } | string {
  if (!dir) return 'the fleet config names no committed model directory (vision.modelDir)';
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return `${manifestFile} does not exist`;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as EmbedderManifest;
  const file = join(dir, manifest.file);
  if (!existsSync(file)) return `${file} does not exist`;
  return { manifest, file };
}

/**
 * The committed embedder as a model release (`product-embedder@<manifest version>`, the manifest's metadata, signed
 * by the fleet with the demo key) rolled out to every cart in one wave; both once (idempotent across runs). Returns
 * what it did, or why not.
 */
export async function loadDemoModelRelease(fleet: FleetServer, log: Logger): Promise<string> {
  const committed = committedEmbedder(fleet.config.vision.modelDir);
  if (typeof committed === 'string') return `no model: ${committed}`;
  const { manifest, file } = committed;
  const { releases, rollouts } = fleet.services;
  let release = releases.byNameVersion(manifest.name, manifest.version);
  if (!release) {
    const bytes = readFileSync(file);
    const { createHash } = await import('node:crypto');
    const releaseManifest: ReleaseManifest = {
      schema: 1,
      component: 'model',
      name: manifest.name,
      version: manifest.version,
      deviceKinds: ['cart'],
      hardwareModels: [],
      upgradeFrom: '*',
      artifact: {
        sha256: createHash('sha256').update(bytes).digest('hex'),
        size: bytes.length,
        mediaType: ARTIFACT_MEDIA_TYPES.model,
      },
      createdAt: new Date().toISOString(),
      notes: 'Demo: the committed product embedder (models/product-embedder/).',
      metadata: manifest.metadata as unknown as ReleaseManifest['metadata'],
    };
    await releases.stage(Readable.from([bytes]), { username: 'demo' });
    await releases.publish({ manifest: releaseManifest }, { username: 'demo' });
    release = releases.byNameVersion(manifest.name, manifest.version);
    log.warn({ release: `${manifest.name}@${manifest.version}`, bytes: bytes.length }, 'demo model release published');
  }
  if (!release || !rollouts) return 'model release published; no rollouts service';
  if (rollouts.service.rolloutIdsOf(release.id).length > 0) return 'model release already rolled out';
  const spec = galleryRolloutSpec('', release.id, `demo: ${manifest.name}@${manifest.version} to every cart`);
  spec.targets = { kinds: ['cart'] };
  spec.abort.minFinished = 1;
  const devices = rollouts.service.preview(spec).devices;
  if (devices === 0) return 'no carts to roll the model out to';
  spec.abort.minFinished = Math.min(3, devices);
  await rollouts.service.create(spec, { username: 'demo' });
  return `model rolled out to ${devices} carts`;
}

/**
 * Enrols each store's products from rendered photos through the fleet's enrolment service (as a manager's upload
 * would), except {@link DEMO_VISION.notEnrolled}; a product that has its photos already is skipped, so a second run
 * adds nothing. The fleet embeds each photo and its debounced build publishes and rolls out the gallery. Run in the
 * background: the demo is usable at once, recognition comes when the gallery arrives. Returns the photos added.
 */
export async function enrolDemoProducts(
  fleet: FleetServer,
  storeIds: readonly string[],
  log: Logger,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  const { vision, catalog } = fleet.services;
  const products = enrollableProducts(catalog.products.all()).filter(
    (p) => !(DEMO_VISION.notEnrolled as readonly string[]).includes(p.sku),
  );
  const renderer = new ViewRenderer(DEMO_VISION.photoSide);
  let added = 0;
  for (const storeId of storeIds) {
    for (const product of products) {
      if (shouldStop()) return added;
      const have = vision.parts.repository.countPhotos(storeId, product.sku, 'enrolment');
      if (have >= DEMO_VISION.photosPerProduct) continue;
      const photos = renderProductPhotos(product, DEMO_VISION.photosPerProduct, renderer).slice(have);
      for (const photo of photos) {
        try {
          const upload = await vision.enrolment.addPhoto(storeId, product.sku, photo, 'demo');
          if (!upload.existed) added++;
        } catch (err) {
          log.warn({ storeId, sku: product.sku, err: (err as Error).message }, 'demo enrolment photo refused');
        }
      }
    }
  }
  return added;
}

/** A SKU as a seed (FNV-1a). */
function skuSeed(sku: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < sku.length; i++) h = Math.imul(h ^ sku.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
