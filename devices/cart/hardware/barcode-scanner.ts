/** Symbologies a cart's scanner reads: 1D retail codes on products, 2D codes for member and coupon codes. */
export type Symbology = 'ean-13' | 'ean-8' | 'upc-a' | 'code-128' | 'gs1-128' | 'qr' | 'data-matrix' | 'unknown';

/** One decoded barcode, as the basket consumes it. */
export interface ScanEvent {
  /** The data as decoded, without the scanner's prefix or suffix (a wrong check digit is the basket's to refuse). */
  code: string;
  /** When the scanner says (AIM identifier) or the content makes it plain (8, 12 or 13 digits). */
  symbology?: Symbology;
  at: number;
}

/** A barcode scanner: emits `scan` events between `start()` and `stop()`. */
export interface BarcodeScanner {
  start(): Promise<void>;
  stop(): Promise<void>;
  onScan(listener: (scan: ScanEvent) => void): () => void;
}

/**
 * AIM symbology identifiers (ISO/IEC 15424: `]` + code character + modifier), which most retail scanners can send
 * ahead of the data. EAN/UPC scanners send UPC-A as a 13-digit EAN with a leading 0 under `]E0`.
 */
const AIM_IDS: Readonly<Record<string, Symbology>> = {
  ']E0': 'ean-13',
  ']E4': 'ean-8',
  ']C0': 'code-128',
  ']C1': 'gs1-128',
  ']Q1': 'qr',
  ']Q3': 'qr',
  ']d1': 'data-matrix',
  ']d2': 'data-matrix',
};

/** Splits an AIM identifier off a line when `aimIds` is on; otherwise infers what the digits say. */
export function decodeScannedLine(line: string, aimIds: boolean): { code: string; symbology?: Symbology } {
  if (aimIds && line.startsWith(']') && line.length >= 3) {
    const id = line.slice(0, 3);
    return { code: line.slice(3), symbology: AIM_IDS[id] ?? 'unknown' };
  }
  const symbology = symbologyOfDigits(line);
  return symbology ? { code: line, symbology } : { code: line };
}

function symbologyOfDigits(code: string): Symbology | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  if (code.length === 13) return 'ean-13';
  if (code.length === 12) return 'upc-a';
  if (code.length === 8) return 'ean-8';
  return undefined;
}
