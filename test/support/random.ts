// Seeded random numbers, so a failing case can be rerun exactly.
/** The project's seeded generator (src/models/random-weights.ts), under the name the tests use. */
export { seededRandom as rng } from '../../src/models/random-weights.js';
import { floatToHalfBits, halfBitsToFloat } from '../../src/weights/f16.js';

export const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export function uniform(r: () => number, count: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** The values rounded to the nearest float16 (as a weight file converted with --f16 holds them). */
export function toF16Values(values: Float32Array): Float32Array {
  return values.map((v) => halfBitsToFloat(floatToHalfBits(v)));
}
