/** GTIN check digits, normalisation, variable-measure labels and the catalog index: every bad input's code. */
import assert from 'node:assert/strict';
import { CatalogIndex } from '../../commerce/catalog-index.ts';
import { gs1CheckDigit, normaliseGtin, parseGtin } from '../../commerce/gtin.ts';
import { parseVariableMeasure, priceCheckDigit } from '../../commerce/variable-measure.ts';
import { type ErrorCode, isFleetError } from '../../protocol/errors.ts';
import { LAYOUTS, PRODUCTS } from './commerce-fixture.ts';

const fails = (code: ErrorCode) => (e: unknown) => isFleetError(e, code);

describe('commerce/gtin', () => {
  it('checks GS1 mod-10 check digits of EAN-13, UPC-A, EAN-8 and GTIN-14', () => {
    assert.equal(gs1CheckDigit('690123456789'), 2);
    assert.equal(parseGtin('6901234567892').kind, 'GTIN-13');
    assert.equal(parseGtin('012345678905').kind, 'GTIN-12');
    assert.equal(parseGtin('96385074').kind, 'GTIN-8');
    assert.equal(parseGtin('10012345678902').kind, 'GTIN-14');
  });

  it('normalises to 14 digits: UPC-A 012345678905 is EAN-13 0012345678905', () => {
    assert.equal(normaliseGtin('012345678905'), '00012345678905');
    assert.equal(normaliseGtin('0012345678905'), '00012345678905');
    assert.equal(normaliseGtin('96385074'), '00000096385074');
  });

  const BAD: [string, ErrorCode][] = [
    ['', 'GTIN_INVALID'],
    ['abc', 'GTIN_INVALID'],
    ['1234567', 'GTIN_INVALID'],
    ['12345678901', 'GTIN_INVALID'],
    ['690123456789 2', 'GTIN_INVALID'],
    ['6901234567891', 'GTIN_CHECK_DIGIT'],
    ['012345678904', 'GTIN_CHECK_DIGIT'],
    ['96385075', 'GTIN_CHECK_DIGIT'],
  ];
  for (const [code, error] of BAD) {
    it(`refuses ${JSON.stringify(code)} with ${error}`, () => assert.throws(() => parseGtin(code), fails(error)));
  }
});

describe('commerce/variable-measure', () => {
  it('computes GS1 price check digits (GS1 General Specifications §7.9.3, §7.9.4 examples)', () => {
    assert.equal(priceCheckDigit('2875'), 9);
    assert.equal(priceCheckDigit('14685'), 6);
    // 1234: 2-(1)=2, 2-(2)=4, 3(3)=9, 5-(4)=8 → 23 × 3 = 69 → 9
    assert.equal(priceCheckDigit('1234'), 9);
  });

  it('reads a price label and a weight label', () => {
    // 21 | 20123 | 9 | 1234 | 4
    assert.deepEqual(parseVariableMeasure('2120123912344', LAYOUTS), {
      layoutId: 'price-label',
      prefix: '21',
      itemRef: '20123',
      priceFen: 1234,
      weightG: null,
    });
    // 22 | 04131 | 00755 | 8
    assert.deepEqual(parseVariableMeasure('2204131007558', LAYOUTS), {
      layoutId: 'weight-label',
      prefix: '22',
      itemRef: '4131',
      priceFen: null,
      weightG: 755,
    });
  });

  const BAD: [string, ErrorCode, string][] = [
    ['212012391234', 'BARCODE_VARIABLE_MEASURE_INVALID', '12 digits'],
    ['4006381333931', 'BARCODE_VARIABLE_MEASURE_INVALID', 'not a 20–29 prefix'],
    ['2120123912345', 'GTIN_CHECK_DIGIT', 'the label’s EAN-13 check digit'],
    ['2120123812347', 'BARCODE_VARIABLE_MEASURE_INVALID', 'the price check digit (8, should be 9)'],
    ['2504131007559', 'BARCODE_VARIABLE_MEASURE_INVALID', 'no layout for prefix 25'],
  ];
  for (const [code, error, why] of BAD) {
    it(`refuses ${code} (${why}) with ${error}`, () =>
      assert.throws(() => parseVariableMeasure(code, LAYOUTS), fails(error)));
  }
});

describe('commerce/catalog-index', () => {
  const index = new CatalogIndex(PRODUCTS, LAYOUTS);

  it('resolves GTINs in any of their forms, and labels to the product of their PLU', () => {
    assert.equal(index.resolveBarcode('6901234567892').product.sku, 'COLA');
    assert.equal(index.resolveBarcode('0012345678905').product.sku, 'SPRITE');
    assert.equal(index.resolveBarcode(' 96385074 ').product.sku, 'JUICE');
    const priced = index.resolveBarcode('2120123912344');
    assert.deepEqual([priced.product.sku, priced.labelPriceFen, priced.weightG], ['HAM', 1234, undefined]);
    const weighed = index.resolveBarcode('2204131007558');
    assert.deepEqual([weighed.product.sku, weighed.weightG, weighed.labelPriceFen], ['APPLE', 755, undefined]);
  });

  const BAD: [string, ErrorCode][] = [
    ['12AB5678', 'GTIN_INVALID'],
    ['6901234567891', 'GTIN_CHECK_DIGIT'],
    ['5901234123457', 'BARCODE_UNKNOWN'],
    ['2209999007559', 'BARCODE_UNKNOWN'],
    ['2504131007559', 'BARCODE_VARIABLE_MEASURE_INVALID'],
    ['2120123812347', 'BARCODE_VARIABLE_MEASURE_INVALID'],
    ['4006381333931', 'PRODUCT_UNAVAILABLE'],
  ];
  for (const [code, error] of BAD) {
    it(`resolveBarcode(${code}) → ${error}`, () => assert.throws(() => index.resolveBarcode(code), fails(error)));
  }

  it('searches produce by PLU digits and by name, in Chinese and English', () => {
    assert.deepEqual(
      index.searchProduce('4', 'en').map((p) => p.sku),
      ['BANANA', 'APPLE'],
    );
    assert.deepEqual(
      index.searchProduce('ban', 'en').map((p) => p.sku),
      ['BANANA'],
    );
    assert.deepEqual(
      index.searchProduce('apple', 'en').map((p) => p.sku),
      ['APPLE'],
    );
    assert.deepEqual(
      index.searchProduce('苹果', 'zh').map((p) => p.sku),
      ['APPLE'],
    );
    assert.deepEqual(
      index.searchProduce('香', 'zh').map((p) => p.sku),
      ['BANANA'],
    );
    assert.deepEqual(index.searchProduce('cola', 'en'), [], 'only weighed products');
  });

  it("searches produce by the Chinese name's pinyin initials, and by either language's name whatever the locale", () => {
    // the cart screen's letter keypad: a Chinese shopper types initials, the cart searches in the screen's locale
    assert.deepEqual(
      index.searchProduce('fspg', 'zh').map((p) => p.sku),
      ['APPLE'],
    );
    assert.deepEqual(
      index.searchProduce('XJ', 'zh').map((p) => p.sku),
      ['BANANA'],
    );
    assert.deepEqual(
      index.searchProduce('h', 'zh').map((p) => p.sku),
      ['HAM'],
      '火腿 (ht) and Ham begin with h',
    );
    assert.deepEqual(
      index.searchProduce('pg', 'zh').map((p) => p.sku),
      ['APPLE'],
      'initials contain pg',
    );
    assert.deepEqual(
      index.searchProduce('banana', 'zh').map((p) => p.sku),
      ['BANANA'],
      'the English name while the screen is in Chinese',
    );
    assert.deepEqual(
      index.searchProduce('香蕉', 'en').map((p) => p.sku),
      ['BANANA'],
      'the Chinese name while the screen is in English',
    );
    assert.deepEqual(index.searchProduce('kl', 'zh'), [], 'no name or initials hold kl');
  });
});
