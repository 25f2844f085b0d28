import type { PreparedPair } from './prepare.js';

/** main.m MAE: mean |P - G| with the min-max-normalised P and binary G. */
export function meanAbsoluteError(p: PreparedPair): number {
  let sum = 0;
  for (let i = 0; i < p.pred.length; i++) sum += Math.abs(p.pred[i]! - p.gt[i]!);
  return sum / p.pred.length;
}
