// Little-endian element bytes of any stored dtype -> float32 values.
import { halfArrayToFloat } from './f16.js';
import { DTYPE_BYTES, type Dtype } from './tensor.js';

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copies `count * size` bytes into a fresh, aligned buffer in host byte order. */
function alignedCopy(bytes: Uint8Array, byteOffset: number, count: number, size: number): ArrayBuffer {
  // Uint8Array's slice copies; a Node Buffer's own slice() would return a view of a shared pool.
  const copy = Uint8Array.prototype.slice.call(bytes, byteOffset, byteOffset + count * size);
  if (!HOST_LITTLE_ENDIAN) {
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse();
  }
  return copy.buffer;
}

/** Decodes `count` elements starting at `byteOffset`; the caller has checked that they lie inside `bytes`. */
export function decodeElements(bytes: Uint8Array, byteOffset: number, count: number, dtype: Dtype): Float32Array {
  const buf = alignedCopy(bytes, byteOffset, count, DTYPE_BYTES[dtype]);
  switch (dtype) {
    case 'f32':
      return new Float32Array(buf);
    case 'f16':
      return halfArrayToFloat(new Uint16Array(buf));
    case 'bf16': {
      // bfloat16 is the top half of a float32
      const src = new Uint16Array(buf);
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i]! << 16;
      return new Float32Array(out.buffer);
    }
    case 'f64':
      return Float32Array.from(new Float64Array(buf));
    case 'i64': {
      const src = new BigInt64Array(buf);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]!);
      return out;
    }
  }
}
