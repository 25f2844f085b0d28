import type { PreparedPair } from './prepare.js';

/** main.m sweeps Thresholds = 1:-1/255:0, i.e. 256 thresholds. */
export const THRESHOLD_COUNT = 256;

/**
 * Confusion counts of B_k = [P >= t_k] against the GT for every threshold. Index k holds
 * t_k = (255 - k)/255, in main.m's order (k = 0 is threshold 1, the strictest).
 */
export interface SweepCounts {
  /** |B_k AND G| per threshold. */
  tp: Float64Array;
  /** |B_k| per threshold. */
  predCount: Float64Array;
  /** |G|. */
  gtCount: number;
  /** Pixel count N. */
  total: number;
}

/**
 * The largest n in 0..255 with P >= n/255, i.e. floor(255 P), computed exactly:
 * P >= n/255  <=>  255*num >= n*den. Both sides are small integers, so the float division is
 * exact at integer quotients and can never round a non-integer quotient onto an integer.
 */
export function thresholdLevel(num: number, den: number): number {
  return Math.floor((255 * num) / den);
}

/**
 * Binarises at every threshold by the integer rule P >= n/255 (n = 255 - k), as docs/metrics.md
 * (Threshold sweep) describes. MATLAB's double thresholds from `1:-1/255:0` may fall 1 ulp either side
 * of n/255, so MATLAB can differ on pixels that sit exactly on a threshold.
 */
export function thresholdSweep(p: PreparedPair): SweepCounts {
  const fgHist = new Float64Array(256);
  const allHist = new Float64Array(256);
  for (let i = 0; i < p.num.length; i++) {
    const level = thresholdLevel(p.num[i]!, p.den);
    allHist[level]!++;
    if (p.gt[i]) fgHist[level]!++;
  }
  const tp = new Float64Array(THRESHOLD_COUNT);
  const predCount = new Float64Array(THRESHOLD_COUNT);
  let tpSum = 0;
  let predSum = 0;
  for (let k = 0; k < THRESHOLD_COUNT; k++) {
    tpSum += fgHist[255 - k]!;
    predSum += allHist[255 - k]!;
    tp[k] = tpSum;
    predCount[k] = predSum;
  }
  return { tp, predCount, gtCount: p.gtCount, total: p.num.length };
}
