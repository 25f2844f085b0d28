// IEEE binary16 <-> float32, bit-exact: decoding through a table, encoding with round-to-nearest-even.

let table: Float32Array | undefined;

/** The value of every half-precision bit pattern, built on first use (256 KiB). */
function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const man = h & 0x3ff;
      if (exp === 0) table[h] = sign * man * 2 ** -24;
      else if (exp === 31) table[h] = man === 0 ? sign * Infinity : NaN;
      else table[h] = sign * (1024 + man) * 2 ** (exp - 25);
    }
  }
  return table;
}

export function halfBitsToFloat(bits: number): number {
  return halfTable()[bits & 0xffff]!;
}

/** Decodes an array of half bit patterns. */
export function halfArrayToFloat(bits: Uint16Array): Float32Array {
  const t = halfTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = t[bits[i]!]!;
  return out;
}

/** The largest finite float16 value. */
export const HALF_MAX = 65504;

/** Whether half bits hold a finite value (not infinity or NaN: the exponent field not all ones). */
export const isHalfFinite = (bits: number): boolean => (bits & 0x7c00) !== 0x7c00;

/**
 * float32 bits -> half bits, rounding to nearest with ties to even. Values too large for half become
 * infinity (0x7c00 with the sign), NaN becomes a quiet NaN, so callers detect overflow by the exponent.
 */
export function floatBitsToHalfBits(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  const man = u & 0x7fffff;
  if (exp === 0xff) return sign | (man ? 0x7e00 : 0x7c00);
  const e = exp - 112; // half exponent field for a normal result
  if (e >= 31) return sign | 0x7c00;
  if (e >= 1) {
    let h = (e << 10) | (man >> 13);
    const rest = man & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // a carry into the exponent is still correct
    return sign | h;
  }
  // Subnormal or zero result: the value in units of 2^-24 is m / 2^shift with m the 24-bit significand.
  const shift = 126 - exp;
  if (shift > 24) return sign; // below half of the smallest subnormal (also covers float32 subnormals)
  const m = man | 0x800000;
  let h = m >>> shift;
  const rest = m & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (h & 1))) h++;
  return sign | h;
}

const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);

/** A number rounded to float32 and then to half bits. */
export function floatToHalfBits(x: number): number {
  scratchF[0] = x;
  return floatBitsToHalfBits(scratchU[0]!);
}
