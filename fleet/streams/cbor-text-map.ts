/**
 * Encodes a map of text keys to text values in CBOR (RFC 8949 §3.1: major type 5 for the map, 3 for text strings),
 * the one shape the streaming service sends in CBOR (its rejection). Enough to tell a CBOR client to ask in JSON
 * without a CBOR library.
 */
export function encodeCborTextMap(map: Record<string, string>): Buffer {
  const entries = Object.entries(map);
  const parts: Buffer[] = [head(5, entries.length)];
  for (const [key, value] of entries) parts.push(text(key), text(value));
  return Buffer.concat(parts);
}

function text(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  return Buffer.concat([head(3, bytes.length), bytes]);
}

/** The initial byte(s) of a data item: major type and its argument (RFC 8949 §3). */
function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = (major << 5) | 26;
  out.writeUInt32BE(length, 1);
  return out;
}
