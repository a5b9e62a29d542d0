/**
 * The JSON Canonicalization Scheme (RFC 8785, JCS): the one byte sequence of a JSON value that signatures are made
 * over, so the fleet, the CLI and a device that parse and re-serialise a manifest all hash the same bytes.
 *
 * - Literals and strings are written as ECMAScript's `JSON.stringify` writes them (RFC 8785 §3.2.2.2), which escapes
 *   exactly `"`, `\`, and U+0000–U+001F (the short forms \b \t \n \f \r, else `\u00xx` in lower case).
 * - Numbers use ECMAScript's Number-to-String (§3.2.2.3); NaN and ±Infinity are not JSON and are refused; -0 is `0`.
 * - Object members are sorted by their names as arrays of UTF-16 code units (§3.2.3), which is what JavaScript's
 *   default string comparison does, independent of locale.
 * - Input must be I-JSON (RFC 7493, §3.1 of RFC 8785): a string with a lone surrogate is refused.
 *
 * Members whose value is `undefined` are left out, as `JSON.stringify` leaves them out: the canonical form is that of
 * the JSON text the value becomes on the wire (an optional `notes: undefined` is no `notes` at all).
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

/** The canonical form as UTF-8 bytes (RFC 8785 §3.2.4): what is signed and hashed. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** Thrown for a value that has no canonical JSON form (a non-finite number, a lone surrogate, a function...). */
export class CanonicalJsonError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

function serialize(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      // Number-to-String of ECMA-262 §7.1.12.1, the serialisation RFC 8785 §3.2.2.3 adopts; `String(-0)` is "0".
      return String(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      if (Array.isArray(value)) return serializeArray(value, path);
      if (isPlainObject(value)) return serializeObject(value, path);
      throw new CanonicalJsonError(path, `a ${value.constructor?.name ?? 'non-plain'} object is not JSON data`);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} is not JSON data`);
  }
}

// In a `u` regular expression a surrogate pair is one code point, so this matches only a surrogate standing alone.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'a string with a lone surrogate is not I-JSON');
  return JSON.stringify(value);
}

function serializeArray(values: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    if (values[i] === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined is not JSON data');
    parts.push(serialize(values[i], `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function serializeObject(record: Record<string, unknown>, path: string): string {
  const names = Object.keys(record).filter((name) => record[name] !== undefined);
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units, RFC 8785 §3.2.3's order.
  names.sort();
  const parts: string[] = [];
  for (const name of names) {
    parts.push(`${serializeString(name, path)}:${serialize(record[name], `${path}.${name}`)}`);
  }
  return `{${parts.join(',')}}`;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
