// The built-in model ships in weights/ and must keep segmenting the sample image: a broken kernel, converter or
// weight file cannot ship silently. The floor is set a little under the Dice measured when the model shipped.
import { expect } from 'chai';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Segmenter } from '../src/api/segmenter.js';
import { DEFAULT_WEIGHTS_FILE } from '../src/api/default-weights.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { decodeWeightFile } from '../src/weights/engine-file.js';
import { testGpu } from './support/gpu.js';
import { REPO_ROOT } from './support/paths.js';
import { DICE_FLOOR, DICE_SHIPPED, sampleDice, sampleImage } from './support/shipped-model.js';

describe('the built-in model', () => {
  const path = join(REPO_ROOT, DEFAULT_WEIGHTS_FILE);

  it('is an f16 engine weight file under 20 MB with the compact configuration', () => {
    expect(statSync(path).size).to.be.below(20 * 1024 * 1024);
    const { meta, tensors } = decodeWeightFile(readFileSync(path), path);
    expect([...tensors.values()].every((t) => t.dtype === 'f16')).to.equal(true);
    expect(meta.description).to.match(/blocks \[2,3,4,2\]/);
  });

  it('segments the sample image (a Kvasir test image it never saw) close to its ground truth', async () => {
    const { ctx } = await testGpu();
    const model = await Segmenter.create(ctx, weightsFromBytes(readFileSync(path), path));
    try {
      const r = await model.segment(sampleImage());
      const dice = sampleDice(r.normalized, r.width, r.height);
      console.log(`      sample image: Dice at 0.5 = ${dice.toFixed(4)} (shipped ${DICE_SHIPPED.toFixed(4)})`);
      expect(dice).to.be.at.least(DICE_FLOOR);
    } finally {
      await model.dispose();
    }
  });
});
