import assert from 'node:assert/strict';
import { createPricingContext, priceBasket } from '../../commerce/pricing-engine.ts';
import { windowsAgreeAtScan } from '../../commerce/scan-time-windows.ts';
import { mulberry32 } from '../../platform/seeded-random.ts';
import type { BasketLineInput } from '../../protocol/commerce/basket.ts';
import type { Promotion } from '../../protocol/commerce/promotions.ts';
import { ALWAYS, line, member, PRODUCTS, promo, snapshot, WED_NOON } from './commerce-fixture.ts';

const MINUTE = 60_000;
/** Wednesday 2025-05-14 at hh:mm in Asia/Shanghai. */
const wed = (hh: number, mm = 0) => WED_NOON + ((hh - 12) * 60 + mm) * MINUTE;

describe('commerce/scan-time-windows: when judging windows at scan time changes nothing', () => {
  const lunch = createPricingContext(
    snapshot({
      promotions: [
        promo(
          'lunch',
          { kind: 'percent_off', percentOff: 10 },
          { target: { skus: ['MILK'] }, window: { ...ALWAYS, hours: [['11:00', '14:00']] } },
        ),
      ],
    }),
  );

  it('disagree: scanned inside the lunch window, checked out after it', () => {
    assert.equal(windowsAgreeAtScan(lunch, wed(14, 5), [wed(13, 59)]), false);
  });

  it('agree: scanned and checked out inside the window, or both outside it', () => {
    assert.equal(windowsAgreeAtScan(lunch, wed(13, 0), [wed(11, 0), wed(12, 30)]), true);
    assert.equal(windowsAgreeAtScan(lunch, wed(10, 30), [wed(9, 0)]), true);
    assert.equal(windowsAgreeAtScan(lunch, wed(14, 0), [wed(15, 0), wed(14, 0) + 59_999]), true);
  });

  it('one line out of step is enough to disagree', () => {
    assert.equal(windowsAgreeAtScan(lunch, wed(14, 5), [wed(14, 1), wed(10, 59), wed(13, 59)]), false);
  });

  it('judges whole days in the store zone: a promotion ending on the 14th, scanned 23:50, checked out 00:10', () => {
    const context = createPricingContext(
      snapshot({
        promotions: [
          promo('until-14th', { kind: 'percent_off', percentOff: 5 }, { window: { ...ALWAYS, to: '2025-05-14' } }),
        ],
      }),
    );
    assert.equal(windowsAgreeAtScan(context, wed(24, 10), [wed(23, 50)]), false);
    assert.equal(windowsAgreeAtScan(context, wed(23, 55), [wed(23, 50)]), true);
  });

  it('without promotions, or with lines scanned in the checkout minute, there is nothing to disagree on', () => {
    assert.equal(windowsAgreeAtScan(createPricingContext(snapshot()), wed(14, 5), [wed(9, 0)]), true);
    assert.equal(windowsAgreeAtScan(lunch, wed(14, 0) + 30_000, [wed(14, 0)]), true);
  });

  it('a time the engine would refuse is "disagree": the caller prices twice and the engine answers', () => {
    assert.equal(windowsAgreeAtScan(lunch, wed(13, 0), [Number.NaN]), false);
  });

  it('against the engine: whenever they agree, pricing at scan time gives exactly the basket of checkout time', () => {
    const random = mulberry32(8);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)] as T;
    const hhmm = (minute: number) =>
      `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    const each = PRODUCTS.filter((p) => p.soldBy === 'each' && p.available);
    let agreed = 0;
    let disagreedAndDiffered = 0;
    for (let round = 0; round < 300; round++) {
      const promotions: Promotion[] = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, k) => {
        const start = 6 * 60 + Math.floor(random() * 14 * 60);
        const hours: [string, string][] = [
          [hhmm(start), hhmm(Math.min(24 * 60 - 1, start + 15 + Math.floor(random() * 180)))],
        ];
        const window = {
          from: pick(['2025-05-01', '2025-05-14', '2025-05-15']),
          to: pick(['2025-05-14', '2025-05-31']),
          ...(random() < 0.7 ? { hours } : {}),
          ...(random() < 0.2 ? { weekdays: [3] } : {}),
        };
        const target =
          random() < 0.5
            ? { skus: [pick(each).sku, pick(each).sku] }
            : { categoryIds: [pick(['soda', 'dairy', 'food'])] };
        return random() < 0.5
          ? promo(`p${k}`, { kind: 'percent_off', percentOff: 5 + Math.floor(random() * 30) }, { target, window })
          : promo(`p${k}`, { kind: 'amount_off', amountOffFen: 10 + Math.floor(random() * 100) }, { target, window });
      });
      const context = createPricingContext(snapshot({ promotions }));
      const at = wed(8) + Math.floor(random() * 17 * 60) * MINUTE + Math.floor(random() * MINUTE);
      const lines: BasketLineInput[] = Array.from({ length: 1 + Math.floor(random() * 5) }, () =>
        line(pick(each).sku, 1 + Math.floor(random() * 3), { scannedAt: at - Math.floor(random() * 90) * MINUTE }),
      );
      const request = { lines, member: random() < 0.3 ? member() : null, couponIds: [], pointsToRedeem: 0, at };
      const atCheckout = priceBasket(context, request);
      const atScan = priceBasket(context, { ...request, windowsAt: 'scannedAt' as const });
      if (
        windowsAgreeAtScan(
          context,
          at,
          lines.map((l) => l.scannedAt),
        )
      ) {
        agreed++;
        assert.deepEqual(atScan, atCheckout, `round ${round}`);
      } else if (JSON.stringify(atScan) !== JSON.stringify(atCheckout)) disagreedAndDiffered++;
    }
    // Both sides occur: the generated windows do change prices, and most baskets can be priced once.
    assert.ok(agreed > 50, `agreed in ${agreed} of 300`);
    assert.ok(disagreedAndDiffered > 10, `windows changed the price in ${disagreedAndDiffered} of 300`);
  });
});
