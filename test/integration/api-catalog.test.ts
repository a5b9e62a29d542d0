import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import { demoCatalog, loadDemoCatalog } from '../../sim/demo-catalog.ts';
import { CATEGORIES_CSV, catalogTables, PRODUCTS_CSV } from '../fleet/catalog/catalog-fixture.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

/** A promotion of the demo's shape, scoped as given. */
function promotion(id: string, scope: Promotion['scope']): Promotion {
  return {
    id,
    name: { zh: '测试', en: 'Test' },
    kind: 'percent_off',
    target: { categoryIds: ['dairy'] },
    window: { from: '2025-01-01', to: '2099-12-31' },
    scope,
    stacking: 'stackable',
    priority: 1,
    memberOnly: false,
    memberTiers: [],
    couponRequired: false,
    percentOff: 10,
  };
}

describe('catalog and promotions over HTTP (real fleet, real SQLite)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let managerA: ApiUser;
  let viewer: ApiUser;
  const csv = (token: string, url: string, text: string) =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
      payload: text,
    });

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true, catalog: { importMaxBytes: 64 * 1024 } });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    assert.equal((await csv(hq.token, '/api/catalog/import?table=categories', CATEGORIES_CSV)).statusCode, 200);
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('imports a CSV (dry run first: nothing written; then for real), searchable and audited', async () => {
    const dry = await csv(hq.token, '/api/catalog/import?dryRun=true', PRODUCTS_CSV);
    assert.equal(dry.statusCode, 200, dry.body);
    assert.deepEqual([dry.json().dryRun, dry.json().applied, dry.json().products.created], [true, false, 3]);
    assert.equal((await apiAs(fleet, hq.token).get('/api/catalog/products')).json().total, 0);
    const res = await csv(hq.token, '/api/catalog/import', PRODUCTS_CSV);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().applied, true);
    const found = await apiAs(fleet, viewer.token).get('/api/catalog/products?q=milk&limit=10');
    assert.deepEqual(
      found.json().items.map((p: { sku: string }) => p.sku),
      ['MILK-1L', 'MILK-SMALL'],
    );
    const byPlu = await apiAs(fleet, viewer.token).get('/api/catalog/products?plu=4011');
    assert.equal(byPlu.json().items[0].sku, 'BANANA');
    const audit = await apiAs(fleet, hq.token).get('/api/audit?action=catalog.import');
    // The categories of before() and these products; the dry run is not a change and is not audited.
    assert.equal(audit.json().total, 2);
  });

  it('refuses a bad import with 400 CATALOG_IMPORT_INVALID, its report in details, and changes nothing', async () => {
    const before = catalogTables(fleet.services.db);
    const bad = `${PRODUCTS_CSV.split('\n')[0]}\nX,6901234567893,,坏,Bad,,dairy,each,1.00,,,,,,\n`;
    const res = await csv(hq.token, '/api/catalog/import', bad);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'CATALOG_IMPORT_INVALID');
    assert.deepEqual(
      res.json().details.problems.map((p: { row: number; field: string; code: string }) => [p.row, p.field, p.code]),
      [[2, 'gtins', 'GTIN_CHECK_DIGIT']],
    );
    assert.deepEqual(catalogTables(fleet.services.db), before);
  });

  it('refuses a body over catalog.importMaxBytes with 413 PAYLOAD_TOO_LARGE (just under it is read)', async () => {
    const header = PRODUCTS_CSV.split('\n')[0];
    const big = `${header}\n${'#'.repeat(70 * 1024)}\n`;
    const res = await csv(hq.token, '/api/catalog/import?dryRun=true', big);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
    const under = await csv(hq.token, '/api/catalog/import?dryRun=true', `${header}\n${'#'.repeat(60 * 1024)}\n`);
    assert.equal(under.statusCode, 400, 'read and checked: a bad row, not too large');
    assert.equal(under.json().code, 'CATALOG_IMPORT_INVALID');
  });

  it('lets a viewer read but not write the catalog (403 NOT_AUTHORIZED)', async () => {
    const as = apiAs(fleet, viewer.token);
    assert.equal((await as.get('/api/catalog/products/MILK-1L')).statusCode, 200);
    for (const res of [
      await csv(viewer.token, '/api/catalog/import?dryRun=true', PRODUCTS_CSV),
      await as.put('/api/catalog/products/MILK-1L', {}),
      await as.put(`/api/stores/${A}/prices/MILK-1L`, { priceFen: 100, available: null }),
      await as.put('/api/promotions/p1', promotion('p1', { storeIds: [A], regions: [] })),
    ]) {
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'NOT_AUTHORIZED');
    }
  });

  it("lets a store manager set their own store's prices, and not another store's (404 STORE_NOT_FOUND)", async () => {
    const as = apiAs(fleet, managerA.token);
    const own = await as.put(`/api/stores/${A}/prices/MILK-1L`, { priceFen: 1190, available: null });
    assert.equal(own.statusCode, 200, own.body);
    assert.deepEqual(own.json(), { storeId: A, sku: 'MILK-1L', priceFen: 1190, available: null });
    assert.equal(fleet.services.catalog.productsForStore(A).find((p) => p.sku === 'MILK-1L')?.priceFen, 1190);
    const other = await as.put(`/api/stores/${B}/prices/MILK-1L`, { priceFen: 1, available: null });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().code, 'STORE_NOT_FOUND');
    assert.equal(fleet.services.catalog.prices.get(B, 'MILK-1L'), undefined);
    // The chain's catalog is HQ's.
    const product = await as.put('/api/catalog/products/MILK-1L', fleet.services.catalog.getProduct('MILK-1L'));
    assert.equal(product.statusCode, 403);
    const audit = await apiAs(fleet, managerA.token).get(`/api/audit?action=catalog.store-price&storeId=${A}`);
    assert.equal(audit.json().total, 1);
  });

  it('lets a store manager write promotions for their own store only, and read chain ones', async () => {
    const hqApi = apiAs(fleet, hq.token);
    const as = apiAs(fleet, managerA.token);
    const chain = await hqApi.put('/api/promotions/chain-10', promotion('chain-10', { storeIds: [], regions: [] }));
    assert.equal(chain.statusCode, 200, chain.body);
    assert.equal(chain.json().owner, 'chain');
    const storeB = await hqApi.put('/api/promotions/b-only', promotion('b-only', { storeIds: [B], regions: [] }));
    assert.equal(storeB.statusCode, 200);

    const own = await as.put('/api/promotions/a-own', promotion('a-own', { storeIds: [A], regions: [] }));
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().owner, 'stores');
    for (const [id, scope] of [
      ['a-chain', { storeIds: [], regions: [] }],
      ['a-region', { storeIds: [], regions: ['east'] }],
      ['a-other', { storeIds: [A, B], regions: [] }],
    ] as const) {
      const res = await as.put(
        `/api/promotions/${id}`,
        promotion(id, { storeIds: [...scope.storeIds], regions: [...scope.regions] }),
      );
      assert.equal(res.statusCode, 403, `${id}: ${res.body}`);
      assert.equal(res.json().code, 'NOT_AUTHORIZED');
    }
    // Overwriting or deleting HQ's chain promotion is refused; it stays as it was.
    const overwrite = await as.put('/api/promotions/chain-10', promotion('chain-10', { storeIds: [A], regions: [] }));
    assert.equal(overwrite.json().code, 'NOT_AUTHORIZED');
    assert.equal((await as.delete('/api/promotions/chain-10')).json().code, 'NOT_AUTHORIZED');
    assert.deepEqual(fleet.services.promotions.repository.get('chain-10')?.promotion.scope, {
      storeIds: [],
      regions: [],
    });

    const listed = (await as.get('/api/promotions')).json();
    assert.deepEqual(
      listed.items.map((r: { promotion: { id: string } }) => r.promotion.id),
      ['a-own', 'chain-10'],
    );
    assert.equal((await as.get('/api/promotions/b-only')).json().code, 'PROMOTION_NOT_FOUND');
    assert.equal((await as.delete('/api/promotions/a-own')).statusCode, 204);
  });

  it('answers PROMOTION_INVALID with every problem', async () => {
    const bad = {
      ...promotion('bad', { storeIds: ['no-such-store'], regions: [] }),
      window: { from: '2025-06-01', to: '2025-05-01' },
      target: { skus: ['NO-SUCH-SKU'] },
    };
    const res = await apiAs(fleet, hq.token).put('/api/promotions/bad', bad);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'PROMOTION_INVALID');
    assert.deepEqual(
      res.json().details.map((d: { field: string }) => d.field),
      ['window.to', 'target.skus.0', 'scope.storeIds.0'],
    );
  });

  it('loads the demo catalog through the services: every product valid, a promotion of each kind', async () => {
    const demo = demoCatalog();
    assert.ok(demo.products.length >= 200, `${demo.products.length} products`);
    // BANANA of the tests above holds PLU 4011, which the demo's bananas use: an import would be refused for it.
    assert.equal((await apiAs(fleet, hq.token).delete('/api/catalog/products/BANANA')).statusCode, 204);
    const report = await loadDemoCatalog(fleet.services, demo);
    assert.deepEqual(report.problems, []);
    const kinds = new Set(demo.promotions.map((p) => p.kind));
    assert.equal(kinds.size, 6);
    assert.ok(demo.promotions.some((p) => p.couponRequired));
    const running = await apiAs(fleet, hq.token).get(
      `/api/promotions?storeId=${A}&activeAt=${Date.parse('2026-03-04T10:00:00+08:00')}&limit=100`,
    );
    const ids = running.json().items.map((r: { promotion: { id: string } }) => r.promotion.id);
    assert.ok(ids.includes('yogurt-weekdays-20'), 'a Wednesday: the weekday promotion runs');
    assert.ok(!ids.includes('xuhui-beer-happy-hour'), 'a Wednesday morning: the weekend happy hour does not');
    const weekend = await apiAs(fleet, hq.token).get(
      `/api/promotions?storeId=${A}&activeAt=${Date.parse('2026-03-07T18:00:00+08:00')}&limit=100`,
    );
    assert.ok(
      weekend.json().items.some((r: { promotion: { id: string } }) => r.promotion.id === 'xuhui-beer-happy-hour'),
    );
    assert.deepEqual(demoCatalog(), demo, 'deterministic');
  });
});
