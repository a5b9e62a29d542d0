import assert from 'node:assert/strict';
import type { ImportReport } from '../../../protocol/api/catalog.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { CATEGORIES_CSV, catalogFixture, catalogTables, PRODUCTS_CSV } from './catalog-fixture.ts';

type Fixture = ReturnType<typeof catalogFixture>;

/** The report of a refused import (asserting it was refused with CATALOG_IMPORT_INVALID). */
async function refused(promise: Promise<unknown>): Promise<ImportReport> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isFleetError(err, 'CATALOG_IMPORT_INVALID'), `expected CATALOG_IMPORT_INVALID, got ${String(err)}`);
    return err.details as ImportReport;
  }
  assert.fail('the import was accepted');
}

const withRows = (...rows: string[]) => `${PRODUCTS_CSV.split('\n')[0]}\n${rows.join('\n')}\n`;

describe('catalog import (CatalogService on SQLite)', () => {
  let f: Fixture;
  const importCsv = (text: string, table: 'products' | 'categories' = 'products', dryRun = false) =>
    f.catalog.import({ format: 'csv', text, table }, dryRun);

  beforeEach(async () => {
    f = catalogFixture();
    await importCsv(CATEGORIES_CSV, 'categories');
    f.events.length = 0;
  });
  afterEach(() => f.close());

  it('imports a good products CSV: prices to fen exactly, GTINs as GTIN-13, defaults filled', async () => {
    const report = await importCsv(PRODUCTS_CSV);
    assert.deepEqual(report.problems, []);
    assert.equal(report.applied, true);
    assert.deepEqual(report.products, { rows: 3, created: 3, updated: 0 });
    const milk = f.catalog.getProduct('MILK-1L');
    assert.equal(milk.priceFen, 1230);
    assert.deepEqual(milk.gtins, ['6901234567892']);
    assert.equal(milk.brand, '光明');
    assert.equal(milk.needsAttendant, false);
    assert.equal(milk.available, true);
    const small = f.catalog.getProduct('MILK-SMALL');
    assert.equal(small.priceFen, 350);
    assert.deepEqual(small.gtins, ['0036000291452', '0000096385074']);
    const banana = f.catalog.getProduct('BANANA');
    assert.deepEqual([banana.soldBy, banana.plu, banana.priceFen, banana.tareG], ['weight', '4011', 799, 5]);
    // A UPC-A scanned as such finds the product its EAN-13 form was stored for.
    const found = f.catalog.listProducts({ gtin: '036000291452', limit: 10, offset: 0 });
    assert.deepEqual(
      found.items.map((p) => p.sku),
      ['MILK-SMALL'],
    );
    assert.deepEqual(f.events, [{ storeIds: null, what: 'products' }]);
  });

  it('imports JSON with categories and products together, and a second run updates', async () => {
    const body = {
      categories: [{ id: 'snacks', parentId: null, name: { zh: '零食', en: 'Snacks' } }],
      products: [
        {
          sku: 'CHIPS',
          gtins: ['6901234567892'],
          plu: null,
          name: { zh: '薯片', en: 'Chips' },
          categoryId: 'snacks',
          soldBy: 'each',
          priceFen: 790,
          nominalWeightG: 75,
          weightToleranceG: 10,
          tareG: null,
          minAge: null,
          needsAttendant: false,
          available: true,
        },
      ],
    };
    const first = await f.catalog.import({ format: 'json', body }, false);
    assert.deepEqual(
      [first.categories, first.products],
      [
        { rows: 1, created: 1, updated: 0 },
        { rows: 1, created: 1, updated: 0 },
      ],
    );
    const second = await f.catalog.import({ format: 'json', body }, false);
    assert.deepEqual(second.products, { rows: 1, created: 0, updated: 1 });
    assert.equal(f.catalog.getProduct('CHIPS').priceFen, 790);
  });

  it('reports every bad row with its line, column and code, and writes nothing', async () => {
    await importCsv(PRODUCTS_CSV);
    const before = catalogTables(f.db);
    f.events.length = 0;
    const report = await refused(
      importCsv(
        withRows(
          'GOOD-1,6901234567885,,好,Good,,dairy,each,1.00,100,5,,,,', // line 2: fine
          'BAD-CHECK,6901234567893,,坏,Bad,,dairy,each,1.00,,,,,,', // line 3: check digit
          'BAD-LEN,12345,,坏,Bad,,dairy,each,1.00,,,,,,', // line 4: not a GTIN
          'DUP-OWNED,6901234567892,,坏,Bad,,dairy,each,1.00,,,,,,', // line 5: MILK-1L's GTIN
          'DUP-FILE,6901234567885,,坏,Bad,,dairy,each,1.00,,,,,,', // line 6: GOOD-1's GTIN
          'NO-CAT,,,坏,Bad,,nowhere,each,1.00,,,,,,', // line 7: unknown category
          'BAD-PRICE,,,坏,Bad,,dairy,each,12.345,,,,,,', // line 8: three decimals
          'ZERO-PRICE,,,坏,Bad,,dairy,each,0,,,,,,', // line 9: no price
          'BAD-PLU,,12,坏,Bad,,produce,weight,1.00,,,,,,', // line 10: PLU of 2 digits
          'OWNED-PLU,,4011,坏,Bad,,produce,weight,1.00,,,,,,', // line 11: BANANA's PLU
          'GOOD-1,,,重复,Dup,,dairy,each,1.00,,,,,,', // line 12: SKU twice
          'BAD-WEIGHT,,,坏,Bad,,dairy,each,1.00,abc,,,,,', // line 13: not a number
          'WEIGHED-NOMINAL,,4012,坏,Bad,,produce,weight,1.00,100,,,,,', // line 14: weight + nominal weight
          'BAD-FLAG,,,坏,Bad,,dairy,each,1.00,,,,,maybe,', // line 15: not a boolean
          'bad sku!,,,坏,Bad,,dairy,each,1.00,,,,,,', // line 16: SKU pattern
        ),
      ),
    );
    const got = report.problems.map((p) => [p.row, p.field, p.code]);
    assert.deepEqual(got, [
      [3, 'gtins', 'GTIN_CHECK_DIGIT'],
      [4, 'gtins', 'GTIN_INVALID'],
      [5, 'gtins', 'CATALOG_GTIN_DUPLICATE'],
      [6, 'gtins', 'CATALOG_GTIN_DUPLICATE'],
      [7, 'category', 'CATEGORY_NOT_FOUND'],
      [8, 'price', 'CATALOG_PRICE_INVALID'],
      [9, 'price', 'CATALOG_PRICE_INVALID'],
      [10, 'plu', 'CATALOG_PLU_INVALID'],
      [11, 'plu', 'CATALOG_PLU_DUPLICATE'],
      [12, 'sku', 'CATALOG_SKU_DUPLICATE'],
      [13, 'nominal_weight_g', 'CATALOG_FIELD_INVALID'],
      [14, 'nominal_weight_g', 'CATALOG_FIELD_INVALID'],
      [15, 'needs_attendant', 'CATALOG_FIELD_INVALID'],
      [16, 'sku', 'CATALOG_FIELD_INVALID'],
    ]);
    assert.match(report.problems[2]?.message ?? '', /belongs to product MILK-1L/);
    assert.match(report.problems[3]?.message ?? '', /also on row 2 \(GOOD-1\)/);
    assert.equal(report.applied, false);
    assert.deepEqual(catalogTables(f.db), before, 'the refused import changed nothing, not even GOOD-1');
    assert.deepEqual(f.events, [], 'no catalog.changed for a refused import');
  });

  it('reports a missing or unknown column, and a row with too many fields', async () => {
    let report = await refused(importCsv('sku,name_zh,name_en,category,price,colour\nA,甲,A,dairy,1.00,red\n'));
    assert.deepEqual(
      report.problems.map((p) => [p.row, p.field, p.code]),
      [
        [1, 'colour', 'CATALOG_COLUMN_UNKNOWN'],
        [1, 'sold_by', 'CATALOG_COLUMN_MISSING'],
      ],
    );
    report = await refused(importCsv('sku,name_zh,name_en,category,sold_by\nA,甲,A,dairy,each\n'));
    assert.deepEqual(
      report.problems.map((p) => [p.field, p.code]),
      [['price', 'CATALOG_COLUMN_MISSING']],
    );
    report = await refused(importCsv('sku,name_zh,name_en,category,sold_by,price\nA,甲,A,dairy,each,1.00,extra\n'));
    assert.deepEqual(
      report.problems.map((p) => [p.row, p.code]),
      [[2, 'CATALOG_CSV_INVALID']],
    );
  });

  it('moves a GTIN and a PLU from one product to another within one file', async () => {
    await importCsv(PRODUCTS_CSV);
    const report = await importCsv(
      withRows(
        'NEW-MILK,6901234567892,4011,新牛奶,New milk,,dairy-milk,weight,1.00,,,,,,',
        'MILK-1L,,,全脂牛奶,Whole milk,,dairy-milk,each,12.30,,,,,,',
        'BANANA,,,香蕉,Bananas,,produce,weight,7.99,,,,,,',
      ),
    );
    assert.deepEqual(report.problems, []);
    assert.deepEqual(f.catalog.getProduct('NEW-MILK').gtins, ['6901234567892']);
    assert.equal(f.catalog.getProduct('NEW-MILK').plu, '4011');
    assert.deepEqual(f.catalog.getProduct('MILK-1L').gtins, []);
  });

  it('refuses a category cycle and an unknown parent', async () => {
    const report = await refused(
      importCsv('id,parent_id,name_zh,name_en\ndairy,dairy-milk,乳品,Dairy\nx,nowhere,某,X\n', 'categories'),
    );
    assert.deepEqual(
      report.problems.map((p) => [p.row, p.field, p.code]),
      [
        [2, 'parent_id', 'CATEGORY_INVALID'],
        [3, 'parent_id', 'CATEGORY_NOT_FOUND'],
      ],
    );
  });

  it('a dry run reports without writing; the same file without it writes (positive control)', async () => {
    const before = catalogTables(f.db);
    const dry = await importCsv(PRODUCTS_CSV, 'products', true);
    assert.deepEqual([dry.dryRun, dry.applied, dry.products.created], [true, false, 3]);
    assert.deepEqual(catalogTables(f.db), before);
    assert.deepEqual(f.events, []);
    const wet = await importCsv(PRODUCTS_CSV, 'products', false);
    assert.deepEqual([wet.dryRun, wet.applied], [false, true]);
    assert.equal(f.catalog.products.all().length, 3);
  });

  it('a dry run of a bad file is refused with its report too', async () => {
    const report = await refused(
      importCsv(withRows('X,6901234567893,,坏,Bad,,dairy,each,1.00,,,,,,'), 'products', true),
    );
    assert.deepEqual(
      report.problems.map((p) => p.code),
      ['GTIN_CHECK_DIGIT'],
    );
    assert.equal(report.dryRun, true);
  });

  it('refuses more rows than the cap with PAYLOAD_TOO_LARGE, before checking them', async () => {
    const small = catalogFixture({ importMaxRows: 2 });
    try {
      await small.catalog.import({ format: 'csv', text: CATEGORIES_CSV, table: 'categories' }, false).then(
        () => assert.fail('accepted'),
        (err) => assert.ok(isFleetError(err, 'PAYLOAD_TOO_LARGE'), String(err)),
      );
      // Positive control: at the cap it goes through.
      await small.catalog.import(
        { format: 'csv', text: CATEGORIES_CSV.split('\n').slice(0, 3).join('\n'), table: 'categories' },
        false,
      );
      assert.equal(small.catalog.listCategories().length, 2);
    } finally {
      small.close();
    }
  });
});
