import { euclideanDistanceTransform } from './edt.js';
import { EPS, type PreparedPair } from './prepare.js';

/**
 * 1-D factor of fspecial('gaussian', 7, 5): exp(-x^2/50) for x = -3..3, normalised. The 2-D
 * kernel exp(-(x^2+y^2)/50)/sum is the outer product of this with itself. (fspecial's
 * "zero entries below eps*max" rule removes nothing at this size and sigma.)
 */
export function gaussian7Sigma5(): Float64Array {
  const k = new Float64Array(7);
  let sum = 0;
  for (let x = -3; x <= 3; x++) {
    k[x + 3] = Math.exp(-(x * x) / (2 * 5 * 5));
    sum += k[x + 3]!;
  }
  for (let i = 0; i < 7; i++) k[i]! /= sum;
  return k;
}

/** imfilter(src, K) with the separable 7x7 kernel: same-size output, zero padding. */
export function filterZeroPadded(src: Float64Array, width: number, height: number, k1: Float64Array): Float64Array {
  const tmp = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let acc = 0;
      for (let d = -3; d <= 3; d++) {
        const cc = c + d;
        if (cc >= 0 && cc < width) acc += k1[d + 3]! * src[r * width + cc]!;
      }
      tmp[r * width + c] = acc;
    }
  }
  const out = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      let acc = 0;
      for (let d = -3; d <= 3; d++) {
        const rr = r + d;
        if (rr >= 0 && rr < height) acc += k1[d + 3]! * tmp[rr * width + c]!;
      }
      out[r * width + c] = acc;
    }
  }
  return out;
}

/**
 * original_WFb.m with beta^2 = 1: Q = 2 R P/(R + P + eps). An all-background GT gives 0
 * (MATLAB would fail in bwdist/produce NaN; PySODMetrics returns 0).
 * MATLAB's bwdist returns single-precision distances, so its importance weights B carry float32
 * rounding (~6e-8 relative); we stay in float64.
 */
export function weightedFMeasure(p: PreparedPair): number {
  if (p.gtCount === 0) return 0;
  const { width, height, pred, gt } = p;
  const n = pred.length;
  const err = new Float64Array(n);
  for (let i = 0; i < n; i++) err[i] = Math.abs(pred[i]! - gt[i]!);
  // Pixel dependency: a background pixel takes the error of its nearest foreground pixel.
  const { sqDist, nearest } = euclideanDistanceTransform(gt, width, height);
  const errAtNearest = new Float64Array(n);
  for (let i = 0; i < n; i++) errAtNearest[i] = err[nearest[i]!]!;
  const smoothed = filterZeroPadded(errAtNearest, width, height, gaussian7Sigma5());
  const decay = Math.log(1 - 0.5) / 5;
  let fgSum = 0;
  let bgSum = 0;
  for (let i = 0; i < n; i++) {
    if (gt[i]) {
      fgSum += smoothed[i]! < err[i]! ? smoothed[i]! : err[i]!;
    } else {
      // Pixel importance: 2 - 0.5^(D/5), growing with the distance D from the object.
      bgSum += err[i]! * (2 - Math.exp(decay * Math.sqrt(sqDist[i]!)));
    }
  }
  const tpw = p.gtCount - fgSum;
  const recall = 1 - fgSum / p.gtCount;
  const precision = tpw / (EPS + tpw + bgSum);
  return (2 * recall * precision) / (EPS + recall + precision);
}
