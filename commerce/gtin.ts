import { gtinString } from '../protocol/commerce/catalog.ts';
import { FleetError } from '../protocol/errors.ts';

const GTIN_FORMAT = new RegExp(gtinString.pattern);

/**
 * The GS1 check digit of the digits before it (GS1 General Specifications §7.9.1): weights 3 and 1 alternate from
 * the rightmost digit, and the check digit brings the sum up to a multiple of 10. The same rule serves GTIN-8,
 * GTIN-12 and GTIN-13, so a code keeps its check digit when padded with leading zeros.
 */
export function gtinCheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const digit = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Throws GTIN_INVALID (not 8, 12 or 13 digits) or GTIN_CHECK_DIGIT. */
export function validateGtin(code: string): void {
  if (!GTIN_FORMAT.test(code)) {
    throw new FleetError('GTIN_INVALID', `'${code}' is not a GTIN (8, 12 or 13 digits: EAN-8, UPC-A, EAN-13)`);
  }
  const expected = gtinCheckDigit(code.slice(0, -1));
  if (Number(code.at(-1)) !== expected) {
    throw new FleetError('GTIN_CHECK_DIGIT', `'${code}' has a wrong check digit (expected ${expected})`);
  }
}

/**
 * The GTIN as 13 digits (validated first): UPC-A gets a leading 0, EAN-8 five. GS1 compares GTINs right-aligned in
 * a zero-padded field (§3.3.2), so a UPC-A and the EAN-13 that is `0` + it are one product.
 */
export function normalizeGtin(code: string): string {
  validateGtin(code);
  return code.padStart(13, '0');
}
