import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  type ContentAsset,
  ContentAssetSchema,
  ContentListQuery,
  ContentPageSchema,
  ContentParams,
  ContentPatchBody,
  ContentUploadQuery,
  ContentUploadResultSchema,
} from '../../../protocol/api/content.ts';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { Principal } from '../../access/principal.ts';
import { visibleTo } from '../../broadcast/content/content-library.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';
import { parseByteRange } from './byte-range.ts';

const AUDIO_MIME = DEVICE_AUDIO_FORMAT.mimeType;

/** Content types an upload may be sent with: the audio itself, any format ffmpeg reads. */
const UPLOAD_TYPES = /^(audio\/[\w.+-]+|application\/(octet-stream|ogg)|video\/mp4)\s*(;|$)/;

/**
 * The broadcast content library (issue 9 item 1). Everyone with `broadcast:read` reads what their scope sees (the
 * chain's content, their stores' own and what is shared with them); `content:write` uploads, renames and removes.
 * A store manager's upload belongs to their store; chain-wide content is HQ's to change.
 */
export function contentRoutes(app: ApiApp, deps: HttpDeps): void {
  const { content } = deps;

  /** The asset if the caller may see it; 404 otherwise (as for an unknown one). */
  const visibleAsset = (req: FastifyRequest, sha256: string): ContentAsset => {
    const asset = content.get(sha256);
    if (!asset || !visibleTo(asset, principal(req).storeIds)) {
      throw new FleetError('ASSET_NOT_FOUND', `no asset ${sha256}`);
    }
    return asset;
  };

  app.register(async (raw: ApiApp) => {
    // The body is not parsed: the route streams it to a temp file, counting (docs/api.md, Content).
    raw.addContentTypeParser(UPLOAD_TYPES, (_req, payload, done) => done(null, payload));
    raw.post(
      '/api/content',
      {
        config: { permission: 'content:write' },
        schema: {
          tags: ['content'],
          summary:
            'Upload audio (MP3, WAV, AAC/M4A, Ogg/Opus, FLAC as the raw body): normalised to the loudness target, stored as Ogg/Opus; the same upload again answers the stored asset',
          querystring: ContentUploadQuery,
          response: { 200: ContentUploadResultSchema },
        },
      },
      async (req, reply) => {
        const me = principal(req);
        const storeId = uploadScope(me, req.query.storeId);
        if (storeId !== null && !deps.stores.getStore(storeId)) {
          throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
        }
        const max = content.options.maxUploadBytes;
        const declared = Number(req.headers['content-length']);
        try {
          if (Number.isFinite(declared) && declared > max) {
            throw new FleetError('AUDIO_TOO_LARGE', `the upload is larger than ${max} bytes`, { maxBytes: max });
          }
          const body = req.body as unknown;
          if (!body || typeof (body as Readable).pipe !== 'function') {
            throw new FleetError(
              'AUDIO_EMPTY',
              'send the audio file as the body (Content-Type audio/* or application/octet-stream)',
            );
          }
          const result = await content.receive(body as Readable, {
            title: req.query.title,
            kind: req.query.kind ?? 'music',
            origin: 'upload',
            storeId,
            createdBy: me.username,
          });
          audit(req, deps, {
            action: 'content.upload',
            targetType: 'content',
            targetId: result.asset.sha256,
            storeId,
            details: {
              title: req.query.title,
              deduplicated: result.deduplicated,
              inputSha256: result.asset.input.sha256,
              lufs: result.asset.loudness.integratedLufs,
            },
          });
          return result;
        } catch (err) {
          // The rest of an oversized body is not read: the connection closes after the answer.
          if (isFleetError(err, 'AUDIO_TOO_LARGE')) reply.header('connection', 'close');
          throw err;
        }
      },
    );
  });

  app.get(
    '/api/content',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['content'],
        summary: 'Assets in my scope, newest first: filter by words in the title, kind, origin, store',
        querystring: ContentListQuery,
        response: { 200: ContentPageSchema },
      },
    },
    async (req) => content.list(req.query, principal(req).storeIds),
  );

  app.get(
    '/api/content/:sha256',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['content'],
        summary: 'One asset: duration, measured loudness (input and stored), waveform, audio URL',
        params: ContentParams,
        response: { 200: ContentAssetSchema },
      },
    },
    async (req) => visibleAsset(req, req.params.sha256),
  );

  app.get(
    '/api/content/:sha256/audio',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['content'],
        summary: 'The stored Ogg/Opus file, with Range requests (206) so a browser can seek',
        params: ContentParams,
        response: {
          200: {
            description: 'the Ogg/Opus bytes (206 with Content-Range for a Range request)',
            content: { [AUDIO_MIME]: { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    },
    async (req, reply) => {
      const asset = visibleAsset(req, req.params.sha256);
      const path = content.pathOf(asset.sha256);
      if (!path) throw new FleetError('ASSET_NOT_FOUND', `no asset ${asset.sha256}`);
      return sendAudio(req, reply, path, asset.sha256);
    },
  );

  app.patch(
    '/api/content/:sha256',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['content'],
        summary: 'Rename an asset or change its kind',
        params: ContentParams,
        body: ContentPatchBody,
        response: { 200: ContentAssetSchema },
      },
    },
    async (req) => {
      const before = visibleAsset(req, req.params.sha256);
      requireOwner(principal(req), before);
      const after = await content.update(before.sha256, req.body);
      audit(req, deps, {
        action: 'content.update',
        targetType: 'content',
        targetId: after.sha256,
        storeId: after.storeId,
        details: {
          before: { title: before.title, kind: before.kind },
          after: { title: after.title, kind: after.kind },
        },
      });
      return after;
    },
  );

  app.delete(
    '/api/content/:sha256',
    {
      config: { permission: 'content:write' },
      schema: {
        tags: ['content'],
        summary:
          "Remove an asset (409 ASSET_IN_USE while scheduled). A store manager removes their store's claim: a shared asset stays for the other stores",
        params: ContentParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const me = principal(req);
      const asset = visibleAsset(req, req.params.sha256);
      let removed = true;
      if (me.storeIds === null) await content.remove(asset.sha256);
      else removed = (await content.removeForStores(asset.sha256, me.storeIds)).removed;
      audit(req, deps, {
        action: 'content.delete',
        targetType: 'content',
        targetId: asset.sha256,
        storeId: asset.storeId,
        details: { title: asset.title, removed, before: { storeId: asset.storeId, sharedWith: asset.sharedWith } },
      });
      return noContent(reply);
    },
  );
}

/** The store an upload belongs to: a chain-wide role's choice (none: chain-wide), a store role's own store. */
function uploadScope(me: Principal, requested: string | undefined): string | null {
  if (me.storeIds === null) return requested ?? null;
  if (requested !== undefined) {
    if (!me.storeIds.has(requested)) throw new FleetError('NOT_AUTHORIZED', `store '${requested}' is not yours`);
    return requested;
  }
  if (me.storeIds.size === 1) return [...me.storeIds][0] as string;
  throw new FleetError('BAD_REQUEST', 'you manage several stores: say which one with storeId');
}

/** Only the owning scope renames: HQ anything, a store manager their own store's assets. */
function requireOwner(me: Principal, asset: ContentAsset): void {
  if (me.storeIds === null) return;
  if (asset.storeId === null || !me.storeIds.has(asset.storeId)) {
    throw new FleetError(
      'NOT_AUTHORIZED',
      asset.storeId === null ? 'chain-wide content is changed by HQ' : 'the asset belongs to another store',
    );
  }
}

async function sendAudio(
  req: FastifyRequest,
  reply: FastifyReply,
  path: string,
  sha256: string,
): Promise<FastifyReply> {
  const { size } = await stat(path);
  // Content-addressed: the bytes under this URL never change, so the digest is a strong validator.
  const etag = `"${sha256}"`;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('cache-control', 'private, max-age=31536000, immutable')
    .type(DEVICE_AUDIO_FORMAT.mimeType);
  if (req.headers['if-none-match'] === etag) return reply.status(304).send();
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseByteRange(req.headers.range, size) : undefined;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    throw new FleetError('RANGE_NOT_SATISFIABLE', `the audio has ${size} bytes`);
  }
  if (range) {
    return reply
      .status(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
      .header('content-length', range.end - range.start + 1)
      .send(createReadStream(path, { start: range.start, end: range.end }));
  }
  return reply.header('content-length', size).send(createReadStream(path));
}
