import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { extract, list, type ReadEntry } from 'tar';
import { FleetError } from '../../protocol/errors.ts';
import { BUNDLE_MANIFEST_FILE, type BundleManifest, checkBundleManifest, isBundlePath } from './bundle-manifest.ts';

export interface ExtractBundleOptions {
  /** Refused beyond this many bytes of content (the disk the slot is on). */
  maxBytes?: number;
}

/**
 * Reads a software bundle and unpacks it into `destDir` (which the caller has emptied). The whole archive is checked
 * before a byte is written: only regular files and directories, every path relative and inside the bundle (no
 * absolute path, no `..`, no link of any kind, so nothing can point outside the slot), a valid `bundle.json` whose
 * entry point is in the archive. Anything else is `OTA_INSTALL_FAILED` and the slot stays empty; a full disk is
 * `OTA_DISK_FULL`.
 */
export async function extractBundle(
  tarFile: string,
  destDir: string,
  options: ExtractBundleOptions = {},
): Promise<BundleManifest> {
  const files = new Set<string>();
  const manifestChunks: Buffer[] = [];
  let total = 0;
  const problems: string[] = [];
  try {
    await list({
      file: tarFile,
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        const path = entry.path.replace(/\/$/, '');
        if (entry.type !== 'File' && entry.type !== 'Directory') problems.push(`${entry.path}: a ${entry.type} entry`);
        else if (!isBundlePath(path)) problems.push(`${entry.path}: a path outside the bundle`);
        else if (entry.type === 'File') {
          if (files.has(path)) problems.push(`${path}: twice in the archive`);
          files.add(path);
          total += entry.size;
        }
        if (path === BUNDLE_MANIFEST_FILE && entry.type === 'File') {
          entry.on('data', (chunk: Buffer) => manifestChunks.push(chunk));
        } else entry.resume();
      },
    });
  } catch (err) {
    throw new FleetError('OTA_INSTALL_FAILED', `not a readable bundle: ${(err as Error).message}`);
  }
  if (problems.length > 0) throw new FleetError('OTA_INSTALL_FAILED', `refused bundle: ${problems.join('; ')}`);
  if (options.maxBytes !== undefined && total > options.maxBytes)
    throw new FleetError('OTA_DISK_FULL', `the bundle unpacks to ${total} bytes, ${options.maxBytes} are free`);
  const manifest = parseManifest(Buffer.concat(manifestChunks).toString('utf8'));
  for (const path of [manifest.entry, manifest.selfTest]) {
    if (path !== undefined && !files.has(path))
      throw new FleetError('OTA_INSTALL_FAILED', `bundle.json names ${path}, which is not in the bundle`);
  }
  try {
    await extract({
      file: tarFile,
      cwd: destDir,
      strict: true,
      preservePaths: false,
      // Checked above already; kept as a second guard in case the two reads of the file differ.
      filter: (_path, entry) => {
        const type = (entry as ReadEntry).type;
        return type === 'File' || type === 'Directory';
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOSPC' ? 'OTA_DISK_FULL' : 'OTA_INSTALL_FAILED';
    throw new FleetError(code, `bundle not unpacked: ${(err as Error).message}`);
  }
  return manifest;
}

/** The `bundle.json` of an unpacked bundle (a slot, or a factory tree that was installed from a bundle). */
export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, BUNDLE_MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw new FleetError('OTA_INSTALL_FAILED', `no bundle.json in ${dir}: ${(err as Error).message}`);
  }
  const manifest = parseManifest(text);
  const entry = await stat(join(dir, manifest.entry)).catch(() => undefined);
  if (!entry?.isFile()) throw new FleetError('OTA_INSTALL_FAILED', `${manifest.entry} is missing from ${dir}`);
  return manifest;
}

function parseManifest(text: string): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new FleetError('OTA_INSTALL_FAILED', 'the bundle has no readable bundle.json');
  }
  const checked = checkBundleManifest(json);
  if (!checked.ok) throw new FleetError('OTA_INSTALL_FAILED', `bundle.json: ${checked.reason}`);
  return checked.manifest;
}
