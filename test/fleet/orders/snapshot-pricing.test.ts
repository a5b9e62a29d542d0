import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import type { PricingRequest } from '../../../fleet/orders/commerce-ports.ts';
import { SnapshotOrderPricing, type SnapshotVersions } from '../../../fleet/orders/snapshot-pricing.ts';
import type { PricingSnapshot } from '../../../protocol/commerce/snapshot.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { ALWAYS, line, PRODUCTS, promo, snapshot, WED_NOON } from '../../commerce/commerce-fixture.ts';

const MINUTE = 60_000;
/** Wednesday 2025-05-14 at hh:mm in Asia/Shanghai. */
const wed = (hh: number, mm = 0) => WED_NOON + ((hh - 12) * 60 + mm) * MINUTE;

/**
 * Two versions of store-1: v1 (milk 12.50, 5 % off yoghurt) until 10:00, v2 (milk 13.00, 10 % off milk at lunch, no
 * yoghurt offer) since.
 */
function versions(): SnapshotVersions & { stored: Map<number, { bytes: Buffer; from: number; to: number | null }> } {
  const lunch = promo(
    'lunch',
    { kind: 'percent_off', percentOff: 10 },
    { target: { skus: ['MILK'] }, window: { ...ALWAYS, hours: [['11:00', '14:00']] } },
  );
  const v1 = snapshot({
    version: 1,
    promotions: [
      promo(
        'old-deal',
        { kind: 'percent_off', percentOff: 5 },
        { name: { zh: '旧', en: 'Old deal' }, target: { skus: ['YOG'] } },
      ),
    ],
  });
  const v2: PricingSnapshot = snapshot({
    version: 2,
    products: PRODUCTS.map((p) => (p.sku === 'MILK' ? { ...p, priceFen: 1300 } : p)),
    promotions: [lunch],
  });
  const stored = new Map([
    [1, { bytes: gzipSync(JSON.stringify(v1)), from: wed(8), to: wed(10) as number | null }],
    [2, { bytes: gzipSync(JSON.stringify(v2)), from: wed(10), to: null }],
  ]);
  return {
    stored,
    currentVersion: (storeId) => (storeId === 'store-1' ? 2 : undefined),
    bytes: (storeId, version) => (storeId === 'store-1' ? stored.get(version)?.bytes : undefined),
    validAt: (_storeId, version, at) => {
      const v = stored.get(version);
      return v !== undefined && v.from <= at && (v.to === null || at < v.to);
    },
  };
}

function request(scannedAt: number[], at: number, storeId = 'store-1'): PricingRequest {
  return {
    storeId,
    member: null,
    lines: scannedAt.map((t) => line('MILK', 1, { scannedAt: t })),
    couponIds: [],
    pointsToRedeem: 0,
    at,
  };
}

describe("SnapshotOrderPricing: an order's two prices over the stored snapshots (real engine)", () => {
  const pricing = () =>
    new SnapshotOrderPricing({
      snapshots: versions(),
      productName: (sku) => ({ zh: `目录 ${sku}`, en: `catalog ${sku}` }),
      promotionName: () => undefined,
    });

  it('the current version, every line scanned in the windows of checkout: one pricing answers both', () => {
    const prices = pricing().priceForOrder(2, request([wed(12), wed(12, 30)], wed(13)));
    assert.equal(prices.current.totalFen, 2 * 1170);
    assert.equal(prices.claimed?.basket, prices.current, 'the same basket: priced once');
    assert.equal(prices.claimed?.validAtScan, true);
  });

  it('the current version, a line scanned at lunch and checked out after it: priced again at scan time', () => {
    const prices = pricing().priceForOrder(2, request([wed(13, 59)], wed(14, 5)));
    assert.equal(prices.current.totalFen, 1300, 'no lunch offer at 14:05');
    assert.notEqual(prices.claimed?.basket, prices.current);
    assert.equal(prices.claimed?.basket.totalFen, 1170, 'the offer the cart showed at 13:59');
    assert.equal(prices.claimed?.validAtScan, true);
  });

  it('an older version is priced by its own rules, and is valid at scan only while it was current', () => {
    const prices = pricing().priceForOrder(1, request([wed(9, 30)], wed(11)));
    assert.equal(prices.current.totalFen, 1170);
    assert.equal(prices.claimed?.basket.totalFen, 1250);
    assert.equal(prices.claimed?.basket.snapshotVersion, 1);
    assert.equal(prices.claimed?.validAtScan, true);
    assert.equal(pricing().priceForOrder(1, request([wed(10, 30)], wed(11))).claimed?.validAtScan, false);
    // One line scanned after v1 was superseded is enough, whichever line it is.
    assert.equal(pricing().priceForOrder(1, request([wed(9, 30), wed(10, 30)], wed(11))).claimed?.validAtScan, false);
    assert.equal(pricing().priceForOrder(1, request([wed(10, 30), wed(9, 30)], wed(11))).claimed?.validAtScan, false);
    assert.equal(pricing().priceForOrder(1, request([wed(7, 30), wed(9, 30)], wed(11))).claimed?.validAtScan, false);
    assert.equal(pricing().priceForOrder(1, request([wed(8), wed(9, 59)], wed(11))).claimed?.validAtScan, true);
  });

  it('a version the fleet does not know: no claimed price; the current one still answers', () => {
    const prices = pricing().priceForOrder(9, request([wed(12)], wed(12, 5)));
    assert.equal(prices.claimed, undefined);
    assert.equal(prices.current.totalFen, 1170);
  });

  it('a store without a snapshot: SNAPSHOT_NOT_FOUND', () => {
    assert.throws(
      () => pricing().priceForOrder(1, request([wed(12)], wed(12), 'store-2')),
      (err) => isFleetError(err, 'SNAPSHOT_NOT_FOUND'),
    );
  });

  it('names lines from the snapshots priced with (the current one first), the catalog for what neither holds', () => {
    const { names } = pricing().priceForOrder(1, request([wed(9, 30)], wed(11)));
    assert.deepEqual(names.product('MILK'), { zh: 'MILK', en: 'MILK' });
    assert.deepEqual(names.product('NOT-IN-SNAPSHOT'), { zh: '目录 NOT-IN-SNAPSHOT', en: 'catalog NOT-IN-SNAPSHOT' });
    assert.deepEqual(names.promotion('lunch'), { zh: 'lunch', en: 'lunch' });
    assert.deepEqual(names.promotion('old-deal'), { zh: '旧', en: 'Old deal' }, 'from the claimed snapshot');
    assert.equal(names.promotion('gone'), undefined);
    const merged = pricing().priceForOrder(2, request([wed(12)], wed(12, 5))).names;
    assert.equal(merged.promotion('old-deal'), undefined, 'v1 was not priced with: its offer is not named');
  });
});
