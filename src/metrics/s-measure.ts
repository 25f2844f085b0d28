import { EPS, type PreparedPair } from './prepare.js';

/** O(x) = 2 mean/(mean^2 + 1 + std + eps), std with N-1 normalisation (0 for one value). */
function objectScore(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  const std = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
  return (2 * mean) / (mean * mean + 1 + std + EPS);
}

/** S_object.m: y O({P on G}) + (1 - y) O({1 - P off G}), y = foreground fraction. */
export function sObject(p: PreparedPair): number {
  const fg = new Float64Array(p.gtCount);
  const bg = new Float64Array(p.pred.length - p.gtCount);
  let f = 0;
  let b = 0;
  for (let i = 0; i < p.pred.length; i++) {
    if (p.gt[i]) fg[f++] = p.pred[i]!;
    else bg[b++] = 1 - p.pred[i]!;
  }
  const y = p.gtCount / p.pred.length;
  return y * objectScore(fg) + (1 - y) * objectScore(bg);
}

/**
 * S_region.m centroid, 1-based: X = round(sum_j j colsum_j/|G|), Y likewise over rows, with
 * MATLAB's round (half away from zero; the values are positive, so Math.round agrees).
 * An empty GT gives the image centre round(W/2), round(H/2).
 */
export function gtCentroid(p: PreparedPair): { x: number; y: number } {
  const { width, height } = p;
  if (p.gtCount === 0) return { x: Math.round(width / 2), y: Math.round(height / 2) };
  let sx = 0;
  let sy = 0;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      if (p.gt[r * width + c]) {
        sx += c + 1;
        sy += r + 1;
      }
    }
  }
  return { x: Math.round(sx / p.gtCount), y: Math.round(sy / p.gtCount) };
}

/**
 * S_region.m ssim of one block (rows r0..r1-1, cols c0..c1-1, 0-based, end exclusive).
 * MATLAB returns NaN for an empty block (centroid on the last row/column); such a block has
 * weight 0, and we score it 0 so the sum stays finite.
 */
function blockSsim(p: PreparedPair, r0: number, r1: number, c0: number, c1: number): number {
  const n = (r1 - r0) * (c1 - c0);
  if (n === 0) return 0;
  let sumX = 0;
  let sumY = 0;
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      sumX += p.pred[r * p.width + c]!;
      sumY += p.gt[r * p.width + c]!;
    }
  }
  const mx = sumX / n;
  const my = sumY / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let r = r0; r < r1; r++) {
    for (let c = c0; c < c1; c++) {
      const dx = p.pred[r * p.width + c]! - mx;
      const dy = p.gt[r * p.width + c]! - my;
      sxx += dx * dx;
      syy += dy * dy;
      sxy += dx * dy;
    }
  }
  const varX = sxx / (n - 1 + EPS);
  const varY = syy / (n - 1 + EPS);
  const covXY = sxy / (n - 1 + EPS);
  const a = 4 * mx * my * covXY;
  const b = (mx * mx + my * my) * (varX + varY);
  if (a !== 0) return a / (b + EPS);
  return b === 0 ? 1 : 0;
}

/** S_region.m: area-weighted ssim of the four blocks split at the GT centroid. */
export function sRegion(p: PreparedPair): number {
  const { width: w, height: h } = p;
  const { x, y } = gtCentroid(p);
  const area = w * h;
  const w1 = (x * y) / area;
  const w2 = ((w - x) * y) / area;
  const w3 = (x * (h - y)) / area;
  const w4 = 1 - w1 - w2 - w3;
  return w1 * blockSsim(p, 0, y, 0, x) + w2 * blockSsim(p, 0, y, x, w) + w3 * blockSsim(p, y, h, 0, x) + w4 * blockSsim(p, y, h, x, w);
}

/**
 * StructureMeasure.m with alpha = 0.5: 1 - mean(P) for an all-background GT, mean(P) for an
 * all-foreground GT, otherwise max(0, (S_object + S_region)/2).
 */
export function sMeasure(p: PreparedPair): number {
  const n = p.pred.length;
  if (p.gtCount === 0 || p.gtCount === n) {
    let sum = 0;
    for (const v of p.pred) sum += v;
    return p.gtCount === 0 ? 1 - sum / n : sum / n;
  }
  const q = 0.5 * sObject(p) + 0.5 * sRegion(p);
  return q < 0 ? 0 : q;
}
