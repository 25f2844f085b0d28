// A tiling that runs on lavapipe may fail on another driver (its shader compiler, its limits): the tuner leaves
// such a candidate out, names it, and still tunes with the rest instead of ending with no table at all.
import { expect } from 'chai';
import type { ConvTiling } from '../src/kernels/conv2d.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { PipelineCache } from '../src/gpu/pipelines.js';
import { tilingText } from '../src/profile/gemm-ceiling.js';
import { tune } from '../src/tuning/tune.js';
import { testGpu } from './support/gpu.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';

const CHANNELS: ConvTiling = { lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 };
const SHARED: ConvTiling = { lanes: 'shared', tm: 4, tn: 1, wgx: 8, wgy: 8, kc: 4 };

/** A driver whose compiler rejects the workgroup-memory tiled conv (only that shader, as a driver bug would). */
class RejectingCache extends PipelineCache {
  rejected = 0;
  override get(code: string, label: string): Promise<GPUComputePipeline> {
    if (code.includes('var<workgroup> ta:')) {
      this.rejected++;
      return Promise.reject(new Error(`${label}: shader failed to compile: (a driver's refusal, simulated)`));
    }
    return super.get(code, label);
  }
}

describe('the tuner on an adapter where some candidates fail', function () {
  this.timeout(600_000);

  it('leaves failing candidates and forced tilings out, names them, and still writes a table from the rest', async () => {
    const { ctx } = await testGpu();
    const cache = new RejectingCache(ctx);
    const { table, convs, skipped } = await tune(ctx, cache, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), {
      size: 64,
      model: 'tiny',
      rounds: 1,
      minRunMs: 2,
      candidates: () => [SHARED, CHANNELS],
      uniform: [SHARED, CHANNELS],
    });
    expect(cache.rejected, 'the simulated driver refused something').to.be.greaterThan(0);
    expect(convs.length).to.be.greaterThan(20);
    for (const c of convs) {
      expect(
        c.ms.map((m) => tilingText(m.tiling)),
        c.conv,
      ).to.deep.equal([tilingText(CHANNELS)]);
      expect(c.best).to.deep.equal(CHANNELS);
      // Empty where the shared tiling does not fit the conv at all (it is then no candidate).
      expect(
        c.failed.map((f) => tilingText(f.tiling)),
        c.conv,
      ).to.satisfy((t: string[]) => t.length === 0 || (t.length === 1 && t[0] === tilingText(SHARED)));
      for (const f of c.failed) expect(f.error).to.match(/shader failed to compile: \(a driver's refusal, simulated\)/);
    }
    expect(convs.filter((c) => c.failed.length > 0).length, 'convs whose shared candidate failed').to.be.greaterThan(convs.length / 2);
    expect(skipped.map((s) => tilingText(s.tiling))).to.deep.equal([tilingText(SHARED)]);
    expect(Object.keys(table.passMs)).to.deep.equal(['defaults', 'per-conv choice', `every conv ${tilingText(CHANNELS)}`]);
    expect(table.rules.every((r) => (r.tiling as ConvTiling).lanes !== 'shared')).to.equal(true);
  });
});
