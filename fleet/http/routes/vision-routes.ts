import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NoContent, object } from '../../../protocol/api/json-schema.ts';
import { paging, StoreParams } from '../../../protocol/api/parameters.ts';
import {
  AccuracyQuerySchema,
  ChainAccuracyQuerySchema,
  EnrolledProductListQuerySchema,
  EnrolledProductPageSchema,
  EnrolledProductSchema,
  FieldAccuracyReportSchema,
  GalleryBuildRequestSchema,
  GalleryBuildResultSchema,
  GalleryPhotoParams,
  GalleryProductParams,
  GalleryVersionPageSchema,
  MAX_ENROLMENT_PHOTO_BYTES,
  PhotoUploadSchema,
  RecognitionRecordPageSchema,
  RecognitionRecordQuerySchema,
  StoreVisionSchema,
  VisionSettingsBodySchema,
  VisionSettingsSchema,
} from '../../../protocol/api/vision.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope } from '../../access/principal.ts';
import type { VisionService } from '../../vision/vision-service.ts';
import { audit, type HttpDeps, noContent, principal, scopeList } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

function visionOf(deps: HttpDeps): VisionService {
  if (!deps.vision) throw new FleetError('NOT_FOUND', 'product recognition is not running');
  return deps.vision;
}

/** A store outside the caller's scope answers as an unknown one (the rule of every store-scoped route). */
function scopedStore(req: FastifyRequest, storeId: string): void {
  if (!inScope(principal(req), storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
}

const VersionListQuerySchema = object({ ...paging }, { optional: ['limit', 'offset'] });

/**
 * Product recognition (issue 11, `protocol/api/vision.ts`): a store's gallery enrolment (photos as raw image bodies),
 * builds and versions (`vision:enrol` to change, `vision:read` to read), its vision settings (`vision:manage`), the
 * store's vision view, recognition records and field accuracy (`vision:read`; chain-wide for a chain-wide role).
 */
export function visionRoutes(app: ApiApp, deps: HttpDeps): void {
  app.register(async (raw: ApiApp) => {
    // The photo is the body, as bytes (JPEG or PNG; octet-stream for clients that do not say), decoded by the service.
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    raw.post(
      '/api/stores/:storeId/gallery/products/:sku/photos',
      {
        config: { permission: 'vision:enrol' },
        bodyLimit: MAX_ENROLMENT_PHOTO_BYTES,
        schema: {
          tags: ['vision'],
          summary: `Add an enrolment photo of a product (the raw body: a JPEG or PNG, at most ${MAX_ENROLMENT_PHOTO_BYTES} bytes); it is embedded with the store's model and the gallery is rebuilt shortly after`,
          params: GalleryProductParams,
          response: { 201: PhotoUploadSchema },
        },
      },
      async (req, reply) => {
        const { storeId, sku } = req.params;
        scopedStore(req, storeId);
        const body = req.body as unknown;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw new FleetError('VISION_IMAGE_INVALID', 'send the photo as the body (image/jpeg or image/png)');
        }
        const upload = await visionOf(deps).enrolment.addPhoto(storeId, sku, body, principal(req).username);
        if (!upload.existed) {
          audit(req, deps, {
            action: 'vision.photo.add',
            targetType: 'product',
            targetId: sku,
            storeId,
            details: { photoId: upload.photo.id, sha256: upload.photo.sha256, bytes: upload.photo.bytes },
          });
        }
        return reply.status(201).send(upload);
      },
    );
  });

  app.get(
    '/api/stores/:storeId/vision',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary:
          "A store's product recognition: the model photos are embedded with, the latest gallery version, enrolment counts, and which model and gallery each cart runs",
        params: StoreParams,
        response: { 200: StoreVisionSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return visionOf(deps).storeVision(req.params.storeId);
    },
  );

  app.get(
    '/api/stores/:storeId/gallery/products',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "A store's enrolled products, whether each is recognisable (and why not)",
        params: StoreParams,
        querystring: EnrolledProductListQuerySchema,
        response: { 200: EnrolledProductPageSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return visionOf(deps).enrolment.listProducts(req.params.storeId, req.query);
    },
  );

  app.get(
    '/api/stores/:storeId/gallery/products/:sku',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: 'One enrolled product with its photos',
        params: GalleryProductParams,
        response: { 200: EnrolledProductSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return visionOf(deps).enrolment.product(req.params.storeId, req.params.sku);
    },
  );

  app.delete(
    '/api/stores/:storeId/gallery/products/:sku',
    {
      config: { permission: 'vision:enrol' },
      schema: {
        tags: ['vision'],
        summary: 'Take a product and all its photos out of the gallery (from the next build)',
        params: GalleryProductParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const { storeId, sku } = req.params;
      scopedStore(req, storeId);
      const photos = await visionOf(deps).enrolment.deleteProduct(storeId, sku);
      audit(req, deps, {
        action: 'vision.product.delete',
        targetType: 'product',
        targetId: sku,
        storeId,
        details: { photos },
      });
      return noContent(reply);
    },
  );

  app.get(
    '/api/stores/:storeId/gallery/photos/:photoId',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "A gallery photo's bytes (its media type)",
        params: GalleryPhotoParams,
        response: {
          200: {
            description: 'the photo as uploaded (JPEG or PNG)',
            content: {
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } },
            },
          },
        },
      },
    },
    async (req, reply) => {
      scopedStore(req, req.params.storeId);
      const { photo, path } = visionOf(deps).enrolment.photo(req.params.storeId, req.params.photoId);
      return sendPhoto(reply, photo.mediaType, photo.sha256, path);
    },
  );

  app.get(
    '/api/stores/:storeId/gallery/photos/:photoId/thumbnail',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "A gallery photo's thumbnail: its centre square as a small JPEG (what the console lists)",
        params: GalleryPhotoParams,
        response: {
          200: {
            description: 'a JPEG of the photo’s centre square',
            content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
    async (req, reply) => {
      scopedStore(req, req.params.storeId);
      const { photo, path } = await visionOf(deps).enrolment.thumbnail(req.params.storeId, req.params.photoId);
      return sendPhoto(reply, 'image/jpeg', `${photo.sha256}-thumbnail`, path);
    },
  );

  app.delete(
    '/api/stores/:storeId/gallery/photos/:photoId',
    {
      config: { permission: 'vision:enrol' },
      schema: {
        tags: ['vision'],
        summary: 'Delete a gallery photo (enrolled or contributed)',
        params: GalleryPhotoParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const { storeId, photoId } = req.params;
      scopedStore(req, storeId);
      const photo = await visionOf(deps).enrolment.deletePhoto(storeId, photoId);
      audit(req, deps, {
        action: 'vision.photo.delete',
        targetType: 'product',
        targetId: photo.sku ?? photo.id,
        storeId,
        details: { photoId, source: photo.source },
      });
      return noContent(reply);
    },
  );

  app.post(
    '/api/stores/:storeId/gallery/builds',
    {
      config: { permission: 'vision:enrol' },
      schema: {
        tags: ['vision'],
        summary:
          "Build the store's gallery now: a signed gallery release rolled out to its carts (a no-op when nothing changed, unless force)",
        params: StoreParams,
        body: GalleryBuildRequestSchema,
        response: { 200: GalleryBuildResultSchema },
      },
    },
    async (req, reply) => {
      const { storeId } = req.params;
      scopedStore(req, storeId);
      const vision = visionOf(deps);
      if (!deps.stores.getStore(storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
      const result = await vision.builds.build(storeId, {
        trigger: 'manual',
        actor: principal(req).username,
        force: req.body?.force ?? false,
      });
      if (result.built && result.version) {
        audit(req, deps, {
          action: 'vision.gallery.build',
          targetType: 'release',
          targetId: result.version.releaseId,
          storeId,
          details: {
            version: result.version.version,
            products: result.version.products,
            model: result.version.model,
            rolloutId: result.version.rolloutId,
          },
        });
      }
      return reply.status(200).send(result);
    },
  );

  app.get(
    '/api/stores/:storeId/gallery/versions',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "The store's gallery versions, newest first, with their releases and rollouts",
        params: StoreParams,
        querystring: VersionListQuerySchema,
        response: { 200: GalleryVersionPageSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      if (!deps.stores.getStore(req.params.storeId))
        throw new FleetError('STORE_NOT_FOUND', `no store '${req.params.storeId}'`);
      return visionOf(deps).builds.versions(req.params.storeId, req.query.limit ?? 50, req.query.offset ?? 0);
    },
  );

  app.get(
    '/api/stores/:storeId/vision/settings',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "The store's vision settings: contributed photos opt-in, planogram",
        params: StoreParams,
        response: { 200: VisionSettingsSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return visionOf(deps).enrolment.settings(req.params.storeId);
    },
  );

  app.put(
    '/api/stores/:storeId/vision/settings',
    {
      config: { permission: 'vision:manage' },
      schema: {
        tags: ['vision'],
        summary: "Set the store's vision settings (a planogram change rebuilds the gallery: its products' zones)",
        params: StoreParams,
        body: VisionSettingsBodySchema,
        response: { 200: VisionSettingsSchema },
      },
    },
    async (req) => {
      const { storeId } = req.params;
      scopedStore(req, storeId);
      const vision = visionOf(deps);
      const before = vision.enrolment.settings(storeId);
      const after = await vision.enrolment.putSettings(storeId, req.body, principal(req).username);
      audit(req, deps, {
        action: 'vision.settings.update',
        targetType: 'store',
        targetId: storeId,
        storeId,
        details: { before: { contributions: before.contributions, zones: before.planogram.length }, after: req.body },
      });
      return after;
    },
  );

  app.get(
    '/api/stores/:storeId/vision/records',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary: "The store's recognition records, newest first (default: the last 7 days)",
        params: StoreParams,
        querystring: RecognitionRecordQuerySchema,
        response: { 200: RecognitionRecordPageSchema },
      },
    },
    async (req) => {
      scopedStore(req, req.params.storeId);
      return visionOf(deps).records([req.params.storeId], req.query);
    },
  );

  app.get(
    '/api/stores/:storeId/vision/accuracy',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary:
          "Field accuracy of the store's recognition: vision top-1, with priors, decisions; overall, by product, by model version (default: the last 7 days)",
        params: StoreParams,
        querystring: AccuracyQuerySchema,
        response: { 200: FieldAccuracyReportSchema },
      },
    },
    async (req) => {
      const { storeId } = req.params;
      scopedStore(req, storeId);
      return visionOf(deps).accuracy([storeId], storeId, req.query);
    },
  );

  app.get(
    '/api/vision/accuracy',
    {
      config: { permission: 'vision:read' },
      schema: {
        tags: ['vision'],
        summary:
          "Field accuracy across the caller's stores (the chain for a chain-wide role), or one store's with storeId",
        querystring: ChainAccuracyQuerySchema,
        response: { 200: FieldAccuracyReportSchema },
      },
    },
    async (req) => {
      const { storeId, ...range } = req.query;
      if (storeId) {
        scopedStore(req, storeId);
        return visionOf(deps).accuracy([storeId], storeId, range);
      }
      return visionOf(deps).accuracy(scopeList(principal(req).storeIds), null, range);
    },
  );
}

/** A photo's bytes: content-addressed, so its sha256 is a strong validator and the bytes never change. */
function sendPhoto(reply: FastifyReply, mediaType: string, sha256: string, path: string): FastifyReply {
  return reply
    .type(mediaType)
    .header('cache-control', 'private, max-age=86400, immutable')
    .header('etag', `"${sha256}"`)
    .send(createReadStream(path));
}
