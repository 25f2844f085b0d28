// The fuzzer's random choices: one seeded stream per case, so a case is remade exactly from (seed, index).
import { seededRandom } from '../../src/models/random-weights.js';

export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  /** uniform in [0, 1) */
  float(): number {
    return this.next();
  }
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The case's own seed: the run's seed and the case index mixed, so neighbouring cases are unrelated. */
export const caseSeed = (seed: number, index: number): number => (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;

/** Integers that break readers: zero, one, sign and width boundaries, sizes just past any plausible limit. */
export function interesting(r: Rand, width: 1 | 2 | 4 | 8, around?: number): number {
  const max = width === 8 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
  const values = [0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 256, 4096, 65535, 0x7fff, 0x8000, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 32, 2 ** 40, max, max - 1];
  if (around !== undefined) values.push(around + 1, around - 1, around * 2, Math.floor(around / 2), around + 8, around * 1000);
  const v = r.pick(values);
  return Math.max(0, Math.min(max, v));
}
