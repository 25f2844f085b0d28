// How far the video path's GPU pre-processing (PyTorch-style bilinear) moves the built-in model's masks from the
// still-image path's PIL-exact pre-processing: Dice between the two masks (probability >= 0.5) and the change
// of the highest probability, per image of a folder and summed up.
//   node dist/tools/video/frame-vs-still.js [IMAGE_DIR]      (default: the 100 Kvasir test images)
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FrameSegmenter } from '../../src/api/frames.js';
import { Segmenter } from '../../src/api/segmenter.js';
import { createNodeGpu } from '../../src/gpu/node-device.js';
import { DEFAULT_WEIGHTS_PATH } from '../../src/index.js';
import { readImageFile } from '../../src/io/files-node.js';
import { loadWeights } from '../../src/models/load-weights.js';

const shared = process.env.PRANET_SHARED ?? resolve(fileURLToPath(new URL('../../../../shared', import.meta.url)));
const dir = process.argv[2] ?? join(shared, 'data/polyp/TestDataset/Kvasir/images');
const names = readdirSync(dir)
  .filter((f) => /\.(png|jpe?g)$/i.test(f))
  .sort();
const gpu = await createNodeGpu();
const weights = await loadWeights(DEFAULT_WEIGHTS_PATH);
const frames = await FrameSegmenter.create(gpu, weights);
const still = await Segmenter.create(gpu, weights);
const dices: number[] = [];
const maxDiffs: number[] = [];
for (const name of names) {
  const image = await readImageFile(join(dir, name));
  const [f, s] = [await frames.segment(image), await still.segment(image)];
  let both = 0;
  let sum = 0;
  for (let i = 0; i < f.probability.length; i++) {
    const [a, b] = [f.probability[i]! >= 0.5, s.probability[i]! >= 0.5];
    both += Number(a && b);
    sum += Number(a) + Number(b);
  }
  dices.push(sum === 0 ? 1 : (2 * both) / sum);
  maxDiffs.push(Math.abs(f.maxProbability - s.maxProbability));
}
await frames.dispose();
await still.dispose();
gpu.destroy();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sorted = [...dices].sort((a, b) => a - b);
console.log(`${names.length} images in ${dir}`);
console.log(
  `Dice between the video and still-image masks: mean ${mean(dices).toFixed(5)}, median ${sorted[sorted.length >> 1]!.toFixed(5)}, min ${sorted[0]!.toFixed(5)}`,
);
console.log(`|max probability difference|: mean ${mean(maxDiffs).toFixed(5)}, max ${Math.max(...maxDiffs).toFixed(5)}`);
