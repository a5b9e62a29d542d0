import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { Order } from '../../protocol/commerce/orders.ts';
import { loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { registerCart, submission } from '../helpers/commerce-cart.ts';
import { type ApiUser, apiUser, eventually, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

const STORE = 'hf-shanghai-xuhui';

type Run = FleetctlRun;

describe('fleetctl orders list|get|verify-exit|refund (real fleet and engine, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let manager: ApiUser;
  let viewer: ApiUser;
  let order: Order;

  const fleetctl = (user: ApiUser, args: string[]): Promise<Run> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, user.token, join(dir.path, 'xdg'), args);
  const ok = succeeded;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    await loadDemoCatalog(fleet.services);
    await fleet.services.pricing.flush();
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: [STORE] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    await registerCart(fleet, 'cart-o1', STORE);
    const orders = fleet.services.orders;
    const lines = [
      { sku: 'BAKERY-BREAD-1-1', cartNetFen: 0 },
      { sku: 'DAIRY-CHEESE-1', cartNetFen: 0 },
    ];
    const version = fleet.services.pricing.currentVersion(STORE)!;
    const priced = (await fetch(`http://127.0.0.1:${fleet.services.http.port}/api/quote`, {
      method: 'POST',
      headers: { authorization: `Bearer ${manager.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        storeId: STORE,
        lines: lines.map((l, i) => ({
          lineId: `l${i + 1}`,
          sku: l.sku,
          quantity: 1,
          weightG: null,
          scannedAt: Date.now(),
        })),
      }),
    }).then((r) => r.json())) as { lines: { netFen: number }[] };
    const sub = submission(
      STORE,
      lines.map((l, i) => ({ sku: l.sku, cartNetFen: priced.lines[i]!.netFen })),
      { snapshotVersion: version },
    );
    const { order: created } = await orders.submit('cart-o1', STORE, sub);
    await fetch(created.payment!.payUrl!, { method: 'POST', redirect: 'manual', body: '' });
    order = await eventually(
      () => {
        const o = fleet.services.orders.get(created.id);
        return o.state === 'paid' ? o : undefined;
      },
      5000,
      'paid',
    );
  });

  after(async () => {
    await fleet?.stop();
    dir?.cleanup();
  });

  it('lists and shows an order: lines with cart, rules and charged nets, events, receipt', async () => {
    const list = JSON.parse(ok(await fleetctl(manager, ['orders', 'list', '--store', STORE, '--json'])).stdout);
    assert.deepEqual(
      list.items.map((o: Order) => [o.id, o.state]),
      [[order.id, 'paid']],
    );
    const get = ok(await fleetctl(manager, ['orders', 'get', order.id])).stdout;
    assert.match(get, /l1 BAKERY-BREAD-1-1 ×1 charged/);
    assert.match(get, /awaiting_payment → paid by provider sandbox/);
    assert.match(get, new RegExp(`Receipt: http://127\\.0\\.0\\.1:\\d+/receipt/${order.id}\\?t=`));
    const bad = await fleetctl(manager, ['orders', 'list', '--state', 'bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /USAGE/);
  });

  it('verifies the exit and refunds a line; bad refunds and roles are refused with their codes', async () => {
    const exit = JSON.parse(ok(await fleetctl(manager, ['orders', 'verify-exit', order.id, '--json'])).stdout);
    assert.equal(exit.state, 'exit_verified');
    const noReason = await fleetctl(manager, ['orders', 'refund', order.id]);
    assert.equal(noReason.code, 2);
    const tooMuch = await fleetctl(manager, ['orders', 'refund', order.id, '--reason', 'x', '--line', 'l1:99999999']);
    assert.equal(tooMuch.code, 1);
    assert.match(tooMuch.stderr, /REFUND_INVALID/);
    const denied = await fleetctl(viewer, ['orders', 'refund', order.id, '--reason', 'x']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /NOT_AUTHORIZED/);
    assert.equal(fleet.services.orders.get(order.id).state, 'exit_verified', 'nothing refunded by the refusals');
    const refund = JSON.parse(
      ok(await fleetctl(manager, ['orders', 'refund', order.id, '--reason', 'stale', '--line', 'l1', '--json'])).stdout,
    );
    assert.equal(refund.state, 'partially_refunded');
    assert.equal(refund.refundedFen, order.lines[0]!.chargedNetFen);
  });
});
