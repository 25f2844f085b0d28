// The shipped model's sample image, its ground truth, and the Dice the model reached on it when it shipped:
// the Node and the browser tests hold the model to the same floor.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../src/io/image.js';
import type { RgbaImage } from '../../src/io/rgba-image.js';
import { rgbaToGrayMatlab } from '../../src/metrics/from-rgba.js';
import { REPO_ROOT } from './paths.js';

export const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');
export const SAMPLE_MASK = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.mask.jpg');
/** Dice at threshold 0.5 measured on the sample when the model shipped; the tests allow 0.02 less. */
export const DICE_SHIPPED = 0.9301;
export const DICE_FLOOR = DICE_SHIPPED - 0.02;

export const sampleImage = (): RgbaImage => decodeImage(readFileSync(SAMPLE), SAMPLE);

/** Dice between `map >= 0.5` (the normalised map, as when the model shipped) and the sample's ground truth (gray > 128, as the paper's evaluation). */
export function sampleDice(probability: Float32Array, width: number, height: number): number {
  const gt = rgbaToGrayMatlab(decodeImage(readFileSync(SAMPLE_MASK), SAMPLE_MASK).data, width, height);
  if (probability.length !== gt.data.length) throw new Error(`map of ${probability.length} pixels vs mask of ${gt.data.length}`);
  let tp = 0;
  let pred = 0;
  let pos = 0;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i]! >= 0.5;
    const g = gt.data[i]! > 128;
    pred += Number(p);
    pos += Number(g);
    tp += Number(p && g);
  }
  return (2 * tp) / (pred + pos);
}
