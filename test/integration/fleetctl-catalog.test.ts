import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { demoCatalog } from '../../sim/demo-catalog.ts';
import { CATEGORIES_CSV, catalogTables, PRODUCTS_CSV } from '../fleet/catalog/catalog-fixture.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl } from '../helpers/fleetctl-run.ts';

type Run = FleetctlRun;

describe('fleetctl catalog and promotions (real fleet, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;

  const fleetctl = (args: string[]): Promise<Run> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, hq.token, join(dir.path, 'xdg'), args);
  const file = (name: string, text: string) => {
    const path = join(dir.path, name);
    writeFileSync(path, text);
    return path;
  };

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('imports categories and products; a dry run writes nothing, the real run writes', async () => {
    const categories = await fleetctl([
      'catalog',
      'import',
      file('categories.csv', CATEGORIES_CSV),
      '--table',
      'categories',
    ]);
    assert.equal(categories.code, 0, categories.stderr);
    assert.match(categories.stdout, /imported/);
    const before = catalogTables(fleet.services.db);
    const products = file('products.csv', PRODUCTS_CSV);
    const dry = await fleetctl(['catalog', 'import', products, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: would be imported/);
    assert.match(dry.stdout, /3 rows \(3 new, 0 updated\)/);
    assert.deepEqual(catalogTables(fleet.services.db), before);
    const wet = await fleetctl(['catalog', 'import', products]);
    assert.equal(wet.code, 0, wet.stderr);
    assert.equal(fleet.services.catalog.getProduct('MILK-1L').priceFen, 1230);
    const listed = await fleetctl(['catalog', 'products', '--search', 'milk']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /MILK-1L .*¥12\.30/);
    const shown = await fleetctl(['catalog', 'product', 'BANANA']);
    assert.match(shown.stdout, /price\s+¥7\.99 per kg/);
  });

  it('prints every bad row of a refused import and exits 1; nothing is written', async () => {
    const before = catalogTables(fleet.services.db);
    const bad = file(
      'bad.csv',
      `${PRODUCTS_CSV.split('\n')[0]}\nX,6901234567893,,坏,Bad,,dairy,each,1.00,,,,,,\nY,,,坏,Bad,,nowhere,each,1.2.3,,,,,,\n`,
    );
    const run = await fleetctl(['catalog', 'import', bad]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error CATALOG_IMPORT_INVALID/);
    assert.match(run.stdout, /refused: 2 problem\(s\)/);
    assert.match(run.stdout, /products\s+2\s+gtins\s+GTIN_CHECK_DIGIT/);
    assert.match(run.stdout, /products\s+3\s+price\s+CATALOG_PRICE_INVALID/);
    assert.deepEqual(catalogTables(fleet.services.db), before);
    const json = await fleetctl(['catalog', 'import', bad, '--json']);
    assert.equal(json.code, 1);
    assert.equal(JSON.parse(json.stdout).problems.length, 2);
  });

  it('puts, lists, gets and deletes a promotion', async () => {
    const promotion = {
      ...(demoCatalog().promotions.find((p) => p.id === 'spend-100-save-20') as object),
      id: 'cli-spend',
    };
    const put = await fleetctl(['promotions', 'put', file('promotion.json', JSON.stringify(promotion))]);
    assert.equal(put.code, 0, put.stderr);
    const list = await fleetctl(['promotions', 'list']);
    assert.match(list.stdout, /cli-spend\s+spend_threshold .*¥100\.00 - ¥20\.00/);
    const got = await fleetctl(['promotions', 'get', 'cli-spend']);
    assert.deepEqual(JSON.parse(got.stdout), promotion);
    assert.equal((await fleetctl(['promotions', 'delete', 'cli-spend'])).code, 0);
    const gone = await fleetctl(['promotions', 'get', 'cli-spend']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /error PROMOTION_NOT_FOUND/);
  });
});
