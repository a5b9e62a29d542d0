import { writeFileSync } from 'node:fs';
import type { ReleaseDetail, ReleasePage, ReleaseSummary, StagedArtifact } from '../../../protocol/api/releases.ts';
import { OTA_COMPONENTS, type SignedRelease } from '../../../protocol/ota/release.ts';
import {
  type CliContext,
  type CommandGroup,
  groupHelp,
  integerOption,
  listOption,
  parseCommand,
  required,
} from '../cli-context.ts';
import { CliError, EXIT, usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';
import {
  addSignature,
  buildManifest,
  fileDigest,
  type ManifestFields,
  readManifestFile,
  writeSigningKey,
} from './release-files.ts';

export const releaseCommands: CommandGroup = {
  name: 'releases',
  summary: 'OTA releases: keys, manifests, signatures, publish, list, show',
  help: `fleetctl releases — signed releases of device software, models and config (issue 10)

  fleetctl releases keygen --out FILE                 a new Ed25519 signing key (PKCS#8 PEM, mode 0600);
                                                      prints its key id and public key (give that to the fleet
                                                      and the devices: ota.trustedKeys / their verify keys)
  fleetctl releases manifest FILE --component C --name N --version V --kinds K[,K]
                                 [--models M[,M]] [--upgrade-from RANGE] [--notes TEXT] [--metadata JSON-FILE]
                                 [--out M.json]       a manifest for FILE (sha256 and size computed)
  fleetctl releases sign M.json --key FILE [--out FILE]   adds the key's signature (offline: no fleet needed)
  fleetctl releases publish FILE --manifest M.json   uploads FILE (progress on stderr), then publishes M.json
  fleetctl releases publish FILE --component C --name N --version V --kinds K [...] [--key FILE]
                                                      builds the manifest here; signs with --key, or lets the
                                                      fleet sign with its own key
  fleetctl releases list [--component C] [--name N] [--limit N]
  fleetctl releases show ID|NAME@VERSION             manifest, signatures as the fleet judges them, deltas
  fleetctl releases rm ID|NAME@VERSION

Components: ${OTA_COMPONENTS.join(', ')}. --upgrade-from is a node-semver range of the installed versions the release
may replace (default *). The fleet refuses a release whose signatures it cannot verify (RELEASE_SIGNATURE_INVALID,
RELEASE_KEY_UNKNOWN), whose file does not match the manifest (RELEASE_HASH_MISMATCH) or whose version exists
(RELEASE_EXISTS). Publishing and removing need the releases:publish permission (HQ admins).

Examples:
  fleetctl releases keygen --out ~/keys/release-2027.pem
  fleetctl releases manifest cart-runtime-1.4.0.tar --component software --name cart-runtime --version 1.4.0 \\
      --kinds cart --upgrade-from ">=1.2.0 <2.0.0" --out cart-runtime-1.4.0.json
  fleetctl releases sign cart-runtime-1.4.0.json --key ~/keys/release-2027.pem --out cart-runtime-1.4.0.signed.json
  fleetctl releases publish cart-runtime-1.4.0.tar --manifest cart-runtime-1.4.0.signed.json
  fleetctl releases show cart-runtime@1.4.0`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      out: { type: 'string' },
      key: { type: 'string' },
      manifest: { type: 'string' },
      component: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      kinds: { type: 'string', multiple: true },
      models: { type: 'string', multiple: true },
      'upgrade-from': { type: 'string' },
      notes: { type: 'string' },
      metadata: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    const fields: ManifestFields = {
      component: values.component,
      name: values.name,
      version: values.version,
      kinds: listOption(values.kinds),
      models: listOption(values.models),
      upgradeFrom: values['upgrade-from'],
      notes: values.notes,
      metadataFile: values.metadata,
    };
    switch (action) {
      case 'keygen': {
        const out = values.out ?? usageFail('--out FILE is required: where the private key is written');
        const key = writeSigningKey(out);
        if (ctx.out.json) {
          ctx.out.printJson({ keyId: key.keyId, publicKeyPem: key.publicKeyPem, file: out });
          return EXIT.ok;
        }
        ctx.out.fields([
          ['key id', key.keyId],
          ['private key', `${out} (mode 0600: keep it off the fleet if you sign offline)`],
        ]);
        ctx.out.heading('Public key (ota.trustedKeys on the fleet, the verify keys of the devices)');
        ctx.out.line(key.publicKeyPem.trimEnd());
        return EXIT.ok;
      }
      case 'manifest': {
        const manifest = await buildManifest(required(target, 'FILE', 'releases'), fields);
        return emitJson(ctx, manifest, values.out);
      }
      case 'sign': {
        const release = readManifestFile(required(target, 'MANIFEST', 'releases'));
        const signed = addSignature(release, values.key ?? usageFail('--key FILE is required'));
        return emitJson(ctx, signed, values.out);
      }
      case 'publish':
        return publish(ctx, required(target, 'FILE', 'releases'), values.manifest, values.key, fields);
      case 'list': {
        if (values.component && !(OTA_COMPONENTS as readonly string[]).includes(values.component)) {
          throw usageError(`--component must be one of ${OTA_COMPONENTS.join(', ')}`);
        }
        const page = await ctx.api().get<ReleasePage>('/api/releases', {
          component: values.component,
          name: values.name,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(page.items, [
          { header: 'ID', value: (r) => r.id },
          { header: 'NAME', value: (r) => r.name },
          { header: 'VERSION', value: (r) => r.version },
          { header: 'COMPONENT', value: (r) => r.component },
          { header: 'KINDS', value: (r) => r.deviceKinds.join(',') },
          { header: 'SIZE', value: (r) => bytes(r.size), align: 'right' },
          {
            header: 'SIGNED',
            value: (r) => (r.signatureOk ? 'ok' : 'CHECK'),
            colour: (r) => (r.signatureOk ? 'green' : 'red'),
          },
          { header: 'INSTALLED', value: (r) => r.installedOn, align: 'right' },
          { header: 'PUBLISHED', value: (r) => ctx.out.ago(r.publishedAt) },
        ]);
        if (page.total > page.items.length) ctx.out.note(`${page.items.length} of ${page.total} (--limit for more)`);
        return EXIT.ok;
      }
      case 'show': {
        const detail = await ctx.api().get<ReleaseDetail>(`/api/releases/${await releaseId(ctx, target)}`);
        if (ctx.out.json) {
          ctx.out.printJson(detail);
          return EXIT.ok;
        }
        showRelease(ctx.out, detail);
        return EXIT.ok;
      }
      case 'rm': {
        await ctx.api().delete(`/api/releases/${await releaseId(ctx, target)}`);
        ctx.out.note('removed');
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: releases ${action}`, 'see `fleetctl releases --help`');
    }
  },
};

async function publish(
  ctx: CliContext,
  file: string,
  manifestFile: string | undefined,
  keyFile: string | undefined,
  fields: ManifestFields,
): Promise<number> {
  let release: { manifest: SignedRelease['manifest']; signatures: SignedRelease['signatures'] };
  if (manifestFile) {
    if (fields.component || fields.name || fields.version) {
      throw usageError('give either --manifest or --component/--name/--version/--kinds, not both');
    }
    release = readManifestFile(manifestFile);
    // The file must be the one the manifest names: checked here, before the upload, as the fleet will.
    const digest = await fileDigest(file);
    const { sha256, size } = release.manifest.artifact;
    if (digest.sha256 !== sha256 || digest.size !== size) {
      throw new CliError(
        EXIT.failed,
        'RELEASE_HASH_MISMATCH',
        `${file} is ${digest.sha256} (${digest.size} bytes); the manifest names ${sha256} (${size} bytes)`,
      );
    }
  } else {
    release = { manifest: await buildManifest(file, fields), signatures: [] };
  }
  if (keyFile) release = addSignature(release, keyFile);
  const size = release.manifest.artifact.size;
  let lastShown = -1;
  const staged = await ctx.api().upload<StagedArtifact>(
    '/api/releases/artifacts',
    { path: file, size, contentType: 'application/octet-stream' },
    {},
    (sent, total) => {
      // One line per 5 % (a terminal rewrites it in place): a CI log does not get thousands.
      const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
      if (percent - lastShown < 5 && sent < total) return;
      lastShown = percent;
      ctx.out.progress(`uploading ${bar(percent)} ${percent} % ${bytes(sent)} / ${bytes(total)}`);
    },
    () => ctx.out.progress('publishing…'),
  );
  ctx.out.clearProgress();
  if (staged.existed && !ctx.out.json) ctx.out.note('the fleet had these bytes already: nothing was uploaded again');
  const detail = await ctx
    .api()
    .post<ReleaseDetail>('/api/releases', release.signatures.length > 0 ? release : { manifest: release.manifest });
  if (ctx.out.json) {
    ctx.out.printJson(detail);
    return EXIT.ok;
  }
  showRelease(ctx.out, detail);
  return EXIT.ok;
}

/** An id as is; `NAME@VERSION` looked up by name. */
async function releaseId(ctx: CliContext, target: string | undefined): Promise<string> {
  const value = required(target, 'ID or NAME@VERSION', 'releases');
  const at = value.lastIndexOf('@');
  if (at <= 0) return encodeURIComponent(value);
  const [name, version] = [value.slice(0, at), value.slice(at + 1)];
  const page = await ctx.api().get<ReleasePage>('/api/releases', { name, limit: 500 });
  const found = page.items.find((r: ReleaseSummary) => r.version === version);
  if (!found) throw new CliError(EXIT.failed, 'RELEASE_NOT_FOUND', `no release ${name}@${version}`);
  return found.id;
}

function showRelease(out: Output, r: ReleaseDetail): void {
  out.fields([
    ['id', r.id],
    ['release', `${r.name}@${r.version}`],
    ['component', `${r.component} (${r.manifest.artifact.mediaType})`],
    ['device kinds', r.deviceKinds.join(', ')],
    ['hardware models', r.hardwareModels.join(', ') || 'any'],
    ['upgrades from', r.upgradeFrom],
    ['artifact', `${r.sha256} (${bytes(r.size)})`],
    ['signatures', r.signatureOk ? 'ok' : 'NOT ALL VALID AND TRUSTED'],
    ['published', `${new Date(r.publishedAt).toISOString()} by ${r.publishedBy ?? '-'}`],
    ['installed on', r.installedOn],
    ['notes', r.manifest.notes],
  ]);
  out.heading('Signatures');
  out.table(r.signatureStatus, [
    { header: 'KEY', value: (s) => s.keyId },
    { header: 'TRUSTED', value: (s) => (s.trusted ? 'yes' : 'no'), colour: (s) => (s.trusted ? undefined : 'yellow') },
    { header: 'VALID', value: (s) => (s.valid ? 'yes' : 'no'), colour: (s) => (s.valid ? 'green' : 'red') },
  ]);
  out.heading('Deltas');
  out.table(
    r.deltas,
    [
      { header: 'FROM', value: (d) => d.fromVersion },
      { header: 'SIZE', value: (d) => bytes(d.size), align: 'right' },
      { header: 'OF FULL', value: (d) => `${(d.ratio * 100).toFixed(1)} %`, align: 'right' },
    ],
    '(none yet: made in the background after publishing)',
  );
  if (r.rolloutIds.length > 0) out.fields([['rollouts', r.rolloutIds.join(', ')]]);
}

/** The value as JSON to `out` (a file) or stdout. */
function emitJson(ctx: CliContext, value: unknown, out: string | undefined): number {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (out) {
    writeFileSync(out, text);
    ctx.out.note(`written to ${out}`);
  } else {
    ctx.out.line(text.trimEnd());
  }
  return EXIT.ok;
}

function usageFail(message: string): never {
  throw usageError(message);
}

function bar(percent: number): string {
  const filled = Math.round(percent / 5);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}]`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
