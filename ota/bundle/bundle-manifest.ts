import { posix } from 'node:path';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import { DEVICE_KINDS } from '../../protocol/api/devices.ts';
import { type FromSchema, object, oneOfValues } from '../../protocol/api/json-schema.ts';
import { RELEASE_NAME_PATTERN, semverString } from '../../protocol/ota/release.ts';

/** The file at a bundle's root that says what it is and how to start it. */
export const BUNDLE_MANIFEST_FILE = 'bundle.json';

/** A path inside a bundle: relative, POSIX, no `..`, no empty or `.` segments. */
export function isBundlePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path.startsWith('/') || path.includes('\\')) return false;
  if (path.includes('\0')) return false;
  const normal = posix.normalize(path);
  if (normal !== path.replace(/\/$/, '')) return false;
  return normal.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const bundlePath = { type: 'string', minLength: 1, maxLength: 1024 } as const;

/**
 * `bundle.json`: the runtime a software bundle holds. `entry` is what the launcher starts (`node <slot>/<entry>
 * --config ...`); `selfTest`, when present, is a script the agent runs in a child `node` after the switch: it must
 * exit 0, proving the new code loads and its own checks pass before the slot is committed. Both are paths inside the
 * bundle ({@link isBundlePath}).
 */
export const BundleManifestSchema = object(
  {
    schema: { const: 1 },
    name: { type: 'string', pattern: RELEASE_NAME_PATTERN },
    version: semverString,
    kind: oneOfValues(DEVICE_KINDS),
    entry: bundlePath,
    selfTest: bundlePath,
  },
  { optional: ['selfTest'] },
);
export type BundleManifest = FromSchema<typeof BundleManifestSchema>;

/** bundle.json's content, checked: the schema, then every path inside the bundle. */
export function checkBundleManifest(
  value: unknown,
): { ok: true; manifest: BundleManifest } | { ok: false; reason: string } {
  validator ??= new SchemaValidator<BundleManifest>(BundleManifestSchema);
  const checked = validator.check(value);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  for (const path of [checked.value.entry, checked.value.selfTest])
    if (path !== undefined && !isBundlePath(path))
      return { ok: false, reason: `${path}: not a path inside the bundle` };
  return { ok: true, manifest: checked.value };
}

// Compiled on first use and kept (immutable once made).
let validator: SchemaValidator<BundleManifest> | undefined;
