import { createHash } from 'node:crypto';
import { lstat, open, readdir, readFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { Header, Pax } from 'tar';
import { BUNDLE_MANIFEST_FILE, type BundleManifest, checkBundleManifest, isBundlePath } from './bundle-manifest.ts';

/** Every entry's mtime: a bundle built twice from the same files is the same bytes (and the delta between two is small). */
export const BUNDLE_MTIME = new Date(0);
const BLOCK = 512;

export interface BuildBundleOptions {
  /** Where `include` is resolved from; paths in the bundle are relative to it. */
  root: string;
  /** Directories or files under `root` to pack (e.g. the compiled `devices`, `protocol`, `platform`, `ota`). */
  include: string[];
  /** More trees from other roots, each at its path relative to its own root (the cart's built `web/dist`). */
  also?: { root: string; include: string[] }[];
  manifest: BundleManifest;
  /** Leaves out a file by its bundle path (e.g. source maps). */
  exclude?: (path: string) => boolean;
  outFile: string;
}

export interface BuiltBundle {
  sha256: string;
  size: number;
  files: number;
}

/**
 * Packs a compiled tree into a software bundle: an uncompressed POSIX tar (ustar, with a pax record only for a path
 * longer than ustar holds), written deterministically — entries sorted by path, mtime 0, uid/gid 0, no user or group
 * names, mode 0644 or 0755 from the owner's execute bit, no directory entries — so identical inputs give identical
 * bytes and a bsdiff delta between two releases is about the size of what really changed. `bundle.json` and a
 * `package.json` marking the tree as ES modules come first. Symbolic links in the tree are refused: a bundle holds
 * files only.
 */
export async function buildBundle(options: BuildBundleOptions): Promise<BuiltBundle> {
  const checked = checkBundleManifest(options.manifest);
  if (!checked.ok) throw new Error(`bundle.json: ${checked.reason}`);
  // Keys in the schema's order, whatever the caller's: bundle.json's bytes are part of the bundle's.
  const { schema, name, version, kind, entry, selfTest } = checked.manifest;
  const manifest = { schema, name, version, kind, entry, ...(selfTest === undefined ? {} : { selfTest }) };
  const files = new Map<string, string>();
  for (const item of options.include) await collect(options.root, join(options.root, item), files, options.exclude);
  for (const source of options.also ?? [])
    for (const item of source.include) await collect(source.root, join(source.root, item), files, options.exclude);
  files.delete(BUNDLE_MANIFEST_FILE);
  files.delete('package.json');
  const paths = [...files.keys()].sort(byteOrder);

  const hash = createHash('sha256');
  const out = await open(options.outFile, 'w');
  let size = 0;
  const write = async (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
    await out.write(chunk);
  };
  try {
    await writeEntry(write, BUNDLE_MANIFEST_FILE, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 0o644);
    // Node reads `.js` as CommonJS without a package.json saying otherwise; the slot has no other above it.
    const packageJson = { name: manifest.name, version: manifest.version, private: true, type: 'module' };
    await writeEntry(write, 'package.json', Buffer.from(`${JSON.stringify(packageJson, null, 2)}\n`), 0o644);
    for (const path of paths) {
      const source = files.get(path) as string;
      const stat = await lstat(source);
      await writeEntry(write, path, await readFile(source), stat.mode & 0o100 ? 0o755 : 0o644);
    }
    // End of archive: two zero blocks (POSIX ustar).
    await write(Buffer.alloc(BLOCK * 2));
    await out.sync();
  } finally {
    await out.close();
  }
  return { sha256: hash.digest('hex'), size, files: paths.length + 2 };
}

async function collect(
  root: string,
  path: string,
  into: Map<string, string>,
  exclude: ((path: string) => boolean) | undefined,
): Promise<void> {
  const stat = await lstat(path);
  const inBundle = relative(root, path).split(sep).join(posix.sep);
  if (stat.isSymbolicLink()) throw new Error(`${inBundle}: a bundle holds no symbolic links`);
  if (stat.isDirectory()) {
    for (const name of await readdir(path)) await collect(root, join(path, name), into, exclude);
    return;
  }
  if (!stat.isFile()) throw new Error(`${inBundle}: not a regular file`);
  if (!isBundlePath(inBundle)) throw new Error(`${inBundle}: outside the bundle root`);
  if (exclude?.(inBundle)) return;
  into.set(inBundle, path);
}

async function writeEntry(
  write: (chunk: Buffer) => Promise<void>,
  path: string,
  body: Buffer,
  mode: number,
): Promise<void> {
  const data = { path, mode, uid: 0, gid: 0, size: body.length, mtime: BUNDLE_MTIME, uname: '', gname: '' };
  const header = new Header({ ...data, type: 'File' });
  const block = Buffer.alloc(BLOCK);
  // encode() answers true when the path does not fit ustar's name + prefix: a pax record carries it first.
  if (header.encode(block)) await write(new Pax({ path, mtime: BUNDLE_MTIME, uid: 0, gid: 0 }).encode());
  await write(block);
  await write(body);
  const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
  if (pad > 0) await write(Buffer.alloc(pad));
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
