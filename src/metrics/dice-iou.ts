import type { PreparedPair } from './prepare.js';
import { THRESHOLD_COUNT, type SweepCounts } from './threshold-sweep.js';

/** Fmeasure_calu.m: Dice = 2 TP/(|G| + |B|), and every score is 0 when TP = 0. */
export function diceFromCounts(tp: number, predCount: number, gtCount: number): number {
  return tp === 0 ? 0 : (2 * tp) / (gtCount + predCount);
}

/** Fmeasure_calu.m: IoU = TP/(|G| + |B| - TP), 0 when TP = 0. */
export function iouFromCounts(tp: number, predCount: number, gtCount: number): number {
  return tp === 0 ? 0 : tp / (gtCount + predCount - tp);
}

/** Dice at each of the 256 thresholds, in SweepCounts order. */
export function diceCurve(s: SweepCounts): Float64Array {
  const curve = new Float64Array(THRESHOLD_COUNT);
  for (let k = 0; k < THRESHOLD_COUNT; k++) curve[k] = diceFromCounts(s.tp[k]!, s.predCount[k]!, s.gtCount);
  return curve;
}

/** IoU at each of the 256 thresholds, in SweepCounts order. */
export function iouCurve(s: SweepCounts): Float64Array {
  const curve = new Float64Array(THRESHOLD_COUNT);
  for (let k = 0; k < THRESHOLD_COUNT; k++) curve[k] = iouFromCounts(s.tp[k]!, s.predCount[k]!, s.gtCount);
  return curve;
}

/**
 * Dice of [P >= 0.5] (the fixed-threshold "Dice" many scripts report), same TP = 0 rule.
 * P >= 1/2 is tested exactly as 2*num >= den.
 */
export function diceAtHalf(p: PreparedPair): number {
  let tp = 0;
  let predCount = 0;
  for (let i = 0; i < p.num.length; i++) {
    if (2 * p.num[i]! >= p.den) {
      predCount++;
      tp += p.gt[i]!;
    }
  }
  return diceFromCounts(tp, predCount, p.gtCount);
}
