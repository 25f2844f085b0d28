// Element decoding reads values where they lie: through a typed view when the bytes are aligned, through a
// DataView when not. Both must give the same float32 values, bit for bit, for every dtype and alignment.
import { expect } from 'chai';
import { decodeElements, elementReader } from '../src/weights/decode.js';
import type { Dtype } from '../src/weights/tensor.js';

/** binary16 by its definition, not through the decoder's table */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 31) return m ? NaN : sign * Infinity;
  return e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
}

interface Sample {
  size: number;
  write: (dv: DataView, at: number, i: number) => void;
  expected: number[];
}

const F32 = [1.5, -0, 3.4e38, 1e-45, -2.5, Infinity, NaN];
const F64 = [0.1, -0, 1e300, 5e-324, 1 / 3, -1e-40, 65504.00000001];
const HALF = [0x3c00, 0x8000, 0x7bff, 0x0001, 0xfc00, 0x7e00, 0x3555];
const BF16 = [0x3f80, 0x8000, 0x7f7f, 0x0001, 0xff80, 0x4049];
const I64 = [-7n, 2n ** 53n + 1n, -(2n ** 63n), 123456789012345678n, 0n];

const SAMPLES: Record<Dtype, Sample> = {
  f32: { size: 4, write: (dv, at, i) => dv.setFloat32(at, F32[i]!, true), expected: F32.map(Math.fround) },
  f64: { size: 8, write: (dv, at, i) => dv.setFloat64(at, F64[i]!, true), expected: F64.map(Math.fround) },
  f16: { size: 2, write: (dv, at, i) => dv.setUint16(at, HALF[i]!, true), expected: HALF.map(half) },
  bf16: {
    size: 2,
    write: (dv, at, i) => dv.setUint16(at, BF16[i]!, true),
    expected: BF16.map((b) => new Float32Array(Uint32Array.of(b << 16).buffer)[0]!),
  },
  i64: { size: 8, write: (dv, at, i) => dv.setBigInt64(at, I64[i]!, true), expected: I64.map((v) => Math.fround(Number(v))) },
};

describe('weights: element decoding at every alignment', () => {
  for (const [dtype, s] of Object.entries(SAMPLES) as [Dtype, Sample][]) {
    it(`${dtype}: decodeElements and elementReader agree with the format at offsets 0..7 of a buffer at an odd address`, () => {
      const n = s.expected.length;
      for (let shift = 0; shift < 8; shift++) {
        const bytes = new Uint8Array(3 + shift + n * s.size + 5).subarray(3); // at 3 + shift: aligned for some shifts only
        const dv = new DataView(bytes.buffer, bytes.byteOffset);
        for (let i = 0; i < n; i++) s.write(dv, shift + i * s.size, i);
        const decoded = decodeElements(bytes, shift, n, dtype);
        const read = elementReader(bytes, shift, n, dtype);
        expect(decoded.buffer.byteLength, 'the output owns exactly its buffer').to.equal(4 * n);
        for (let i = 0; i < n; i++) {
          const want = s.expected[i]!;
          expect(Object.is(decoded[i], want), `${dtype} shift ${shift} element ${i}: decoded ${decoded[i]}, expected ${want}`).to.equal(true);
          expect(Object.is(Math.fround(read(i)), want), `${dtype} shift ${shift} element ${i}: read ${read(i)}, expected ${want}`).to.equal(true);
        }
      }
    });
  }
});
