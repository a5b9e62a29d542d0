import { sha256String } from '../broadcast/manifest.ts';
import {
  KEY_ID_PATTERN,
  OTA_COMPONENTS,
  RELEASE_NAME_PATTERN,
  ReleaseManifestSchema,
  ReleaseSignatureSchema,
  semverString,
} from '../ota/release.ts';
import { DEVICE_KINDS } from './devices.ts';
import { epochMs, type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * OTA releases (issue 10): signed, immutable artifacts (device software, ONNX models, config bundles). Publishing is
 * two requests: the artifact's bytes (`POST /api/releases/artifacts`, streamed, content-addressed, idempotent), then
 * the manifest that names them by sha256 (`POST /api/releases`), signed by the caller (offline key, `fleetctl
 * releases sign`) or, when the request carries no signature, by the fleet's own signing key file if it has one.
 */

/** `POST /api/releases/artifacts` (body: the raw bytes, `application/octet-stream`): what the fleet received. */
export const StagedArtifactSchema = object({
  sha256: sha256String,
  size: integer({ minimum: 1 }),
  /** `true` when the fleet already had these bytes (nothing was written). */
  existed: { type: 'boolean' },
});
export type StagedArtifact = FromSchema<typeof StagedArtifactSchema>;

/** `POST /api/releases` */
export const PublishReleaseRequestSchema = object(
  {
    manifest: ReleaseManifestSchema,
    /** Omitted: the fleet signs with its configured key (`RELEASE_SIGNING_KEY_MISSING` if it has none). */
    signatures: { type: 'array', items: ReleaseSignatureSchema, minItems: 1, maxItems: 4 },
  },
  { optional: ['signatures'] },
);
export type PublishReleaseRequest = FromSchema<typeof PublishReleaseRequestSchema>;

/** One signature as the fleet judged it against its trusted keys. */
export const SignatureStatusSchema = object({
  keyId: { type: 'string', pattern: KEY_ID_PATTERN },
  /** The key is one the fleet (and, through its config, the devices) trusts. */
  trusted: { type: 'boolean' },
  /** The signature verifies against the manifest with that key. */
  valid: { type: 'boolean' },
});

/** A delta on offer: from an earlier release of the same name to this one. */
export const ReleaseDeltaSchema = object({
  fromReleaseId: idString,
  fromVersion: semverString,
  fromSha256: sha256String,
  sha256: sha256String,
  size: integer({ minimum: 1 }),
  /** `size` / the full artifact's size. */
  ratio: { type: 'number' },
});

export const ReleaseSummarySchema = object({
  id: idString,
  component: oneOfValues(OTA_COMPONENTS),
  name: { type: 'string', pattern: RELEASE_NAME_PATTERN },
  version: semverString,
  deviceKinds: { type: 'array', items: oneOfValues(DEVICE_KINDS) },
  hardwareModels: { type: 'array', items: { type: 'string' } },
  upgradeFrom: { type: 'string' },
  sha256: sha256String,
  size: integer({ minimum: 1 }),
  /** Every signature valid and by a trusted key. */
  signatureOk: { type: 'boolean' },
  publishedBy: nullable({ type: 'string' }),
  publishedAt: epochMs,
  /** Devices that report this release active in their slots now. */
  installedOn: integer({ minimum: 0 }),
});
export type ReleaseSummary = FromSchema<typeof ReleaseSummarySchema>;

export const ReleaseDetailSchema = object({
  ...ReleaseSummarySchema.properties,
  manifest: ReleaseManifestSchema,
  signatures: { type: 'array', items: ReleaseSignatureSchema },
  signatureStatus: { type: 'array', items: SignatureStatusSchema },
  deltas: { type: 'array', items: ReleaseDeltaSchema },
  /** Rollouts of this release, newest first. */
  rolloutIds: { type: 'array', items: idString },
});
export type ReleaseDetail = FromSchema<typeof ReleaseDetailSchema>;

export const ReleasePageSchema = page(ReleaseSummarySchema);
export type ReleasePage = FromSchema<typeof ReleasePageSchema>;

export const ReleaseListQuerySchema = object(
  {
    component: oneOfValues(OTA_COMPONENTS),
    name: { type: 'string', pattern: RELEASE_NAME_PATTERN },
    ...paging,
  },
  { optional: ['component', 'name', 'limit', 'offset'] },
);
export type ReleaseListQuery = FromSchema<typeof ReleaseListQuerySchema>;

/** `/api/releases/:releaseId` */
export const ReleaseParams = object({ releaseId: idString });
