// Conv weights that are exactly float16 values (a file converted with --f16) stay float16 on the GPU: half the
// memory of the constants and identical results; float32 weights are never rounded.
import { expect } from 'chai';
import { PraNetModel } from '../src/models/pranet-model.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { encodeWeightFile } from '../src/weights/engine-file.js';
import { testGpu } from './support/gpu.js';
import { tinyPraNetTensors } from './support/tiny-weights.js';

describe('conv weight storage on the GPU', () => {
  const input = new Float32Array(3 * 64 * 64).map((_, i) => Math.sin(i * 0.37) * 1.5);
  const f16Convs = (m: PraNetModel) => m.compiled.steps.filter((s) => s.node.op.name === 'conv2d' && s.call.label.endsWith('(f16 weights)')).length;
  const convs = (m: PraNetModel) => m.compiled.steps.filter((s) => s.node.op.name === 'conv2d').length;

  it('an --f16 file: float16 storage for every conv, about half the constant bytes, bit-identical maps', async () => {
    const { ctx, cache } = await testGpu();
    const loaded = weightsFromBytes(encodeWeightFile(tinyPraNetTensors(4), { dtype: 'f16', meta: {} }), 'tiny.f16.pnw');
    const outputs = ['lateral_map_2', 'lateral_map_5'] as const;
    const half = await PraNetModel.create(ctx, cache, loaded, { size: 64, outputs });
    const full = await PraNetModel.create(ctx, cache, loaded, { size: 64, outputs, convWeights: 'f32' });
    try {
      expect(f16Convs(half)).to.equal(convs(half));
      expect(f16Convs(full)).to.equal(0);
      const ratio = half.compiled.constantBytes / full.compiled.constantBytes;
      console.log(
        `      constants: ${half.compiled.constantBytes} bytes with float16 weights, ${full.compiled.constantBytes} with float32 (${ratio.toFixed(3)})`,
      );
      expect(ratio).to.be.within(0.5, 0.6);
      const [a, b] = [await half.run(input), await full.run(input)];
      for (const name of outputs) {
        expect(Math.max(...a[name]!) - Math.min(...a[name]!), `${name} spread`).to.be.greaterThan(1e-3);
        expect(a[name], name).to.deep.equal(b[name]);
      }
    } finally {
      half.destroy();
      full.destroy();
    }
  });

  it('a float32 file keeps float32 weights', async () => {
    const { ctx, cache } = await testGpu();
    const loaded = weightsFromBytes(encodeWeightFile(tinyPraNetTensors(4), { dtype: 'f32', meta: {} }), 'tiny.pnw');
    const model = await PraNetModel.create(ctx, cache, loaded, { size: 64 });
    try {
      expect(f16Convs(model)).to.equal(0);
    } finally {
      model.destroy();
    }
  });
});
