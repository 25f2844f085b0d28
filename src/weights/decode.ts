// Little-endian element bytes of any stored dtype -> float32 values. Elements are read where they lie (an
// aligned typed view on a little-endian host, else a DataView), so decoding allocates only its float32
// output: the memory budget (budget.ts) counts exactly that.
import { halfArrayToFloat, halfBitsToFloat } from './f16.js';
import { DTYPE_BYTES, type Dtype } from './tensor.js';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reads storage element `i` (counted from the reader's start) as a number. */
export type ElementReader = (i: number) => number;

/** bfloat16 bits -> float: they are the top half of a float32. */
const bfBits = new Uint32Array(1);
const bfValue = new Float32Array(bfBits.buffer);
function bf16ToFloat(bits: number): number {
  bfBits[0] = bits << 16;
  return bfValue[0]!;
}

/** A typed view of `count` elements at `at` in `bytes`, when the host order and the alignment allow one. */
function typedView<T>(bytes: Uint8Array, at: number, count: number, size: number, make: (b: ArrayBufferLike, o: number, n: number) => T): T | undefined {
  const offset = bytes.byteOffset + at;
  return HOST_LITTLE_ENDIAN && offset % size === 0 ? make(bytes.buffer, offset, count) : undefined;
}

/**
 * A reader of the `count` elements of `dtype` that start at `byteOffset` in `bytes`; the caller has checked
 * that they lie inside `bytes`. Nothing is copied.
 */
export function elementReader(bytes: Uint8Array, byteOffset: number, count: number, dtype: Dtype): ElementReader {
  const size = DTYPE_BYTES[dtype];
  const dv = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * size);
  switch (dtype) {
    case 'f32': {
      const a = typedView(bytes, byteOffset, count, 4, (b, o, n) => new Float32Array(b, o, n));
      return a ? (i) => a[i]! : (i) => dv.getFloat32(4 * i, true);
    }
    case 'f16': {
      const a = typedView(bytes, byteOffset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
      return a ? (i) => halfBitsToFloat(a[i]!) : (i) => halfBitsToFloat(dv.getUint16(2 * i, true));
    }
    case 'bf16': {
      const a = typedView(bytes, byteOffset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
      return a ? (i) => bf16ToFloat(a[i]!) : (i) => bf16ToFloat(dv.getUint16(2 * i, true));
    }
    case 'f64': {
      const a = typedView(bytes, byteOffset, count, 8, (b, o, n) => new Float64Array(b, o, n));
      return a ? (i) => a[i]! : (i) => dv.getFloat64(8 * i, true);
    }
    case 'i64': {
      const a = typedView(bytes, byteOffset, count, 8, (b, o, n) => new BigInt64Array(b, o, n));
      return a ? (i) => Number(a[i]!) : (i) => Number(dv.getBigInt64(8 * i, true));
    }
  }
}

/** Decodes `count` elements starting at `byteOffset`; the caller has checked that they lie inside `bytes`. */
export function decodeElements(bytes: Uint8Array, byteOffset: number, count: number, dtype: Dtype): Float32Array {
  if (dtype === 'f32') {
    // One copy, bit for bit (NaN payloads included), into an array that owns exactly its buffer.
    const copy = Uint8Array.prototype.slice.call(bytes, byteOffset, byteOffset + 4 * count);
    if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
    return new Float32Array(copy.buffer);
  }
  if (dtype === 'f16') {
    const a = typedView(bytes, byteOffset, count, 2, (b, o, n) => new Uint16Array(b, o, n));
    if (a) return halfArrayToFloat(a);
  }
  const read = elementReader(bytes, byteOffset, count, dtype);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}
