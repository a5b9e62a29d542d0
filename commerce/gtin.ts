/**
 * GTINs as printed under EAN-8, UPC-A and EAN-13 barcodes (GTIN-8, GTIN-12, GTIN-13; cases carry GTIN-14). Every
 * GTIN ends with the standard GS1 mod-10 check digit (GS1 General Specifications §7.9.1): from the right, digits are
 * weighted 3, 1, 3, 1...; the check digit brings the sum to a multiple of 10. GS1 compares GTINs in their 14-digit
 * form (right-aligned, zero-filled), so UPC-A 012345678905 and EAN-13 0012345678905 are the same item: every lookup
 * uses that form.
 */
import { fleetError } from '../protocol/errors.ts';

export type GtinKind = 'GTIN-8' | 'GTIN-12' | 'GTIN-13' | 'GTIN-14';
const KIND_BY_LENGTH: Record<number, GtinKind> = { 8: 'GTIN-8', 12: 'GTIN-12', 13: 'GTIN-13', 14: 'GTIN-14' };

export interface ParsedGtin {
  kind: GtinKind;
  /** The digits as scanned. */
  digits: string;
  /** The 14-digit form every lookup uses. */
  gtin14: string;
}

/** The GS1 mod-10 check digit of `body` (the digits before the check digit). */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (body.charCodeAt(i) - 48) * weight;
  }
  return (10 - (sum % 10)) % 10;
}

/** Parses a scanned GTIN: GTIN_INVALID (not 8, 12, 13 or 14 digits), GTIN_CHECK_DIGIT (wrong check digit). */
export function parseGtin(code: string): ParsedGtin {
  const kind = /^\d+$/.test(code) ? KIND_BY_LENGTH[code.length] : undefined;
  if (!kind) {
    throw fleetError('GTIN_INVALID', 'a GTIN is 8, 12, 13 or 14 digits', { code });
  }
  const expected = gs1CheckDigit(code.slice(0, -1));
  if (expected !== code.charCodeAt(code.length - 1) - 48) {
    throw fleetError('GTIN_CHECK_DIGIT', `check digit should be ${expected}`, { code, expected });
  }
  return { kind, digits: code, gtin14: code.padStart(14, '0') };
}

/** The 14-digit lookup key of a valid GTIN (throws as {@link parseGtin}). */
export function normaliseGtin(code: string): string {
  return parseGtin(code).gtin14;
}

/** True when `code` is a GTIN with a correct check digit. */
export function isValidGtin(code: string): boolean {
  try {
    parseGtin(code);
    return true;
  } catch {
    return false;
  }
}

/**
 * The catalog's stored key: the 13-digit form of a product GTIN (a product carries GTIN-8, -12 or -13; a GTIN-14
 * names a case, not what a shopper scans: GTIN_INVALID). Throws as {@link parseGtin}.
 */
export function gtin13(code: string): string {
  const parsed = parseGtin(code);
  if (parsed.kind === 'GTIN-14') throw fleetError('GTIN_INVALID', 'a product GTIN is 8, 12 or 13 digits', { code });
  return parsed.gtin14.slice(1);
}
