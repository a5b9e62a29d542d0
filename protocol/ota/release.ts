import { DEVICE_KINDS } from '../api/devices.ts';
import { type FromSchema, integer, object, oneOfValues } from '../api/json-schema.ts';
import { sha256String } from '../broadcast/manifest.ts';

/**
 * What a release can update. Each component has its own A/B slots on a device and rolls back on its own: a model
 * that fails its self-test never touches the software, and the reverse (Greengrass' per-component rollback). A
 * gallery (a store's product embeddings, issue 11) is its own component: it changes per store and far more often
 * than the model it was built with.
 */
export const OTA_COMPONENTS = ['software', 'model', 'config', 'gallery'] as const;
export type OtaComponent = (typeof OTA_COMPONENTS)[number];

/** The artifact's bytes as stored and downloaded; a delta is computed between two artifacts of one component. */
export const ARTIFACT_MEDIA_TYPES = {
  /** A device software bundle: an uncompressed POSIX tar of the runtime (uncompressed so deltas stay small). */
  software: 'application/x-tar',
  /** One ONNX model file (its manifest travels in the release's `metadata`). */
  model: 'application/vnd.onnx',
  /** A config bundle: one JSON document the runtime merges over its config file. */
  config: 'application/json',
  /** A store's product gallery for the cart's recognition (issue 11): one `CFGAL001` file (protocol/vision/gallery.ts). */
  gallery: 'application/vnd.cartfleet.gallery',
} as const satisfies Record<OtaComponent, string>;

/**
 * Semantic Versioning 2.0.0, the regular expression semver.org gives (no leading `v`). Build metadata is allowed and,
 * as the specification says, ignored for precedence.
 */
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
export const semverString = { type: 'string', pattern: SEMVER_PATTERN, maxLength: 64 } as const;

/** A release's name: what it updates, e.g. `cart-runtime`, `speaker-runtime`, `product-embedder`, `cart-config`. */
export const RELEASE_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';

/** Largest artifact the fleet accepts (a runtime bundle with its assets, or a model). */
export const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

/**
 * What a release is, as signed. `upgradeFrom` is a semver range (node-semver's syntax, e.g. `>=1.2.0 <2.0.0`, `*`)
 * of the installed versions of the same `name` it may replace; a device outside it rejects the job
 * (`OTA_UPGRADE_PATH`). `hardwareModels` empty means every model of the kinds listed. `metadata` carries what a
 * component needs beyond the bytes (a model's input shape and reference outputs, a bundle's entry point); it is signed
 * with the rest.
 */
export const ReleaseManifestSchema = object(
  {
    schema: { const: 1 },
    component: oneOfValues(OTA_COMPONENTS),
    name: { type: 'string', pattern: RELEASE_NAME_PATTERN },
    version: semverString,
    deviceKinds: { type: 'array', items: oneOfValues(DEVICE_KINDS), minItems: 1, uniqueItems: true },
    hardwareModels: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 32 },
    upgradeFrom: { type: 'string', minLength: 1, maxLength: 200 },
    artifact: object({
      sha256: sha256String,
      size: integer({ minimum: 1, maximum: MAX_ARTIFACT_BYTES }),
      mediaType: { type: 'string', enum: Object.values(ARTIFACT_MEDIA_TYPES) },
    }),
    /** ISO 8601, when the manifest was made (informational: ordering is by version). */
    createdAt: { type: 'string', maxLength: 40 },
    notes: { type: 'string', maxLength: 2000 },
    metadata: { type: 'object', additionalProperties: true },
  },
  { optional: ['notes', 'metadata'] },
);
export type ReleaseManifest = FromSchema<typeof ReleaseManifestSchema>;

/** Signatures are ed25519 (RFC 8032) over the manifest's canonical JSON (RFC 8785), see `ota/release/`. */
export const SIGNATURE_ALGORITHMS = ['ed25519'] as const;

/**
 * A key id: the first 16 hex digits of the sha256 of the raw 32-byte ed25519 public key. Devices hold one or more
 * verify keys by id, so a new signing key can be rolled out (as a config release signed by the old one) before it
 * signs anything.
 */
export const KEY_ID_PATTERN = '^[0-9a-f]{16}$';

export const ReleaseSignatureSchema = object({
  keyId: { type: 'string', pattern: KEY_ID_PATTERN },
  algorithm: oneOfValues(SIGNATURE_ALGORITHMS),
  /** base64 of the 64-byte signature. */
  signature: { type: 'string', minLength: 86, maxLength: 100 },
});
export type ReleaseSignature = FromSchema<typeof ReleaseSignatureSchema>;

/** A manifest with its signatures: what the fleet stores, the job document carries and the device verifies. */
export const SignedReleaseSchema = object({
  manifest: ReleaseManifestSchema,
  signatures: { type: 'array', items: ReleaseSignatureSchema, minItems: 1, maxItems: 4 },
});
export type SignedRelease = FromSchema<typeof SignedReleaseSchema>;
