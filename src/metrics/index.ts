// Public API of the metrics layer (pure TypeScript, no GPU or file access).
export type { GrayMap } from './gray-map.js';
export { MATLAB_RGB2GRAY_WEIGHTS, rgbaFirstChannel, rgbaToGrayMatlab } from './from-rgba.js';
export { EPS, preparePair, type PreparedPair } from './prepare.js';
export { THRESHOLD_COUNT, thresholdSweep, type SweepCounts } from './threshold-sweep.js';
export { diceAtHalf, diceCurve, iouCurve } from './dice-iou.js';
export { eMeasureCurve, eMeasureFromCounts } from './e-measure.js';
export { gtCentroid, sMeasure, sObject, sRegion } from './s-measure.js';
export { euclideanDistanceTransform, type DistanceTransform } from './edt.js';
export { weightedFMeasure } from './weighted-f.js';
export { meanAbsoluteError } from './mae.js';
export { resizeMapBilinear } from './resize.js';
export { evaluateDataset, evaluateImage, summarizeDataset, type DatasetMetrics, type ImageEvaluation, type ImagePair, type ImageScores } from './evaluate.js';
