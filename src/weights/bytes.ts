// Bounds-checked little-endian reads. Every failure names the file and the byte offset.

export function truncatedError(source: string, offset: number, need: number, what: string, end: number): Error {
  const left = Math.max(0, end - offset);
  return new Error(`${source}: truncated at byte ${offset}: ${what} needs ${need} bytes, only ${left} left`);
}

export class ByteReader {
  private readonly view: DataView;
  /** where reading must stop: the given end, but never past the bytes (a field may claim more) */
  readonly end: number;

  /**
   * `overrun` makes the error for a read that passes `end` while the bytes go on (a limit, not the end of
   * the file); without it every such read is reported as truncated.
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly source: string,
    public pos = 0,
    end = bytes.length,
    private readonly overrun?: (what: string, need: number, at: number) => Error,
  ) {
    this.end = Math.min(end, bytes.length);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws a 'truncated' error (or the overrun error, at a limit) unless n more bytes are available. */
  need(n: number, what: string): void {
    if (n <= this.end - this.pos) return;
    if (this.overrun && n <= this.bytes.length - this.pos) throw this.overrun(what, n, this.pos);
    throw truncatedError(this.source, this.pos, n, what, this.end);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit; errors if the value cannot be a JavaScript safe integer. */
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`${this.source}: ${what} at byte ${this.pos} is ${v}, too large`);
    }
    this.pos += 8;
    return Number(v);
  }

  /** Signed 64-bit; errors if the value cannot be a JavaScript safe integer. */
  i64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`${this.source}: ${what} at byte ${this.pos} is ${v}, too large`);
    }
    this.pos += 8;
    return Number(v);
  }

  f64be(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** The first bytes of a file as hex and printable ASCII, for "what was found" error messages. */
export function describeBytes(bytes: Uint8Array, count = 16): string {
  const head = bytes.subarray(0, count);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return bytes.length === 0 ? 'an empty file' : `bytes ${hex} ("${ascii}")`;
}
