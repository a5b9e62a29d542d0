/** A file that is not the Protocol Buffers message it should be (truncated, a wire type out of place, bad UTF-8). */
export class ProtobufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufFormatError';
  }
}

/** Protocol Buffers wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the Protocol Buffers wire format over a byte range, field by field: just what reading an ONNX model's
 * header takes (varints, strings, nested messages, and skipping what is not asked for, such as a model's weights,
 * without copying them). Groups (wire types 3 and 4, deprecated since proto2) are refused: ONNX has none.
 */
export class ProtobufReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new ProtobufFormatError(`field number 0 at byte ${this.pos}`);
    return { field, wire: key % 8 };
  }

  /**
   * An unsigned varint as a number. Exact up to 2^53; a negative int64 (ten bytes) comes out as a huge number, which
   * the callers here (sizes, counts, versions) treat as out of range.
   */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufFormatError('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new ProtobufFormatError('varint longer than 10 bytes');
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    if (length > this.end - this.pos) throw new ProtobufFormatError(`a field of ${length} bytes runs past the end`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    try {
      return utf8.decode(this.bytesField());
    } catch (err) {
      if (err instanceof ProtobufFormatError) throw err;
      throw new ProtobufFormatError('a string field is not UTF-8');
    }
  }

  /** A nested message, read by its own reader over the same bytes. */
  message(): ProtobufReader {
    const length = this.varint();
    if (length > this.end - this.pos) throw new ProtobufFormatError(`a message of ${length} bytes runs past the end`);
    const reader = new ProtobufReader(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }

  /** Skips a field's value of this wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.varint:
        this.varint();
        return;
      case WIRE.fixed64:
        this.advance(8);
        return;
      case WIRE.lengthDelimited:
        this.advance(this.varint());
        return;
      case WIRE.fixed32:
        this.advance(4);
        return;
      default:
        throw new ProtobufFormatError(`wire type ${wire} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (n > this.end - this.pos) throw new ProtobufFormatError('truncated field');
    this.pos += n;
  }
}
