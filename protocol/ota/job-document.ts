import { type FromSchema, integer, object } from '../api/json-schema.ts';
import { DEVICE_HTTPS_PREFIX } from '../broadcast/device-content.ts';
import { sha256String } from '../broadcast/manifest.ts';
import { SignedReleaseSchema } from './release.ts';

/** The `operation` of an OTA job document: a device ignores (rejects, `OTA_DOCUMENT_INVALID`) any other. */
export const OTA_JOB_OPERATION = 'cartfleet.ota.install';

/** AWS IoT Jobs' limit on a job document; a signed release and its download links stay far below it. */
export const MAX_JOB_DOCUMENT_BYTES = 32 * 1024;

/**
 * The device HTTPS paths of OTA downloads (mTLS with the device's certificate, Range and If-Range, ETag = sha256):
 * an artifact by its sha256, and a delta from a base artifact to a target artifact.
 */
export const otaDownloadPaths = {
  artifact(sha256: string): string {
    return `${DEVICE_HTTPS_PREFIX}/ota/artifacts/${sha256}`;
  },
  delta(fromSha256: string, toSha256: string): string {
    return `${DEVICE_HTTPS_PREFIX}/ota/deltas/${fromSha256}/${toSha256}`;
  },
  artifactPattern: new RegExp(`^${DEVICE_HTTPS_PREFIX}/ota/artifacts/([0-9a-f]{64})$`),
  deltaPattern: new RegExp(`^${DEVICE_HTTPS_PREFIX}/ota/deltas/([0-9a-f]{64})/([0-9a-f]{64})$`),
};

/**
 * A binary delta (bsdiff 4 format, `BSDIFF40`: see docs/ota.md for why) that turns the artifact `fromSha256` into
 * the release's artifact. The device applies it to its own copy of the base and checks the result against the
 * signed manifest's sha256, so the delta itself needs no signature; `sha256` and `size` check the download.
 */
export const OtaDeltaSchema = object({
  fromVersion: { type: 'string', maxLength: 64 },
  fromSha256: sha256String,
  sha256: sha256String,
  size: integer({ minimum: 1 }),
  path: { type: 'string', maxLength: 300 },
});
export type OtaDelta = FromSchema<typeof OtaDeltaSchema>;

/**
 * The document of an OTA job (AWS IoT Jobs' `jobDocument`): the signed release, where to download it, the deltas on
 * offer, and the device-side limits of this rollout. Everything the device must trust is inside `release` and is
 * verified against the device's own keys before anything is installed.
 */
export const OtaJobDocumentSchema = object(
  {
    operation: { const: OTA_JOB_OPERATION },
    schema: { const: 1 },
    rolloutId: { type: 'string', minLength: 1, maxLength: 64 },
    release: SignedReleaseSchema,
    download: object({
      /** The full artifact (`otaDownloadPaths.artifact`). */
      path: { type: 'string', maxLength: 300 },
      deltas: { type: 'array', items: OtaDeltaSchema, maxItems: 8 },
    }),
    /** Installing a lower version than the installed one is refused (`OTA_DOWNGRADE`) unless the rollout says so. */
    allowDowngrade: { type: 'boolean' },
    /** The health check after the switch must pass within this; otherwise the device rolls back. */
    healthCheckTimeoutSeconds: integer({ minimum: 10, maximum: 3600 }),
    /** Boots of the new software that may end before a commit (crash loop) before the previous slot comes back. */
    maxTrialBoots: integer({ minimum: 1, maximum: 10 }),
  },
  {},
);
export type OtaJobDocument = FromSchema<typeof OtaJobDocumentSchema>;
