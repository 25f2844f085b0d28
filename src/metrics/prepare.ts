import { checkGrayMap, type GrayMap } from './gray-map.js';

/** MATLAB `eps` (float64 machine epsilon), used where the MATLAB code adds eps. */
export const EPS = 2.220446049250313e-16;

/**
 * One image pair in the form every metric reads. The normalised prediction is kept as an exact
 * rational P = num/den so thresholds can be compared in integers (see threshold-sweep.ts).
 */
export interface PreparedPair {
  width: number;
  height: number;
  /** Numerator of P per pixel: gray - min, or gray itself for a constant map. */
  num: Uint8Array;
  /** Denominator of P: max - min, or 255 for a constant map. */
  den: number;
  /** P = num/den in [0, 1] as float64. */
  pred: Float64Array;
  /** Binary GT, 1 = foreground (gray > 128). */
  gt: Uint8Array;
  /** Number of GT foreground pixels. */
  gtCount: number;
}

/**
 * main.m input rules: GT = gray > 128 (strict); prediction = gray/255 min-max normalised to
 * [0, 1] (mapminmax), left as gray/255 when the map is constant (mapminmax then sets gain 1,
 * offset 0). Sizes must match: resizing is the caller's choice (see resize.ts).
 */
export function preparePair(predMap: GrayMap, gtMap: GrayMap, name = 'image'): PreparedPair {
  checkGrayMap(predMap, `${name}: prediction map`);
  checkGrayMap(gtMap, `${name}: GT`);
  if (predMap.width !== gtMap.width || predMap.height !== gtMap.height) {
    throw new Error(
      `${name}: prediction map is ${predMap.width}x${predMap.height} but GT is ` +
        `${gtMap.width}x${gtMap.height} (width x height); resize the map to the GT size first`,
    );
  }
  const n = predMap.data.length;
  let min = 255;
  let max = 0;
  for (const g of predMap.data) {
    if (g < min) min = g;
    if (g > max) max = g;
  }
  const constant = max === min;
  const offset = constant ? 0 : min;
  const den = constant ? 255 : max - min;
  const num = new Uint8Array(n);
  const pred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    num[i] = predMap.data[i]! - offset;
    pred[i] = num[i]! / den;
  }
  const gt = new Uint8Array(n);
  let gtCount = 0;
  for (let i = 0; i < n; i++) {
    if (gtMap.data[i]! > 128) {
      gt[i] = 1;
      gtCount++;
    }
  }
  return { width: predMap.width, height: predMap.height, num, den, pred, gt, gtCount };
}
