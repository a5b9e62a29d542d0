import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { LoyaltyConfig } from '../../protocol/api/loyalty.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

type Run = FleetctlRun;

describe('fleetctl members, points, families, coupons, loyalty (real fleet, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let admin: ApiUser;
  let manager: ApiUser;

  const fleetctl = (user: ApiUser, args: string[]): Promise<Run> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, user.token, join(dir.path, 'xdg'), args);
  const ok = succeeded;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    admin = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: ['hf-shanghai-xuhui'] });
  });
  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('enrols members, forms a family, adjusts and lists the ledger, by member number', async () => {
    ok(await fleetctl(admin, ['members', 'create', '--name', 'Wang Fang', '--number', '70000001']));
    ok(await fleetctl(admin, ['members', 'create', '--name', 'Wang Lei', '--number', '70000002']));
    const family = JSON.parse(ok(await fleetctl(admin, ['families', 'create', '70000001', '--json'])).stdout);
    ok(await fleetctl(admin, ['families', 'add', family.id, '70000002']));
    ok(await fleetctl(admin, ['points', 'adjust', '70000002', '300', '--note', 'welcome']));
    const ledger = ok(await fleetctl(manager, ['points', 'ledger', '70000001'])).stdout;
    assert.match(ledger, /Pool f-[0-9a-f]+: 300 points/);
    assert.match(ledger, /adjust\s+\+300\s+Wang Lei \(70000002\)/);
    const shown = ok(await fleetctl(manager, ['members', 'get', '70000002'])).stdout;
    assert.match(shown, /Wang Fang \(owner\), Wang Lei/);
    const code = ok(await fleetctl(admin, ['members', 'code', '70000001'])).stdout;
    assert.match(code, /^CFM1\.70000001\.\d{6}$/m);
  });

  it('refusals keep their codes: a store manager adjusting points; a bad amount is a usage error', async () => {
    const refused = await fleetctl(manager, ['points', 'adjust', '70000001', '5', '--note', 'x']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^error NOT_AUTHORIZED:/);
    const zero = await fleetctl(admin, ['points', 'adjust', '70000001', '0', '--note', 'x']);
    assert.equal(zero.code, 2);
    const unknown = await fleetctl(admin, ['points', 'ledger', '79999999']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error MEMBER_NOT_FOUND:/);
  });

  it('issues, lists and revokes coupons', async () => {
    const issued = JSON.parse(
      ok(
        await fleetctl(manager, ['coupons', 'issue', '70000001', '--promotion', 'p-20-off', '--valid', '7d', '--json']),
      ).stdout,
    );
    assert.equal(issued.state, 'issued');
    const listed = ok(await fleetctl(manager, ['coupons', 'list', '--member', '70000001'])).stdout;
    assert.match(listed, new RegExp(`${issued.id}\\s+issued`));
    assert.match(ok(await fleetctl(manager, ['coupons', 'revoke', issued.id])).stdout, /is revoked/);
  });

  it('loyalty get prints the configuration; put --file replaces the parts it has', async () => {
    const config = JSON.parse(ok(await fleetctl(admin, ['loyalty', 'get'])).stdout) as LoyaltyConfig;
    assert.equal(config.redemptionPolicy.maxPercentOfTotal, 50);
    const file = join(dir.path, 'loyalty.json');
    writeFileSync(
      file,
      JSON.stringify({ redemptionPolicy: { ...config.redemptionPolicy, perStoreDailyLimitPoints: 5000 } }),
    );
    assert.match(ok(await fleetctl(admin, ['loyalty', 'put', '--file', file])).stdout, /Replaced redemptionPolicy/);
    assert.equal(fleet.services.loyalty.settings.redemptionPolicy().perStoreDailyLimitPoints, 5000);
    const refused = await fleetctl(manager, ['loyalty', 'put', '--file', file]);
    assert.match(refused.stderr, /^error NOT_AUTHORIZED:/);
  });
});
