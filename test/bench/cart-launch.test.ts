import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cartLaunch, parseProcessMemory } from '../../bench/lib/cart-launch.ts';

describe('bench/lib/cart-launch.ts: the cart process as npm run cart starts it, measured from outside', () => {
  it("runs package.json's cart script without npm: this node, the script's flags, the compiled entry", () => {
    const launch = cartLaunch();
    const scripts = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts;
    assert.equal(launch.script, scripts.cart);
    assert.equal(launch.command, process.execPath);
    assert.equal(launch.args.at(-1), 'dist/devices/cart/main.js');
    assert.ok(launch.args.includes('--expose-gc'), 'the cart collects a replaced snapshot (collectGarbage)');
    assert.ok(scripts.precart, 'npm run cart builds first');
  });

  it('refuses a cart script it could not start as is: not node, or needing a shell', () => {
    assert.throws(() => cartLaunch({ cart: 'tsx devices/cart/main.ts' }), /must run node directly/);
    assert.throws(() => cartLaunch({ cart: 'node a.js && node b.js' }), /needs a shell/);
    assert.throws(() => cartLaunch({}), /no "cart" script/);
    assert.deepEqual(cartLaunch({ cart: ' node  --a  b.js ' }).args, ['--a', 'b.js']);
  });

  it('reads RSS, its peak, and the anonymous / file-backed split from /proc', () => {
    const status = 'Name:\tnode\nVmHWM:\t  131000 kB\nVmRSS:\t  120000 kB\nThreads:\t13\n';
    const rollup =
      '55d0-7ffd ---p 00000000 00:00 0 [rollup]\nRss:              120100 kB\nAnonymous:         70100 kB\n';
    assert.deepEqual(parseProcessMemory(status, rollup), {
      rssBytes: 120_000 * 1024,
      peakRssBytes: 131_000 * 1024,
      anonymousBytes: 70_100 * 1024,
      fileBytes: 50_000 * 1024,
    });
    assert.throws(() => parseProcessMemory('VmRSS:\t 1 kB\n', rollup), /no VmHWM/);
  });
});
