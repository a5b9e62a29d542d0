import { statSync } from 'node:fs';
import { extname } from 'node:path';
import type {
  EnrolledProduct,
  EnrolledProductPage,
  GalleryBuildResult,
  GalleryVersion,
  GalleryVersionPage,
  PhotoUpload,
  StoreVision,
} from '../../../protocol/api/vision.ts';
import {
  type CliContext,
  type CommandGroup,
  groupHelp,
  integerOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

const MEDIA_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' };

export const galleryCommands: CommandGroup = {
  name: 'gallery',
  summary: "A store's product gallery: enrol products with photos, build, status",
  help: `fleetctl gallery — a store's gallery of products the carts recognise (issue 11)

  fleetctl gallery enrol STORE SKU PHOTO...      uploads 3–5 photos of a product (JPEG or PNG); prints whether it
                                                 is recognisable now, and why not
  fleetctl gallery photos STORE [SKU] [--limit N]  the enrolled products, or one product's photos
  fleetctl gallery rm STORE SKU                  takes the product and its photos out of the gallery
  fleetctl gallery build STORE [--force]         builds now: a signed gallery release rolled out to the store's
                                                 carts (nothing when nothing changed, unless --force)
  fleetctl gallery status STORE                  the model, the latest version, what each cart runs
  fleetctl gallery versions STORE [--limit N]    the versions built, newest first

The fleet also builds by itself shortly after an enrolment change (vision.buildDebounceMs). Enrolment needs the
vision:enrol permission (HQ admins; store managers for their own stores).

Examples:
  fleetctl gallery enrol hf-shanghai-xuhui milk-1l front.jpg side.jpg top.jpg
  fleetctl gallery build hf-shanghai-xuhui
  fleetctl gallery status hf-shanghai-xuhui --json`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      force: { type: 'boolean' },
      limit: { type: 'string' },
    });
    const [action, store, sku, ...files] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'enrol':
        return enrol(ctx, required(store, 'STORE', 'gallery'), required(sku, 'SKU', 'gallery'), files);
      case 'photos': {
        const storeId = required(store, 'STORE', 'gallery');
        if (sku) return showProduct(ctx, storeId, sku);
        const page = await ctx.api().get<EnrolledProductPage>(`/api/stores/${enc(storeId)}/gallery/products`, {
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(page.items, [
          { header: 'SKU', value: (p) => p.sku },
          { header: 'NAME', value: (p) => p.name?.en ?? '(not in catalog)' },
          { header: 'PHOTOS', value: (p) => p.enrolmentPhotos, align: 'right' },
          { header: 'CONTRIBUTED', value: (p) => p.contributedPhotos, align: 'right' },
          {
            header: 'RECOGNISABLE',
            value: (p) => (p.recognisable ? 'yes' : p.reasons.map((r) => r.reason).join(',')),
            colour: (p) => (p.recognisable ? 'green' : 'yellow'),
          },
          { header: 'IN VERSION', value: (p) => p.inGalleryVersion ?? '-', align: 'right' },
          { header: 'ZONES', value: (p) => p.zones.join(',') },
        ]);
        if (page.total > page.items.length) ctx.out.note(`${page.items.length} of ${page.total} (--limit for more)`);
        return EXIT.ok;
      }
      case 'rm': {
        const storeId = required(store, 'STORE', 'gallery');
        await ctx.api().delete(`/api/stores/${enc(storeId)}/gallery/products/${enc(required(sku, 'SKU', 'gallery'))}`);
        if (ctx.out.json) ctx.out.printJson({ storeId, sku, removed: true });
        else ctx.out.line(`${sku} is out of ${storeId}'s gallery from its next build`);
        return EXIT.ok;
      }
      case 'build': {
        const storeId = required(store, 'STORE', 'gallery');
        const result = await ctx
          .api()
          .post<GalleryBuildResult>(`/api/stores/${enc(storeId)}/gallery/builds`, values.force ? { force: true } : {});
        if (ctx.out.json) {
          ctx.out.printJson(result);
          return EXIT.ok;
        }
        if (!result.built) ctx.out.line(`nothing built (${result.reason})`);
        if (result.version) showVersion(ctx, result.version);
        return EXIT.ok;
      }
      case 'status': {
        const view = await ctx.api().get<StoreVision>(`/api/stores/${enc(required(store, 'STORE', 'gallery'))}/vision`);
        if (ctx.out.json) {
          ctx.out.printJson(view);
          return EXIT.ok;
        }
        ctx.out.fields([
          ['store', view.storeId],
          [
            'model',
            view.model
              ? `${view.model.name}@${view.model.version} (${view.model.source})`
              : `none: ${view.modelProblem}`,
          ],
          ['products', `${view.products.recognisable} recognisable of ${view.products.enrolled} enrolled`],
          ['contributions', view.settings.contributions ? `on (${view.pendingContributions} waiting)` : 'off'],
          [
            'latest version',
            view.latestVersion ? `${view.latestVersion.version} (${view.latestVersion.state})` : 'none',
          ],
          ['changed since', view.changedSinceLatest ? 'yes' : 'no'],
          ['next build', view.nextBuildAt ? ctx.out.ago(view.nextBuildAt) : '-'],
        ]);
        ctx.out.heading('Carts');
        ctx.out.table(view.carts, [
          { header: 'CART', value: (c) => c.thingName },
          { header: 'ONLINE', value: (c) => (c.online ? 'yes' : 'no') },
          {
            header: 'MODEL',
            value: (c) => (c.model ? `${c.model.name}@${c.model.version}${c.model.onTrial ? ' (trial)' : ''}` : '-'),
          },
          { header: 'GALLERY', value: (c) => c.galleryVersion ?? '-', align: 'right' },
          { header: 'JOB', value: (c) => (c.job ? c.job.step : '-') },
        ]);
        return EXIT.ok;
      }
      case 'versions': {
        const storeId = required(store, 'STORE', 'gallery');
        const page = await ctx.api().get<GalleryVersionPage>(`/api/stores/${enc(storeId)}/gallery/versions`, {
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(page.items, [
          { header: 'VERSION', value: (v) => v.version, align: 'right' },
          { header: 'PRODUCTS', value: (v) => v.products, align: 'right' },
          { header: 'MODEL', value: (v) => `${v.model.name}@${v.model.version}` },
          { header: 'STATE', value: (v) => v.state },
          { header: 'RELEASE', value: (v) => v.releaseId },
          { header: 'ROLLOUT', value: (v) => v.rolloutId ?? '-' },
          { header: 'BUILT', value: (v) => ctx.out.ago(v.createdAt) },
        ]);
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown gallery command '${action}' (fleetctl gallery --help)`);
    }
  },
};

function enc(value: string): string {
  return encodeURIComponent(value);
}

async function enrol(ctx: CliContext, storeId: string, sku: string, files: string[]): Promise<number> {
  if (files.length === 0) throw usageError('give the photos to enrol (3–5 JPEG or PNG files)');
  const uploads: PhotoUpload[] = [];
  for (const file of files) {
    const contentType = MEDIA_TYPES[extname(file).toLowerCase()];
    if (!contentType) throw usageError(`${file}: a photo is a .jpg, .jpeg or .png file`);
    const size = statSync(file).size;
    uploads.push(
      await ctx.api().upload<PhotoUpload>(
        `/api/stores/${enc(storeId)}/gallery/products/${enc(sku)}/photos`,
        { path: file, size, contentType },
        {},
        () => {},
        () => {},
      ),
    );
  }
  const last = uploads.at(-1)!;
  if (ctx.out.json) {
    ctx.out.printJson({ photos: uploads.map((u) => ({ ...u.photo, existed: u.existed })), product: last.product });
    return EXIT.ok;
  }
  for (const [i, u] of uploads.entries()) ctx.out.line(`${files[i]}: ${u.existed ? 'already enrolled' : u.photo.id}`);
  const { product } = last;
  ctx.out.line(
    product.recognisable
      ? `${sku} is recognisable (${product.enrolmentPhotos} photos): it joins the gallery at the next build`
      : `${sku} is not recognisable yet: ${product.reasons.map((r) => r.message).join('; ')}`,
  );
  return EXIT.ok;
}

async function showProduct(ctx: CliContext, storeId: string, sku: string): Promise<number> {
  const product = await ctx.api().get<EnrolledProduct>(`/api/stores/${enc(storeId)}/gallery/products/${enc(sku)}`);
  if (ctx.out.json) {
    ctx.out.printJson(product);
    return EXIT.ok;
  }
  ctx.out.fields([
    ['product', `${product.sku} ${product.name?.en ?? ''}`],
    ['recognisable', product.recognisable ? 'yes' : product.reasons.map((r) => r.message).join('; ')],
    ['zones', product.zones.join(', ') || '-'],
  ]);
  ctx.out.table(product.photos, [
    { header: 'PHOTO', value: (p) => p.id },
    { header: 'SOURCE', value: (p) => p.source },
    { header: 'SIZE', value: (p) => `${p.width}×${p.height}` },
    { header: 'BY', value: (p) => p.addedBy ?? p.thingName ?? '-' },
    { header: 'EMBEDDED', value: (p) => p.embeddedWith.map((m) => m.version).join(',') || '-' },
    { header: 'ADDED', value: (p) => ctx.out.ago(p.addedAt) },
  ]);
  return EXIT.ok;
}

function showVersion(ctx: CliContext, v: GalleryVersion): void {
  ctx.out.fields([
    ['version', v.version],
    ['products', v.products],
    ['model', `${v.model.name}@${v.model.version}`],
    ['release', `${v.releaseName}@${v.releaseVersion} (${v.releaseId})`],
    ['rollout', v.rolloutId ?? 'none (no carts)'],
    ['state', v.state],
    ['left out', v.leftOut.map((l) => `${l.sku}: ${l.reason}`).join('; ') || '-'],
  ]);
}
