import { EPS } from './prepare.js';
import { THRESHOLD_COUNT, type SweepCounts } from './threshold-sweep.js';

/** Enhanced alignment psi = (phi + 1)^2/4 of one pixel with centred values a (map) and b (GT). */
function enhanced(a: number, b: number): number {
  const phi = (2 * a * b) / (a * a + b * b + EPS);
  return ((phi + 1) * (phi + 1)) / 4;
}

/**
 * Enhancedmeasure.m for one binary map B: sum(psi)/(N - 1 + eps). B and G are binary, so psi
 * takes one value per (B, G) pixel class and the sum is taken over the four class counts.
 * GT all 0: psi = 1 - B; GT all 1: psi = B.
 */
export function eMeasureFromCounts(tp: number, predCount: number, gtCount: number, total: number): number {
  let sum: number;
  if (gtCount === 0) {
    sum = total - predCount;
  } else if (gtCount === total) {
    sum = predCount;
  } else {
    const meanB = predCount / total;
    const meanG = gtCount / total;
    const fp = predCount - tp;
    const fn = gtCount - tp;
    const tn = total - predCount - fn;
    sum = tp * enhanced(1 - meanB, 1 - meanG) + fp * enhanced(1 - meanB, -meanG) + fn * enhanced(-meanB, 1 - meanG) + tn * enhanced(-meanB, -meanG);
  }
  return sum / (total - 1 + EPS);
}

/** E-measure at each of the 256 thresholds, in SweepCounts order. */
export function eMeasureCurve(s: SweepCounts): Float64Array {
  const curve = new Float64Array(THRESHOLD_COUNT);
  for (let k = 0; k < THRESHOLD_COUNT; k++) {
    curve[k] = eMeasureFromCounts(s.tp[k]!, s.predCount[k]!, s.gtCount, s.total);
  }
  return curve;
}
