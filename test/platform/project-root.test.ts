import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, projectRootAbove } from '../../platform/project-root.ts';
import { tempDir } from '../helpers/fleet-harness.ts';

describe('project root (platform/project-root.ts): the checkout, from the sources or from dist/', () => {
  it('is the parent of platform/ in the sources and its grandparent when compiled into dist/', () => {
    const dir = tempDir();
    try {
      const root = join(dir.path, 'checkout');
      mkdirSync(join(root, 'platform'), { recursive: true });
      mkdirSync(join(root, 'dist', 'platform'), { recursive: true });
      writeFileSync(join(root, 'package.json'), '{}');
      assert.equal(projectRootAbove(join(root, 'platform')), root);
      assert.equal(projectRootAbove(join(root, 'dist', 'platform')), root);
    } finally {
      dir.cleanup();
    }
  });

  it('is this checkout here: package.json and the cart screen source are under it', () => {
    assert.ok(existsSync(join(PROJECT_ROOT, 'package.json')));
    assert.ok(existsSync(join(PROJECT_ROOT, 'web', 'cart.html')));
  });
});
