import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import {
  componentBoot,
  emptyComponentBoot,
  initialBootState,
  readBootState,
  writeBootState,
} from '../../../ota/agent/boot-state.ts';

const FACTORY = { name: 'cart-runtime', version: '1.0.0', sha256: '1'.repeat(64) };

describe('boot-state.json across agent versions', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'boot-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a boot state written before the gallery component existed, as an empty gallery (never the factory fallback)', async () => {
    const path = join(dir, 'old.json');
    const old = initialBootState(FACTORY);
    const { gallery: _left, ...before } = old.components;
    await writeFile(path, JSON.stringify({ ...old, components: before }));
    const read = await readBootState(path);
    assert.equal(read.problem, undefined, read.problem && read.message);
    assert.ok(read.state);
    assert.equal(read.state.components.gallery, undefined);
    assert.deepEqual(componentBoot(read.state, 'gallery'), emptyComponentBoot());
    assert.deepEqual(componentBoot(read.state, 'software').slots.a, { ...FACTORY, factory: true });
  });

  it('writes the gallery component of a new device, and refuses an unknown component (unreadable)', async () => {
    const path = join(dir, 'new.json');
    const written = await writeBootState(path, initialBootState(FACTORY));
    assert.deepEqual(written.components.gallery, emptyComponentBoot());
    const read = await readBootState(path);
    assert.deepEqual(read.state?.components.gallery, emptyComponentBoot());

    await writeFile(
      path,
      JSON.stringify({ ...written, components: { ...written.components, firmware: emptyComponentBoot() } }),
    );
    assert.equal((await readBootState(path)).problem, 'unreadable');
  });
});
