import { createGunzip } from 'node:zlib';
import { SchemaValidator } from '../../../platform/schema-validator.ts';
import { type PricingSnapshot, PricingSnapshotSchema } from '../../../protocol/commerce/snapshot.ts';
import { FleetError } from '../../../protocol/errors.ts';

const snapshotSchema = new SchemaValidator<PricingSnapshot>(PricingSnapshotSchema);

/** zlib's output chunk: what the parser holds of the JSON text at a time (besides one product's text). */
const CHUNK_BYTES = 64 * 1024;

/**
 * gzip JSON → a snapshot PricingSnapshotSchema accepts, or `SNAPSHOT_INVALID`, without ever holding the whole JSON
 * text. A 50,000-product snapshot is ~17 MB of UTF-8 that V8 would hold as a ~32 MB two-byte string (the Chinese
 * names) next to the 17 MB buffer it came from, while `JSON.parse` built the objects: ~50 MB on top of the cart for a
 * moment, kept resident until a full GC that an idle cart may not run for minutes (docs/benchmarks.md, cart memory).
 * Here the text is inflated 64 KiB at a time and each product is parsed on its own as its text completes
 * (`ProductArraySplitter`); the rest of the document is small and parsed at the end. The whole snapshot is then
 * checked against the schema as before, and between chunks the event loop runs (the screen stays live).
 */
export async function parseSnapshot(gzip: Buffer): Promise<PricingSnapshot> {
  let value: unknown;
  try {
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    gunzip.end(gzip);
    const splitter = new ProductArraySplitter();
    for await (const chunk of gunzip) splitter.write(chunk as Buffer);
    value = splitter.end();
  } catch (err) {
    throw new FleetError('SNAPSHOT_INVALID', `not gzip JSON: ${(err as Error).message}`);
  }
  const checked = snapshotSchema.check(value);
  if (!checked.ok) throw new FleetError('SNAPSHOT_INVALID', `not a pricing snapshot: ${checked.reason}`);
  return checked.value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const PRODUCTS = Buffer.from('products');

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

/**
 * Splits a JSON document fed in pieces into the elements of its top-level `products` array, each parsed on its own
 * as soon as its text is complete, and the rest of the document (with `"products":[]`), parsed at `end()`, which
 * returns the document with the products put back. It scans bytes, not characters: every byte of a multi-byte UTF-8
 * sequence is ≥ 0x80, so quotes, brackets and commas are never mistaken inside one (RFC 8259 §8.1, RFC 3629 §3).
 *
 * Only the structure is followed (string and escape state, nesting depth); JSON.parse checks each piece, so malformed
 * text fails there. A `products` key written with escapes is not recognized and simply stays in the rest (parsed
 * whole, as before); a second `products` key is refused, since the two parts would no longer say which one wins.
 */
export class ProductArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level object, where the next string is a key. */
  private expectKey = false;
  private topIsObject = false;
  private readingKey = false;
  /** While reading a top-level key: how many bytes of `products` it matched so far (-1: not it). */
  private keyMatch = -1;
  /** The last top-level key was `products` and its value has not begun. */
  private productsValueNext = false;
  /** Between the products array's brackets. */
  private inProducts = false;
  private productsSeen = false;
  /** Text of the product being read, when it spans chunks. */
  private element: Buffer[] = [];
  /** Whether the element being read followed a comma (an empty one is then an error, not an empty array). */
  private afterComma = false;
  private readonly rest: Buffer[] = [];
  private readonly products: unknown[] = [];

  write(chunk: Buffer): void {
    const n = chunk.length;
    let from = 0;
    /** Where the next backslash is at or after `i` (-1: none left in this chunk; -2: not looked for yet). */
    let backslashAt = -2;
    for (let i = 0; i < n; i++) {
      if (this.inString && !this.escaped && !this.readingKey) {
        // Most of the text is inside strings: jump to the next quote or backslash instead of visiting every byte.
        if (backslashAt !== -1 && backslashAt < i) backslashAt = chunk.indexOf(BACKSLASH, i);
        const quoteAt = chunk.indexOf(QUOTE, i);
        const stop = backslashAt === -1 ? quoteAt : quoteAt === -1 ? backslashAt : Math.min(quoteAt, backslashAt);
        if (stop === -1) break;
        i = stop;
      }
      const b = chunk[i] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) {
          this.escaped = true;
          this.keyMatch = -1;
        } else if (b === QUOTE) {
          this.inString = false;
          if (this.readingKey) this.closeKey();
        } else if (this.keyMatch !== -1) {
          this.keyMatch = this.keyMatch < PRODUCTS.length && PRODUCTS[this.keyMatch] === b ? this.keyMatch + 1 : -1;
        }
        continue;
      }
      if (isSpace(b)) continue;
      if (this.depth === 1 && this.productsValueNext && b !== COLON) {
        this.productsValueNext = false;
        if (b === OPEN_ARRAY) {
          if (this.productsSeen) throw new Error('the key "products" appears twice');
          this.productsSeen = true;
          this.inProducts = true;
          this.afterComma = false;
          this.rest.push(Buffer.from(chunk.subarray(from, i + 1)));
          from = i + 1;
          this.depth = 2;
          continue;
        }
      }
      if (this.inProducts && this.depth === 2 && (b === COMMA || b === CLOSE_ARRAY || b === CLOSE_OBJECT)) {
        this.element.push(chunk.subarray(from, i));
        this.takeElement(b === COMMA);
        from = b === COMMA ? i + 1 : i;
        if (b !== COMMA) {
          this.inProducts = false;
          this.depth = 1;
        }
        continue;
      }
      switch (b) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.expectKey) {
            this.expectKey = false;
            this.keyMatch = 0;
            this.readingKey = true;
          }
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          this.depth++;
          if (this.depth === 1 && b === OPEN_OBJECT) {
            this.topIsObject = true;
            this.expectKey = true;
          }
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          this.depth--;
          break;
        case COMMA:
          if (this.depth === 1 && this.topIsObject) this.expectKey = true;
          break;
      }
    }
    if (this.inProducts) this.element.push(chunk.subarray(from));
    else this.rest.push(Buffer.from(chunk.subarray(from)));
  }

  /** The whole document, products in place. Throws on truncated or malformed text. */
  end(): unknown {
    if (this.depth !== 0 || this.inString || this.inProducts) throw new Error('the JSON text ends early');
    const document = JSON.parse(Buffer.concat(this.rest).toString('utf8')) as unknown;
    this.rest.length = 0;
    if (this.productsSeen) (document as { products: unknown[] }).products = this.products;
    return document;
  }

  private closeKey(): void {
    this.readingKey = false;
    this.productsValueNext = this.keyMatch === PRODUCTS.length;
    this.keyMatch = -1;
  }

  private takeElement(commaFollows: boolean): void {
    const parts = this.element;
    this.element = [];
    const text = parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8');
    const empty = text.trim() === '';
    if (empty && (commaFollows || this.afterComma || this.products.length > 0)) {
      throw new Error('an empty element in the products array');
    }
    if (!empty) this.products.push(JSON.parse(text));
    this.afterComma = commaFollows;
  }
}
