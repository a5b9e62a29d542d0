import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { ProductArraySplitter, parseSnapshot } from '../../../../devices/cart/commerce/snapshot-parser.ts';
import type { Product } from '../../../../protocol/commerce/catalog.ts';
import type { PricingSnapshot } from '../../../../protocol/commerce/snapshot.ts';
import { isFleetError } from '../../../../protocol/errors.ts';

function product(n: number, name = `商品 ${n}`): Product {
  return {
    sku: `SKU-${n}`,
    gtins: [],
    plu: null,
    name: { zh: name, en: `Item ${n}` },
    brand: '云南白药',
    categoryId: 'dairy',
    soldBy: 'each',
    priceFen: 100 + n,
    nominalWeightG: 200,
    weightToleranceG: 10,
    tareG: null,
    minAge: null,
    needsAttendant: false,
    available: true,
  };
}

function snapshot(products: Product[]): PricingSnapshot {
  return {
    version: 3,
    storeId: 'hf-shanghai-xuhui',
    builtAt: 1_700_000_000_000,
    store: { id: 'hf-shanghai-xuhui', region: 'east', timeZone: 'Asia/Shanghai' },
    categories: [{ id: 'dairy', parentId: null, name: { zh: '乳品', en: 'Dairy' } }],
    products,
    promotions: [],
    earnRules: [],
    tiers: [],
    redemption: { fenPer100Points: 100, maxPercentOfTotal: 50, minPoints: 100, perStoreDailyLimitPoints: null },
    variableMeasureLayouts: [],
  };
}

/** Feeds `text` to a splitter in pieces of `size` bytes. */
function split(text: string, size: number): unknown {
  const bytes = Buffer.from(text);
  const splitter = new ProductArraySplitter();
  for (let i = 0; i < bytes.length; i += size) splitter.write(bytes.subarray(i, i + size));
  return splitter.end();
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.fail('expected a refusal');
}

// Strings that hold the splitter's structural bytes, escapes, and multi-byte UTF-8 (2, 3 and 4 bytes).
const TRICKY = ['A, [b] {c}: "quoted"', 'back\\slash\\', 'tab\tnew\nline', 'é 酒 🍺', '"', '\\"', ']}', ''];

describe('snapshot parser: the products parsed one at a time as the gzip stream inflates', () => {
  it('gives what JSON.parse gives, whatever the chunk boundaries (every byte, odd sizes)', () => {
    const products = TRICKY.map((name, n) => ({ ...product(n, name), gtins: ['6948939497260', '96385074'] }));
    for (const text of [JSON.stringify(snapshot(products)), JSON.stringify(snapshot(products), null, 2)]) {
      const expected = JSON.parse(text);
      for (const size of [1, 2, 3, 7, 64, text.length]) assert.deepEqual(split(text, size), expected, `size ${size}`);
    }
  });

  it('leaves other "products" alone: a nested key, a string value, an escaped key, a top-level array', () => {
    const texts = [
      '{"promotions":[{"products":[1,2]}],"note":"products","products":[{"a":1},{"b":[2,{"c":3}]}]}',
      '{"\\u0070roducts":[{"a":1}],"version":1}',
      '{"version":1}',
      '{"productsX":[{"a":1}],"prod":[2],"products ":[3]}',
      '[{"products":[1]},"products",["products"]]',
      '{"products":[ ]}',
      '{"products":null}',
    ];
    for (const text of texts) {
      for (const size of [1, 5, text.length]) assert.deepEqual(split(text, size), JSON.parse(text), text);
    }
  });

  it('refuses what JSON.parse refuses: empty elements, truncated text; and a second "products" key', () => {
    const bad = [
      '{"products":[{"a":1},]}',
      '{"products":[,{"a":1}]}',
      '{"products":[{"a":1},,{"b":2}]}',
      '{"products":[{"a":1},{"b":',
      '{"products":[{"a":1}',
      '{"products":[{"a":1}}',
      '{"products":[{"a":1}],"products":[]}',
      '{"products":[{"a":1 2}]}',
    ];
    for (const text of bad) {
      assert.throws(() => split(text, 3), Error, text);
    }
  });

  it('parseSnapshot: a valid snapshot comes back as it was built', async () => {
    const built = snapshot([product(1), product(2)]);
    assert.deepEqual(await parseSnapshot(gzipSync(JSON.stringify(built))), built);
  });

  it('parseSnapshot: not gzip, malformed JSON and a schema violation are SNAPSHOT_INVALID', async () => {
    const notGzip = await refusal(parseSnapshot(Buffer.from('{"version":1}')));
    assert.ok(isFleetError(notGzip, 'SNAPSHOT_INVALID'));
    assert.match(notGzip.message, /not gzip JSON/);
    const good = JSON.stringify(snapshot([product(1), product(2)]));
    const truncated = await refusal(parseSnapshot(gzipSync(good.slice(0, good.length - 40))));
    assert.ok(isFleetError(truncated, 'SNAPSHOT_INVALID'));
    const { priceFen: _, ...noPrice } = product(2);
    const invalid = await refusal(
      parseSnapshot(gzipSync(JSON.stringify({ ...snapshot([product(1)]), products: [product(1), noPrice] }))),
    );
    assert.ok(isFleetError(invalid, 'SNAPSHOT_INVALID'));
    assert.match(invalid.message, /not a pricing snapshot: products\.1/);
  });

  it('never holds the whole JSON text: no JSON.parse of more than one chunk (64 KiB) at a time', async () => {
    const products = Array.from({ length: 3000 }, (_, n) => product(n));
    const text = JSON.stringify(snapshot(products));
    assert.ok(text.length > 500_000, 'the snapshot is many chunks long');
    const parse = JSON.parse;
    let longest = 0;
    JSON.parse = (input: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      longest = Math.max(longest, input.length);
      return parse(input, reviver);
    };
    try {
      const parsed = await parseSnapshot(gzipSync(text));
      assert.equal(parsed.products.length, 3000);
    } finally {
      JSON.parse = parse;
    }
    assert.ok(longest > 0, 'JSON.parse was watched');
    assert.ok(longest < 64 * 1024, `the longest text parsed at once: ${longest} characters`);
  });
});
