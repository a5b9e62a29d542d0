import type { Readable } from 'node:stream';
import { NoContent } from '../../../protocol/api/json-schema.ts';
import {
  PublishReleaseRequestSchema,
  ReleaseDetailSchema,
  ReleaseListQuerySchema,
  ReleasePageSchema,
  ReleaseParams,
  StagedArtifactSchema,
} from '../../../protocol/api/releases.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import { MAX_ARTIFACT_BYTES } from '../../../protocol/ota/release.ts';
import type { ReleaseService } from '../../ota/releases/release-service.ts';
import { audit, type HttpDeps, noContent, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/** The release store; 404 when the fleet runs without it. */
function releasesOf(deps: HttpDeps): ReleaseService {
  if (!deps.releases) throw new FleetError('NOT_FOUND', 'the release store is not running');
  return deps.releases;
}

/**
 * OTA releases (issue 10): `releases:read` lists and reads them with their signature status and deltas;
 * `releases:publish` (HQ admins) uploads artifacts, publishes and deletes. Publishing is two requests: the bytes
 * (streamed, content-addressed), then the manifest naming them (docs/api.md, Releases).
 */
export function releaseRoutes(app: ApiApp, deps: HttpDeps): void {
  app.register(async (raw: ApiApp) => {
    // Any body is the artifact's bytes, unparsed, whatever its type (a config artifact is JSON, and stays bytes).
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    raw.post(
      '/api/releases/artifacts',
      {
        config: { permission: 'releases:publish' },
        schema: {
          tags: ['releases'],
          summary: `Upload an artifact's bytes as the raw body (at most ${MAX_ARTIFACT_BYTES} bytes): stored under its sha256, which the manifest then names; the same bytes again answer existed`,
          response: { 200: StagedArtifactSchema },
        },
      },
      async (req, reply) => {
        const releases = releasesOf(deps);
        const max = releases.options.maxArtifactBytes;
        const declared = Number(req.headers['content-length']);
        try {
          if (Number.isFinite(declared) && declared > max) {
            throw new FleetError('PAYLOAD_TOO_LARGE', `an artifact is at most ${max} bytes`, { maxBytes: max });
          }
          const body = req.body as unknown;
          if (!body || typeof (body as Readable).pipe !== 'function') {
            throw new FleetError('RELEASE_INVALID', 'send the artifact as the body (application/octet-stream)');
          }
          return await releases.stage(body as Readable, { username: principal(req).username });
        } catch (err) {
          // The rest of an oversized body is not read: the connection closes after the answer.
          if (isFleetError(err, 'PAYLOAD_TOO_LARGE')) reply.header('connection', 'close');
          throw err;
        }
      },
    );
  });

  app.post(
    '/api/releases',
    {
      config: { permission: 'releases:publish' },
      schema: {
        tags: ['releases'],
        summary:
          'Publish a release: its manifest naming an uploaded artifact, with signatures (verified against the trusted keys) or none (the fleet signs with its key). Deltas from earlier versions follow in the background',
        body: PublishReleaseRequestSchema,
        response: { 201: ReleaseDetailSchema },
      },
    },
    async (req, reply) => {
      const detail = await releasesOf(deps).publish(req.body, { username: principal(req).username });
      audit(req, deps, {
        action: 'release.publish',
        targetType: 'release',
        targetId: detail.id,
        storeId: null,
        details: {
          name: detail.name,
          version: detail.version,
          component: detail.component,
          sha256: detail.sha256,
          keyIds: detail.signatures.map((s) => s.keyId),
          signedByFleet: req.body.signatures === undefined,
        },
      });
      return reply.status(201).send(detail);
    },
  );

  app.get(
    '/api/releases',
    {
      config: { permission: 'releases:read' },
      schema: {
        tags: ['releases'],
        summary: 'Releases, newest first: filter by component and name',
        querystring: ReleaseListQuerySchema,
        response: { 200: ReleasePageSchema },
      },
    },
    async (req) => releasesOf(deps).list(req.query),
  );

  app.get(
    '/api/releases/:releaseId',
    {
      config: { permission: 'releases:read' },
      schema: {
        tags: ['releases'],
        summary:
          'One release: its signed manifest, each signature as judged against the trusted keys, deltas, rollouts',
        params: ReleaseParams,
        response: { 200: ReleaseDetailSchema },
      },
    },
    async (req) => releasesOf(deps).detail(req.params.releaseId),
  );

  app.delete(
    '/api/releases/:releaseId',
    {
      config: { permission: 'releases:publish' },
      schema: {
        tags: ['releases'],
        summary: 'Delete a release with its deltas (409 RELEASE_IN_USE while a rollout of it has not finished)',
        params: ReleaseParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      const release = await releasesOf(deps).remove(req.params.releaseId);
      audit(req, deps, {
        action: 'release.delete',
        targetType: 'release',
        targetId: release.id,
        storeId: null,
        details: { name: release.name, version: release.version, sha256: release.sha256 },
      });
      return noContent(reply);
    },
  );
}
