import assert from 'node:assert/strict';
import { Basket } from '../../../../devices/cart/basket/basket.ts';
import type { AttendantCall, BasketCatalog, BasketState } from '../../../../devices/cart/basket/basket-types.ts';
import type { Product } from '../../../../protocol/commerce/catalog.ts';
import { FleetError, isFleetError } from '../../../../protocol/errors.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

function product(sku: string, fields: Partial<Product> = {}): Product {
  return {
    sku,
    gtins: [],
    plu: null,
    name: { zh: sku, en: sku },
    categoryId: 'grocery',
    soldBy: 'each',
    priceFen: 500,
    nominalWeightG: 500,
    weightToleranceG: null,
    tareG: null,
    minAge: null,
    needsAttendant: false,
    available: true,
    ...fields,
  };
}

const PRODUCTS: Product[] = [
  product('milk', { nominalWeightG: 1030 }),
  product('yogurt', { nominalWeightG: 130 }),
  product('chips', { nominalWeightG: 75, weightToleranceG: 6 }),
  product('beer', { nominalWeightG: 520, minAge: 18 }),
  product('razor', { nominalWeightG: 90, needsAttendant: true }),
  product('cigarettes', { nominalWeightG: 25, minAge: 18, needsAttendant: true }),
  product('apples', { soldBy: 'weight', priceFen: 1280, nominalWeightG: null, tareG: 6, plu: '4131' }),
  product('ham', { soldBy: 'weight', priceFen: 6800, nominalWeightG: null, tareG: 12 }),
  product('mystery', { nominalWeightG: null }),
  product('gum', { nominalWeightG: 6 }),
];

/** A catalog over codes: 'G:<sku>' is a product's own code, 'W:<sku>:<g>' a weight label, 'P:<sku>:<fen>' a price label. */
const catalog: BasketCatalog = {
  product: (sku) => PRODUCTS.find((p) => p.sku === sku),
  resolveBarcode(code) {
    const [kind, sku, value] = code.split(':');
    const found = PRODUCTS.find((p) => p.sku === sku);
    if (kind === 'BAD') throw new FleetError('GTIN_CHECK_DIGIT', 'check digit');
    if (!found) throw new FleetError('BARCODE_UNKNOWN', `unknown ${code}`);
    if (kind === 'W') return { product: found, weightG: Number(value) };
    if (kind === 'P') return { product: found, labelPriceFen: Number(value) };
    return { product: found };
  },
};

describe('Basket: barcode and weight fusion', () => {
  let clock: FakeClock;
  let basket: Basket;
  let calls: AttendantCall[];
  let audits: string[];

  beforeEach(() => {
    clock = new FakeClock();
    basket = new Basket(catalog, clock);
    calls = [];
    audits = [];
    basket.on('attendant', (c) => calls.push(c));
    basket.on('audit', (a) => audits.push(a.event));
  });
  afterEach(() => basket.stop());

  const state = (): BasketState => basket.state();

  it('a scan proposes the item and a settled increase within tolerance confirms it', () => {
    basket.scan('G:milk');
    assert.equal(state().prompt?.kind, 'place-item');
    assert.deepEqual(
      state().locks.map((l) => l.kind),
      ['weight-prompt', 'unconfirmed-lines'],
    );
    basket.settled(1041); // 1030 g ± 52 g (5 %)
    const s = state();
    assert.equal(s.prompt, null);
    assert.deepEqual(s.locks, []);
    assert.equal(s.lines[0]?.confirmedQuantity, 1);
    assert.equal(s.accountedG, 1041);
  });

  it('an item too light for the scale is confirmed by its scan, and a few of them in the basket are no mystery', () => {
    basket.scan('G:gum');
    assert.equal(state().prompt, null, 'nothing to put on the scale for');
    assert.deepEqual(state().locks, []);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
    assert.deepEqual(audits, ['confirmed-unweighed']);
    basket.scan('G:gum');
    basket.scan('G:gum');
    assert.equal(state().accountedG, 18);
    basket.settled(18); // three gums in: what the basket counted
    assert.equal(state().prompt, null);
    assert.equal(state().lines[0]?.confirmedQuantity, 3);
    // Positive control: 18 g nobody scanned is an unexplained increase.
    basket.clear();
    basket.settled(18);
    assert.equal(state().prompt?.kind, 'scan-added');
  });

  it('a weight outside tolerance does not confirm: the shopper is asked to scan what went in', () => {
    basket.scan('G:chips'); // 75 ± 8 g (the least tolerance wins over the product's 6 g)
    basket.settled(95);
    assert.equal(state().prompt?.kind, 'scan-added');
    assert.equal(state().lines[0]?.confirmedQuantity, 0);
    // Positive control: inside the tolerance it confirms.
    basket.clear();
    basket.scan('G:chips');
    basket.settled(82);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
  });

  it('an item dropped first and scanned after is confirmed by the scan', () => {
    basket.settled(131);
    assert.deepEqual(
      state().prompt && { kind: state().prompt?.kind, deltaG: (state().prompt as { deltaG: number }).deltaG },
      {
        kind: 'scan-added',
        deltaG: 131,
      },
    );
    basket.scan('G:yogurt');
    assert.equal(state().prompt, null);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
    assert.equal(state().accountedG, 131);
  });

  it('an unexplained increase that persists calls an attendant with the reason; taking it out again clears it', () => {
    basket.settled(400);
    clock.advance(29_999);
    assert.equal(calls.length, 0);
    clock.advance(1);
    assert.deepEqual(
      calls.map((c) => c.reason),
      ['weight-mismatch'],
    );
    assert.equal(state().attendant?.reason, 'weight-mismatch');
    basket.settled(2); // back to the empty basket, within noise
    assert.equal(state().prompt, null);
    assert.equal(state().attendant, null);
  });

  it('a decrease matching an item asks whether it was removed, and removes it on confirmation', () => {
    basket.scan('G:milk');
    basket.settled(1030);
    basket.scan('G:yogurt');
    basket.settled(1160);
    basket.settled(1032); // −128 g: the yogurt
    const prompt = state().prompt;
    assert.equal(prompt?.kind, 'confirm-removal');
    assert.equal(prompt?.kind === 'confirm-removal' && prompt.sku, 'yogurt');
    basket.answerRemoval(true);
    assert.deepEqual(
      state().lines.map((l) => l.sku),
      ['milk'],
    );
    assert.equal(state().prompt, null);
    assert.deepEqual(audits, ['item-removed']);
  });

  it('a denied removal becomes a mismatch that calls an attendant; staff accept the weight', () => {
    basket.scan('G:yogurt');
    basket.settled(130);
    basket.settled(0);
    basket.answerRemoval(false);
    assert.equal(state().prompt?.kind, 'unexpected-removal');
    clock.advance(30_000);
    assert.equal(calls.at(-1)?.reason, 'weight-mismatch');
    basket.acceptWeight(0, 'staff-7');
    assert.equal(state().prompt, null);
    assert.equal(state().accountedG, 0);
    assert.deepEqual(audits, ['weight-accepted']);
  });

  it('removing a line on the screen waits for the item to come out', () => {
    basket.scan('G:milk');
    basket.settled(1030);
    basket.removeFromLine('L1');
    assert.equal(state().prompt?.kind, 'take-out');
    assert.equal(state().lines.length, 1, 'the line stays until the scale sees it go');
    basket.settled(3);
    assert.equal(state().lines.length, 0);
    assert.equal(state().prompt, null);
  });

  it('removing a scanned item that never went in needs no weight', () => {
    basket.scan('G:milk');
    basket.removeFromLine('L1');
    assert.equal(state().lines.length, 0);
    assert.equal(state().prompt, null);
  });

  it('two items scanned then dropped together are confirmed by their summed weight', () => {
    basket.scan('G:milk');
    basket.scan('G:yogurt');
    basket.settled(1160);
    assert.deepEqual(
      state().lines.map((l) => [l.sku, l.confirmedQuantity]),
      [
        ['milk', 1],
        ['yogurt', 1],
      ],
    );
    assert.equal(state().prompt, null);
  });

  it('a second scan of the same product adds to its line and expects one more item', () => {
    basket.scan('G:yogurt');
    basket.settled(130);
    basket.scan('G:yogurt');
    assert.equal(state().lines[0]?.quantity, 2);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
    basket.settled(262);
    assert.equal(state().lines[0]?.confirmedQuantity, 2);
  });

  it('produce: picked, weighed with the bag’s tare removed, and priced by that weight', () => {
    basket.weighProduce('apples');
    assert.equal(state().prompt?.kind, 'weigh-produce');
    basket.settled(806);
    const line = state().lines[0];
    assert.equal(line?.source, 'produce');
    assert.equal(line?.weightG, 800, '806 g on the scale − 6 g bag');
    assert.equal(state().prompt, null);
    // A produce code scanned starts the same weighing.
    assert.deepEqual(basket.scan('G:apples'), { kind: 'weigh', sku: 'apples' });
  });

  it('produce weighing refuses a weight that is only the bag, with WEIGHT_NEGATIVE, and keeps waiting', () => {
    basket.weighProduce('apples');
    assert.throws(
      () => basket.settled(9),
      (err) => isFleetError(err, 'WEIGHT_NEGATIVE'),
    );
    assert.equal(state().prompt?.kind, 'weigh-produce');
    assert.equal(state().lines.length, 0);
  });

  it('a negative settled reading is refused with WEIGHT_NEGATIVE and changes nothing', () => {
    basket.scan('G:milk');
    const before = state();
    assert.throws(
      () => basket.settled(-40),
      (err) => isFleetError(err, 'WEIGHT_NEGATIVE'),
    );
    assert.deepEqual(state(), before);
  });

  it('a bad barcode is refused with its code and changes nothing', () => {
    const before = state();
    assert.throws(
      () => basket.scan('BAD:milk'),
      (err) => isFleetError(err, 'GTIN_CHECK_DIGIT'),
    );
    assert.throws(
      () => basket.scan('G:nothing'),
      (err) => isFleetError(err, 'BARCODE_UNKNOWN'),
    );
    assert.deepEqual(state(), before);
  });

  it('variable-measure labels: the printed weight (plus tray) or the weight the printed price implies is expected', () => {
    basket.scan('W:ham:250'); // 250 g + 12 g tray
    basket.settled(263);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
    basket.scan('P:ham:1360'); // ¥13.60 at ¥68/kg = 200 g + 12 g tray
    basket.settled(263 + 211);
    assert.equal(state().lines[1]?.confirmedQuantity, 1);
    assert.equal(state().lines[1]?.labelPriceFen, 1360);
    assert.equal(state().lines.length, 2, 'each label is its own line');
  });

  it('an age-restricted item calls an attendant and locks checkout until approved', () => {
    basket.scan('G:beer');
    basket.settled(520);
    assert.deepEqual(
      calls.map((c) => c.reason),
      ['age-check'],
    );
    assert.deepEqual(state().locks, [{ kind: 'age-check', lineIds: ['L1'], minAge: 18 }]);
    const approval = basket.approve('age-check', 'staff-7', 'staff-code');
    assert.deepEqual(approval.lines, [{ lineId: 'L1', quantity: 1 }]);
    assert.deepEqual(state().locks, []);
    assert.deepEqual(audits, ['approved']);
    // A second beer after the approval needs a new check.
    basket.scan('G:beer');
    basket.settled(1040);
    assert.deepEqual(state().locks, [{ kind: 'age-check', lineIds: ['L1'], minAge: 18 }]);
  });

  it('an attendant-only item locks checkout until staff approve it', () => {
    basket.scan('G:razor');
    basket.settled(90);
    assert.deepEqual(state().locks, [{ kind: 'needs-attendant', lineIds: ['L1'] }]);
    basket.approve('needs-attendant', 'staff-7', 'console');
    assert.deepEqual(state().locks, []);
  });

  it('an item both age-restricted and attendant-only (tobacco) is unlocked by the one age check it calls for', () => {
    basket.scan('G:cigarettes');
    basket.settled(25);
    assert.deepEqual(
      calls.map((c) => c.reason),
      ['age-check'],
      'one call: the age check',
    );
    assert.deepEqual(
      state().locks.map((l) => l.kind),
      ['age-check', 'needs-attendant'],
    );
    basket.approve('age-check', 'staff-7', 'console');
    assert.deepEqual(state().locks, [], 'the attendant who checked the age was there for the item too');
    // Control: the age check alone does not unlock an attendant-only item without an age limit.
    basket.scan('G:razor');
    basket.settled(115);
    basket.approve('age-check', 'staff-7', 'console');
    assert.deepEqual(state().locks, [{ kind: 'needs-attendant', lineIds: ['L2'] }]);
  });

  it('weighs only while the cart is still: a reading taken while pushing waits for the cart to stop', () => {
    basket.scan('G:milk');
    basket.setStill(false);
    basket.settled(1030);
    assert.equal(state().lines[0]?.confirmedQuantity, 0, 'not while moving');
    basket.setStill(true);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
  });

  it('an item without a known weight is confirmed by any settled increase', () => {
    basket.scan('G:mystery');
    basket.settled(333);
    assert.equal(state().lines[0]?.confirmedQuantity, 1);
  });

  it('restores a saved basket after a restart, pending items and prompt included', () => {
    basket.scan('G:milk');
    basket.settled(1030);
    basket.scan('G:yogurt');
    const saved = JSON.parse(JSON.stringify(state())) as BasketState;
    const again = new Basket(catalog, clock);
    again.restore(saved);
    assert.deepEqual(again.state(), saved);
    again.settled(1160);
    assert.equal(again.state().lines[1]?.confirmedQuantity, 1);
    again.scan('G:chips');
    assert.equal(again.state().lines[2]?.lineId, 'L3', 'line ids go on from the saved ones');
    again.stop();
  });

  it('recognition adds what it named for the open increase: packaged goods when the weight agrees, produce by weight', () => {
    const unexplained: number[] = [];
    basket.on('unexplained', (e) => unexplained.push(e.deltaG));
    basket.settled(129);
    assert.deepEqual(unexplained, [129]);
    assert.equal(state().prompt?.kind, 'scan-added');
    const wrong = (() => {
      try {
        basket.addRecognized('milk', 129);
      } catch (err) {
        return err;
      }
    })();
    assert.ok(isFleetError(wrong, 'WEIGHT_MISMATCH'), '129 g is no litre of milk');
    assert.equal(state().prompt?.kind, 'scan-added', 'a refusal changes nothing');
    const line = basket.addRecognized('yogurt', 129);
    assert.deepEqual([line.sku, line.source, line.confirmedQuantity], ['yogurt', 'vision', 1]);
    assert.equal(state().prompt, null);
    assert.equal(state().accountedG, 129);
    assert.throws(
      () => basket.addRecognized('yogurt', 129),
      (err) => isFleetError(err, 'BAD_REQUEST'),
    );

    basket.settled(129 + 406);
    const apples = basket.addRecognized('apples', 406);
    assert.deepEqual([apples.sku, apples.source, apples.weightG], ['apples', 'produce', 400]);
    assert.equal(state().locks.length, 0);
  });

  it('tells recognition what became of each item: scanned (either order), removed, withdrawn', () => {
    const events: string[] = [];
    basket.on('scanned', (e) => events.push(`scanned ${e.sku} ${e.deltaG}`));
    basket.on('removed', (e) => events.push(`removed ${e.sku}`));
    basket.on('withdrawn', (e) => events.push(`withdrawn ${e.deltaG}`));
    basket.scan('G:milk');
    basket.settled(1030);
    basket.settled(1030 + 129); // dropped first...
    basket.scan('G:yogurt'); // ...then scanned
    basket.settled(1030 + 129 + 75); // an unknown increase, taken out again
    basket.settled(1030 + 129);
    const yogurt = state().lines.find((l) => l.sku === 'yogurt');
    basket.removeFromLine(yogurt?.lineId as string);
    basket.settled(1030);
    assert.deepEqual(events, ['scanned milk 1030', 'scanned yogurt 129', 'withdrawn 75', 'removed yogurt']);
  });
});
