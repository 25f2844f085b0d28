// The conv tiling is a per-device parameter: every family must give the whole network the same answer.
import { expect } from 'chai';
import type { ConvTiling } from '../src/kernels/conv2d.js';
import { forcedTiling } from '../src/kernels/tiling-policy.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { PraNetModel } from '../src/models/pranet-model.js';
import { testGpu } from './support/gpu.js';
import { distance } from './support/golden.js';
import { rng, uniform } from './support/random.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';

describe('conv tilings on the whole (tiny) network', () => {
  it('channels, pixels, pixels with subgroup sharing, workgroup-memory tiles and split-K give the same logits', async () => {
    const { ctx, cache } = await testGpu();
    const weights = weightsFromBytes(tinyPraNetWeightFile(5), 'tiny');
    const input = uniform(rng(8), 3 * 96 * 96, -2, 2);
    const families: [string, ConvTiling | undefined][] = [
      ['default', undefined],
      ['channels', { tm: 4, tn: 2, wgx: 8, wgy: 8, lanes: 'channels' }],
      ['pixels', { tm: 4, tn: 2, wgx: 16, wgy: 1, lanes: 'pixels' }],
      ['shared', { tm: 4, tn: 1, wgx: 8, wgy: 8, lanes: 'shared', kc: 2 }],
      ['splitk', { tm: 2, tn: 2, wgx: 32, wgy: 1, lanes: 'splitk' }],
    ];
    if (ctx.subgroupSize) families.push(['subgroup', { tm: 2, tn: 3, wgx: ctx.subgroupSize, wgy: 1, lanes: 'pixels', subgroup: ctx.subgroupSize }]);
    let reference: Float32Array | undefined;
    for (const [name, t] of families) {
      const model = await PraNetModel.create(ctx, cache, weights, { size: 96, ...(t ? { tiling: forcedTiling(t) } : {}) });
      try {
        const out = (await model.run(input)).lateral_map_2!;
        reference ??= out;
        const d = distance(out, reference);
        expect(d.rel_l2, `${name} vs default`).to.be.below(1e-5);
      } finally {
        model.destroy();
      }
    }
  });
});
