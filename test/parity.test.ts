// The engine against PyTorch: the same checkpoint in every format gives logits no further from PyTorch's
// float64 answer than 3x PyTorch float32's own distance (relative L2 and max abs), layer by layer.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { preprocess } from '../src/io/preprocess.js';
import { convertStateDict } from '../src/models/convert.js';
import { weightsFromBytes, type LoadedWeights } from '../src/models/load-weights.js';
import { PraNetModel } from '../src/models/pranet-model.js';
import type { PraNetOutput } from '../src/models/pranet-graph.js';
import { cleanStateDict, readCheckpoint } from '../src/weights/index.js';
import { distance, golden, type Golden, requireGolden } from './support/golden.js';
import { testGpu } from './support/gpu.js';

const CHECKED: PraNetOutput[] = ['x2', 'x3', 'x4', 'ra5_feat', 's4', 's3', 'lateral_map_5', 'lateral_map_4', 'lateral_map_3', 'lateral_map_2'];

async function checkParity(g: Golden, loaded: LoadedWeights): Promise<void> {
  const { ctx, cache } = await testGpu();
  const model = await PraNetModel.create(ctx, cache, loaded, { outputs: CHECKED });
  try {
    const out = await model.run(g.input());
    const report: string[] = [];
    let bad = false;
    for (const name of CHECKED) {
      const torch32 = g.manifest.tensors[name]!.f32_vs_f64;
      const ours = distance(out[name]!, g.f64(name));
      const ok = ours.rel_l2 <= 3 * torch32.rel_l2 && ours.max_abs <= 3 * torch32.max_abs;
      bad ||= !ok;
      report.push(
        `${ok ? ' ' : '!'} ${name.padEnd(14)} relL2 ${ours.rel_l2.toExponential(2)} (torch f32 ${torch32.rel_l2.toExponential(2)})  maxabs ${ours.max_abs.toExponential(2)} (torch f32 ${torch32.max_abs.toExponential(2)})`,
      );
    }
    console.log(`      ${loaded.source}:\n      ${report.join('\n      ')}`);
    expect(bad, 'a tensor is further from float64 than 3x PyTorch float32 (marked !)').to.equal(false);
  } finally {
    model.destroy();
  }
}

for (const config of ['tiny', 'official'] as const) {
  describe(`parity with PyTorch: ${config} PraNet at 352x352 on a Kvasir image`, function () {
    let g: Golden;
    before(function () {
      requireGolden(this);
      g = golden(config);
    });

    it("pre-processing of the PNG equals PyTorch's input tensor exactly", () => {
      const ours = preprocess(decodeImage(readFileSync(g.png), g.png));
      const theirs = g.input();
      expect(ours.length).to.equal(theirs.length);
      let mismatches = 0;
      for (let i = 0; i < ours.length; i++) if (ours[i] !== theirs[i]) mismatches++;
      expect(mismatches, 'float32 values that differ').to.equal(0);
    });

    const formats = config === 'tiny' ? ['model.legacy.pth', 'model.zip.pth', 'model.safetensors'] : ['model.legacy.pth', 'model.zip.pth'];
    for (const file of formats) {
      it(`${file} read directly (batchnorm folded by the graph pass)`, async () => {
        const path = join(g.dir, file);
        await checkParity(g, weightsFromBytes(readFileSync(path), path));
      });
    }

    it("model.legacy.pth converted to the engine's f32 weight file", async () => {
      const path = join(g.dir, 'model.legacy.pth');
      const sd = cleanStateDict(readCheckpoint(readFileSync(path), path));
      const { bytes } = convertStateDict(sd, { dtype: 'f32', source: path });
      await checkParity(g, weightsFromBytes(bytes, `${path} converted`));
    });
  });
}
