import { diceAtHalf, diceCurve, iouCurve } from './dice-iou.js';
import { eMeasureCurve } from './e-measure.js';
import type { GrayMap } from './gray-map.js';
import { meanAbsoluteError } from './mae.js';
import { preparePair } from './prepare.js';
import { sMeasure } from './s-measure.js';
import { THRESHOLD_COUNT, thresholdSweep } from './threshold-sweep.js';
import { weightedFMeasure } from './weighted-f.js';

/** A prediction map and its GT, both 8-bit gray of the same size. */
export interface ImagePair {
  name: string;
  pred: GrayMap;
  gt: GrayMap;
}

/** Per-image scores (one CSV row). */
export interface ImageScores {
  name: string;
  /** Mean over the 256 thresholds of the Dice curve. */
  meanDice: number;
  /** Mean over the 256 thresholds of the IoU curve. */
  meanIoU: number;
  wFm: number;
  Sm: number;
  /** Mean over the 256 thresholds of the E-measure curve. */
  meanEm: number;
  MAE: number;
  /** Dice of [P >= 0.5]. */
  dice05: number;
}

/** An image's scores plus the curves main.m averages over images (index k: threshold (255-k)/255). */
export interface ImageEvaluation {
  scores: ImageScores;
  diceCurve: Float64Array;
  iouCurve: Float64Array;
  emCurve: Float64Array;
}

/** main.m's dataset results, plus the per-image rows. */
export interface DatasetMetrics {
  n: number;
  /** meanDic: mean over thresholds of the image-averaged Dice curve. */
  mDice: number;
  /** meanIoU, likewise. */
  mIoU: number;
  wFm: number;
  Sm: number;
  /** Max over thresholds of the image-averaged E curve. */
  maxEm: number;
  /** Mean over thresholds of the image-averaged E curve. */
  meanEm: number;
  MAE: number;
  /** maxDic: max over thresholds of the image-averaged Dice curve (one dataset-wide threshold). */
  maxDice: number;
  images: ImageScores[];
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** All metrics of one image pair; throws if the sizes differ. */
export function evaluateImage(pair: ImagePair): ImageEvaluation {
  const p = preparePair(pair.pred, pair.gt, pair.name);
  const sweep = thresholdSweep(p);
  const dice = diceCurve(sweep);
  const iou = iouCurve(sweep);
  const em = eMeasureCurve(sweep);
  return {
    scores: {
      name: pair.name,
      meanDice: mean(dice),
      meanIoU: mean(iou),
      wFm: weightedFMeasure(p),
      Sm: sMeasure(p),
      meanEm: mean(em),
      MAE: meanAbsoluteError(p),
      dice05: diceAtHalf(p),
    },
    diceCurve: dice,
    iouCurve: iou,
    emCurve: em,
  };
}

/** main.m aggregation: curves averaged over images first, then reduced over thresholds. */
export function summarizeDataset(evaluations: readonly ImageEvaluation[]): DatasetMetrics {
  const n = evaluations.length;
  if (n === 0) throw new Error('summarizeDataset: no images to aggregate');
  const dice = new Float64Array(THRESHOLD_COUNT);
  const iou = new Float64Array(THRESHOLD_COUNT);
  const em = new Float64Array(THRESHOLD_COUNT);
  for (const e of evaluations) {
    for (let k = 0; k < THRESHOLD_COUNT; k++) {
      dice[k]! += e.diceCurve[k]! / n;
      iou[k]! += e.iouCurve[k]! / n;
      em[k]! += e.emCurve[k]! / n;
    }
  }
  const images = evaluations.map((e) => e.scores);
  return {
    n,
    mDice: mean(dice),
    mIoU: mean(iou),
    wFm: mean(images.map((s) => s.wFm)),
    Sm: mean(images.map((s) => s.Sm)),
    maxEm: Math.max(...em),
    meanEm: mean(em),
    MAE: mean(images.map((s) => s.MAE)),
    maxDice: Math.max(...dice),
    images,
  };
}

/** Evaluates every pair and aggregates as main.m does. For large sets, call evaluateImage per
 * pair (keeping only the small ImageEvaluation) and summarizeDataset at the end. */
export function evaluateDataset(pairs: readonly ImagePair[]): DatasetMetrics {
  return summarizeDataset(pairs.map(evaluateImage));
}
