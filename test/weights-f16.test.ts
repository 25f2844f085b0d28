// float16 conversion: exact decoding of every bit pattern and round-to-nearest-even encoding, checked
// against values computed here from the IEEE 754 definition, not against the code under test.
import { expect } from 'chai';
import { floatToHalfBits, halfBitsToFloat } from '../src/weights/index.js';

/** The value of a binary16 bit pattern, straight from the definition. */
function definedValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 31) return m ? NaN : sign * Infinity;
  return e === 0 ? sign * Math.pow(2, -14) * (m / 1024) : sign * Math.pow(2, e - 15) * (1 + m / 1024);
}

/** Nearest half by search over all positive finite halves; ties go to the even pattern; >= 65520 is infinity. */
function nearestHalf(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  let lo = 0;
  let hi = 0x7c00; // treat 0x7c00 as 2^16, the first value past the largest finite half
  const value = (h: number): number => (h === 0x7c00 ? 65536 : definedValue(h));
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (value(mid) <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - value(lo);
  const dHi = value(hi) - a;
  return sign | (dLo < dHi || (dLo === dHi && lo % 2 === 0) ? lo : hi);
}

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
/** The next float32 above (+1) or below (-1) a positive float32. */
function nextF32(x: number, dir: 1 | -1): number {
  f[0] = x;
  u[0] = u[0]! + dir;
  return f[0];
}

describe('weights: float16 conversion', () => {
  it('decodes every finite bit pattern exactly and re-encodes it to the same bits', () => {
    for (let h = 0; h < 65536; h++) {
      if (((h >> 10) & 0x1f) === 31) continue;
      const v = halfBitsToFloat(h);
      if (!Object.is(v, definedValue(h))) expect.fail(`bits 0x${h.toString(16)} decode to ${v}, expected ${definedValue(h)}`);
      if (floatToHalfBits(v) !== h) expect.fail(`0x${h.toString(16)} re-encodes to 0x${floatToHalfBits(v).toString(16)}`);
    }
    expect(halfBitsToFloat(0x7c00)).to.equal(Infinity);
    expect(halfBitsToFloat(0xfc00)).to.equal(-Infinity);
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- a chai property assertion
    expect(halfBitsToFloat(0x7e00)).to.be.NaN;
  });

  it('rounds every midpoint between neighbouring halves to the even one, and its float32 neighbours to the nearer', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const mid = (definedValue(h) + definedValue(h + 1)) / 2; // needs 12 significant bits: exact in float32
      expect(Math.fround(mid)).to.equal(mid);
      const even = h % 2 === 0 ? h : h + 1;
      if (floatToHalfBits(mid) !== even || floatToHalfBits(-mid) !== (even | 0x8000)) {
        expect.fail(`midpoint ${mid} of 0x${h.toString(16)} rounds to 0x${floatToHalfBits(mid).toString(16)}`);
      }
      if (floatToHalfBits(nextF32(mid, 1)) !== h + 1 || floatToHalfBits(nextF32(mid, -1)) !== h) {
        expect.fail(`neighbours of midpoint ${mid} round wrongly`);
      }
    }
  });

  it('handles the hand-worked cases at the edges', () => {
    expect(floatToHalfBits(1 + 2 ** -11)).to.equal(0x3c00); // tie between 1 and 1+2^-10: even is 1
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).to.equal(0x3c02); // tie between 0x3c01 and 0x3c02: even wins
    expect(floatToHalfBits(0.1)).to.equal(0x2e66);
    expect(floatToHalfBits(1 / 3)).to.equal(0x3555);
    expect(floatToHalfBits(-0)).to.equal(0x8000);
    expect(floatToHalfBits(65504)).to.equal(0x7bff);
    expect(floatToHalfBits(nextF32(65520, -1))).to.equal(0x7bff); // just under the overflow threshold
    expect(floatToHalfBits(65520)).to.equal(0x7c00); // the tie with 2^16 rounds to even, i.e. overflows
    expect(floatToHalfBits(2 ** -25)).to.equal(0); // half the smallest subnormal: tie to even zero
    expect(floatToHalfBits(nextF32(2 ** -25, 1))).to.equal(1);
    expect(floatToHalfBits(3 * 2 ** -25)).to.equal(2); // tie between subnormals 1 and 2
    expect(floatToHalfBits(2 ** -14 - 2 ** -25)).to.equal(0x0400); // rounds up out of the subnormals
    expect(floatToHalfBits(1e-30)).to.equal(0);
    expect(floatToHalfBits(1e-45)).to.equal(0); // a float32 subnormal
    expect(floatToHalfBits(Infinity)).to.equal(0x7c00);
    expect(floatToHalfBits(NaN) & 0x7e00).to.equal(0x7e00);
  });

  it('matches a brute-force nearest search on random float32 values of every magnitude', () => {
    let seed = 12345;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 200_000; i++) {
      u[0] = Math.floor(random() * 2 ** 32);
      const x = f[0]!;
      if (!Number.isFinite(x) || Math.abs(x) > 65519) continue;
      if (floatToHalfBits(x) !== nearestHalf(x)) expect.fail(`${x}: got 0x${floatToHalfBits(x).toString(16)}, expected 0x${nearestHalf(x).toString(16)}`);
    }
  });
});
