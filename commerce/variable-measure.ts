/**
 * Variable-measure labels printed by in-store scales: EAN-13 restricted circulation numbers with GS1 prefixes 20–29
 * (GS1 restricted circulation numbers for variable measure trade items, defined per country by the GS1 member
 * organisation and configured per chain), whose layout the chain sets ({@link VariableMeasureLayout}): an item reference (the product's PLU), a value (price in
 * fen or weight in grams) and, optionally, a price/weight check digit over a 4- or 5-digit value.
 *
 * The price/weight check digit (GS1 General Specifications §7.9.2–7.9.4) weights each digit by a factor and keeps
 * the units digit of a derived product:
 *   2-: units digit of (2 × d) minus its tens digit; 3: units digit of 3 × d;
 *   5+: units digit of (5 × d) plus its tens digit; 5-: units digit of (5 × d) minus its tens digit.
 * 4-digit value (§7.9.3): factors 2-, 2-, 3, 5-; the check digit is the units digit of 3 × the sum.
 * 5-digit value (§7.9.4): factors 5+, 2-, 5-, 5+, 2-; the sum is subtracted from the next multiple of 10, and the
 * check digit is the digit whose 5- product equals that difference.
 * GS1's own examples: 2875 → 9, 14685 → 6.
 */
import type { VariableMeasureLayout } from '../protocol/commerce/catalog.ts';
import { fleetError } from '../protocol/errors.ts';
import { gs1CheckDigit } from './gtin.ts';

const TWO_MINUS = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const THREE = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const FIVE_PLUS = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const FIVE_MINUS = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/** The GS1 price/weight check digit of a 4- or 5-digit value field. */
export function priceCheckDigit(value: string): number {
  if (!/^\d{4,5}$/.test(value)) {
    throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', 'a price check digit guards 4 or 5 digits', { value });
  }
  if (value.length === 4) {
    const sum =
      (TWO_MINUS[digit(value, 0)] as number) +
      (TWO_MINUS[digit(value, 1)] as number) +
      (THREE[digit(value, 2)] as number) +
      (FIVE_MINUS[digit(value, 3)] as number);
    return (sum * 3) % 10;
  }
  const sum =
    (FIVE_PLUS[digit(value, 0)] as number) +
    (TWO_MINUS[digit(value, 1)] as number) +
    (FIVE_MINUS[digit(value, 2)] as number) +
    (FIVE_PLUS[digit(value, 3)] as number) +
    (TWO_MINUS[digit(value, 4)] as number);
  return FIVE_MINUS.indexOf((10 - (sum % 10)) % 10);
}

export interface VariableMeasureLabel {
  layoutId: string;
  prefix: string;
  /** The item reference, leading zeros removed: matched against a product's PLU the same way. */
  itemRef: string;
  priceFen: number | null;
  weightG: number | null;
}

/** True for a 13-digit code in the GS1 variable-measure range (prefixes 20–29). */
export function isVariableMeasureCode(code: string): boolean {
  return code.length === 13 && code.charCodeAt(0) === 50 /* '2' */ && /^\d{13}$/.test(code);
}

/** A PLU or item reference as a lookup key: "04011" and "4011" are the same item. */
export function pluKey(plu: string): string {
  const stripped = plu.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/**
 * Parses a variable-measure label with the chain's layouts. BARCODE_VARIABLE_MEASURE_INVALID: not 13 digits, not
 * prefix 20–29, no layout for the prefix, or a wrong price/weight check digit; GTIN_CHECK_DIGIT: the label's own
 * EAN-13 check digit is wrong.
 */
export function parseVariableMeasure(code: string, layouts: readonly VariableMeasureLayout[]): VariableMeasureLabel {
  if (!isVariableMeasureCode(code)) {
    throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', 'a variable-measure label is 13 digits starting 20–29', {
      code,
    });
  }
  const expected = gs1CheckDigit(code.slice(0, 12));
  if (expected !== digit(code, 12)) {
    throw fleetError('GTIN_CHECK_DIGIT', `check digit should be ${expected}`, { code, expected });
  }
  const prefix = code.slice(0, 2);
  const layout = layouts.find((l) => l.prefixes.includes(prefix));
  if (!layout) {
    throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', `no variable-measure layout for prefix ${prefix}`, {
      code,
      prefix,
    });
  }
  const itemRef = code.slice(layout.itemRef.start, layout.itemRef.start + layout.itemRef.length);
  const value = code.slice(layout.value.start, layout.value.start + layout.value.length);
  if (itemRef.length !== layout.itemRef.length || value.length !== layout.value.length) {
    throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', `layout ${layout.id} reaches past the 13 digits`, { code });
  }
  if (layout.valueCheckDigit !== null) {
    if (value.length !== 4 && value.length !== 5) {
      throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', `layout ${layout.id}: a check digit needs 4 or 5 digits`, {
        code,
      });
    }
    const check = priceCheckDigit(value);
    if (check !== digit(code, layout.valueCheckDigit)) {
      throw fleetError('BARCODE_VARIABLE_MEASURE_INVALID', `price/weight check digit should be ${check}`, {
        code,
        expected: check,
      });
    }
  }
  const amount = Number(value);
  return {
    layoutId: layout.id,
    prefix,
    itemRef: pluKey(itemRef),
    priceFen: layout.valueKind === 'price' ? amount : null,
    weightG: layout.valueKind === 'weight' ? amount : null,
  };
}
