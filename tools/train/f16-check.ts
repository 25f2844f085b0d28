// Does rounding a model's weights to float16 change its masks? Segments the images named in a split file with
// both weight files through the engine and reports the Dice between the two binary masks (threshold 0.5).
//   node dist/tools/train/f16-check.js model.f32.pnw model.f16.pnw tools/train/split_val.txt
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSegmenter } from '../../src/index.js';
import { readImageFile } from '../../src/io/files-node.js';

const [f32, f16, split] = process.argv.slice(2);
if (!f32 || !f16 || !split) {
  console.error('usage: node dist/tools/train/f16-check.js F32.pnw F16.pnw SPLIT.txt');
  process.exit(2);
}
const shared = process.env.PRANET_SHARED ?? resolve(fileURLToPath(new URL('../../../../shared', import.meta.url)));
const folder = join(shared, 'data/polyp/TrainDataset/Kvasir/images');
const names = readFileSync(split, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter(Boolean);
const a = await loadSegmenter(f32);
const b = await loadSegmenter(f16);
const dices: number[] = [];
for (const name of names) {
  const image = await readImageFile(join(folder, `${name}.jpg`));
  const [ra, rb] = [await a.segment(image), await b.segment(image)];
  let both = 0;
  let sum = 0;
  for (let i = 0; i < ra.normalized.length; i++) {
    const pa = ra.normalized[i]! >= 0.5;
    const pb = rb.normalized[i]! >= 0.5;
    both += Number(pa && pb);
    sum += Number(pa) + Number(pb);
  }
  dices.push(sum === 0 ? 1 : (2 * both) / sum);
}
await a.dispose();
await b.dispose();
const mean = dices.reduce((s, d) => s + d, 0) / dices.length;
console.log(`${names.length} images: Dice between the float32 and float16 masks: mean ${mean.toFixed(5)}, min ${Math.min(...dices).toFixed(5)}`);
