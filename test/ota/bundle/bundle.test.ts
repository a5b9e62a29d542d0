import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { Header } from 'tar';
import { buildBundle } from '../../../ota/bundle/build-bundle.ts';
import type { BundleManifest } from '../../../ota/bundle/bundle-manifest.ts';
import { extractBundle } from '../../../ota/bundle/extract-bundle.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';

const MANIFEST: BundleManifest = {
  schema: 1,
  name: 'cart-runtime',
  version: '1.2.0',
  kind: 'cart',
  entry: 'devices/cart/main.js',
  selfTest: 'devices/cart/self-test.js',
};

/** A tar written entry by entry as given, for archives the builder would never make. */
function rawTar(entries: { path: string; type?: string; body?: string; linkpath?: string }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const block = Buffer.alloc(512);
    new Header({
      path: entry.path,
      type: (entry.type ?? 'File') as 'File',
      size: entry.type && entry.type !== 'File' ? 0 : body.length,
      mode: 0o644,
      mtime: new Date(0),
      ...(entry.linkpath ? { linkpath: entry.linkpath } : {}),
    }).encode(block);
    blocks.push(block);
    if (!entry.type || entry.type === 'File') {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

describe('software bundles (ota/bundle)', () => {
  let dir: ReturnType<typeof tempDir>;
  let tree: string;

  beforeEach(() => {
    dir = tempDir('cartfleet-bundle-');
    tree = join(dir.path, 'tree');
    mkdirSync(join(tree, 'devices/cart'), { recursive: true });
    mkdirSync(join(tree, 'platform'), { recursive: true });
    writeFileSync(join(tree, 'devices/cart/main.js'), 'console.log("cart");\n');
    writeFileSync(join(tree, 'devices/cart/self-test.js'), 'process.exit(0);\n');
    writeFileSync(join(tree, 'platform/clock.js'), 'export const x = 1;\n');
  });

  afterEach(() => dir.cleanup());

  it('builds the same bytes from the same files, whatever their mtimes and the order they are listed in', async () => {
    const one = await buildBundle({
      root: tree,
      include: ['devices', 'platform'],
      manifest: MANIFEST,
      outFile: join(dir.path, 'one.tar'),
    });
    utimesSync(join(tree, 'platform/clock.js'), new Date(2030, 1, 1), new Date(2030, 1, 1));
    const two = await buildBundle({
      root: tree,
      include: ['platform', 'devices'],
      manifest: MANIFEST,
      outFile: join(dir.path, 'two.tar'),
    });
    assert.equal(one.sha256, two.sha256);
    assert.deepEqual(readFileSync(join(dir.path, 'one.tar')), readFileSync(join(dir.path, 'two.tar')));
    assert.equal(
      one.sha256,
      createHash('sha256')
        .update(readFileSync(join(dir.path, 'one.tar')))
        .digest('hex'),
    );
    // Positive control: a changed byte changes the bundle.
    writeFileSync(join(tree, 'platform/clock.js'), 'export const x = 2;\n');
    const three = await buildBundle({
      root: tree,
      include: ['devices', 'platform'],
      manifest: MANIFEST,
      outFile: join(dir.path, 'three.tar'),
    });
    assert.notEqual(three.sha256, one.sha256);
  });

  it('unpacks into a slot: bundle.json, package.json (ES modules) and the tree, long paths included', async () => {
    const long = `platform/${'x'.repeat(90)}/${'y'.repeat(90)}/${'z'.repeat(40)}.js`;
    mkdirSync(join(tree, long, '..'), { recursive: true });
    writeFileSync(join(tree, long), 'export {};\n');
    await buildBundle({
      root: tree,
      include: ['devices', 'platform'],
      manifest: MANIFEST,
      outFile: join(dir.path, 'b.tar'),
    });
    const slot = join(dir.path, 'slot');
    mkdirSync(slot);
    const manifest = await extractBundle(join(dir.path, 'b.tar'), slot);
    assert.deepEqual(manifest, MANIFEST);
    assert.equal(JSON.parse(readFileSync(join(slot, 'package.json'), 'utf8')).type, 'module');
    assert.equal(readFileSync(join(slot, long), 'utf8'), 'export {};\n');
    assert.equal(readFileSync(join(slot, 'devices/cart/main.js'), 'utf8'), 'console.log("cart");\n');
  });

  it('refuses to pack a symbolic link', async () => {
    symlinkSync('/etc/passwd', join(tree, 'platform/passwd'));
    await assert.rejects(
      buildBundle({ root: tree, include: ['platform'], manifest: MANIFEST, outFile: join(dir.path, 'x.tar') }),
      /symbolic links/,
    );
  });

  describe('refuses a hostile or broken archive before writing anything (OTA_INSTALL_FAILED)', () => {
    const good = [
      { path: 'bundle.json', body: JSON.stringify(MANIFEST) },
      { path: 'devices/cart/main.js', body: 'x' },
      { path: 'devices/cart/self-test.js', body: 'x' },
    ];

    async function refused(entries: Parameters<typeof rawTar>[0], pattern: RegExp): Promise<void> {
      const file = join(dir.path, 'hostile.tar');
      writeFileSync(file, rawTar(entries));
      const slot = join(dir.path, 'slot');
      mkdirSync(slot, { recursive: true });
      await assert.rejects(extractBundle(file, slot), (err) => {
        assert.ok(isFleetError(err, 'OTA_INSTALL_FAILED'), String(err));
        assert.match((err as Error).message, pattern);
        return true;
      });
      assert.deepEqual(readdirSync(slot), [], 'nothing written');
      assert.ok(!existsSync(join(dir.path, 'evil')));
    }

    it('positive control: the good archive unpacks', async () => {
      const file = join(dir.path, 'good.tar');
      writeFileSync(file, rawTar(good));
      mkdirSync(join(dir.path, 'slot'));
      assert.equal((await extractBundle(file, join(dir.path, 'slot'))).version, '1.2.0');
    });

    it('a path that climbs out with ..', () =>
      refused([...good, { path: '../evil', body: 'x' }], /outside the bundle/));

    it('an absolute path', () => refused([...good, { path: '/tmp/evil', body: 'x' }], /outside the bundle/));

    it('a symbolic link', () =>
      refused([...good, { path: 'devices/link', type: 'SymbolicLink', linkpath: '/etc' }], /SymbolicLink/));

    it('a hard link', () =>
      refused([...good, { path: 'devices/hard', type: 'Link', linkpath: 'bundle.json' }], /Link entry/));

    it('no bundle.json', () => refused(good.slice(1), /bundle.json/));

    it('an entry point that is not in the archive', () =>
      refused([good[0] as (typeof good)[0], good[2] as (typeof good)[0]], /not in the bundle/));

    it('the same path twice', () => refused([...good, { path: 'devices/cart/main.js', body: 'y' }], /twice/));
  });

  it('refuses a bundle larger than the space it is given: OTA_DISK_FULL', async () => {
    await buildBundle({ root: tree, include: ['devices'], manifest: MANIFEST, outFile: join(dir.path, 'b.tar') });
    mkdirSync(join(dir.path, 'slot'));
    await assert.rejects(extractBundle(join(dir.path, 'b.tar'), join(dir.path, 'slot'), { maxBytes: 10 }), (err) =>
      isFleetError(err, 'OTA_DISK_FULL'),
    );
  });
});
