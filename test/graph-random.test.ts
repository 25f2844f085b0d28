// Random graphs against the float64 reference: what a hand-written test does not think of (a tensor read
// twice by one op, a concat of a view of its own part, fusions across slices) meets the planner, the passes
// and every conv tiling family here. Seeded: a failure names its seed, and rerunning it gives the same graph.
import { expect } from 'chai';
import { CompiledGraph } from '../src/graph/executor.js';
import { Graph, type TensorId } from '../src/graph/ir.js';
import { optimize } from '../src/graph/passes.js';
import { runReference } from '../src/graph/reference.js';
import { concatOp, sliceOp } from '../src/graph/view-ops.js';
import { conv2dAttrs, conv2dOp, type ConvTiling } from '../src/kernels/conv2d.js';
import { addOp, eraseOp, mulOp, reluOp } from '../src/kernels/elementwise.js';
import { poolAttrs, poolOp } from '../src/kernels/pool.js';
import { DEFAULT_TILING_POLICY, forcedTiling, GPU_TILING_POLICY, type TilingPolicy } from '../src/kernels/tiling-policy.js';
import { expectClose } from './support/compare.js';
import { testGpu } from './support/gpu.js';
import { int, pick, rng, uniform } from './support/random.js';

const KINDS = ['conv', 'conv', 'conv', 'add', 'mul', 'relu', 'pool', 'slice', 'slice', 'concat', 'concat', 'erase'] as const;

/** A graph of 3 to 14 random ops on an n x c x 5 x 3 input, with up to three outputs. */
function randomGraph(seed: number): Graph {
  const r = rng(seed);
  const g = new Graph();
  const tensors: TensorId[] = [g.input('x', { n: int(r, 1, 2), c: int(r, 1, 9), h: 5, w: 3 })];
  const ops = int(r, 3, 14);
  for (let i = 0; i < ops; i++) {
    const kind = pick(r, KINDS);
    const a = pick(r, tensors);
    const c = g.shape(a).c;
    const sameWidth = tensors.filter((t) => g.shape(t).c === c);
    const maps = tensors.filter((t) => g.shape(t).c === 1);
    if (kind === 'conv') {
      const cout = int(r, 1, 11);
      const k = pick(r, [1, 3]);
      const bias = r() < 0.5;
      const weights = { weight: uniform(r, cout * c * k * k), ...(bias ? { bias: uniform(r, cout) } : {}) };
      tensors.push(g.add(conv2dOp, `conv${i}`, [a], { ...conv2dAttrs(cout, k, k, { pad: (k - 1) / 2, bias }), weights }));
    } else if (kind === 'add' || kind === 'mul') {
      tensors.push(g.add(kind === 'add' ? addOp : mulOp, `${kind}${i}`, [a, pick(r, sameWidth)], {})); // may be a itself
    } else if (kind === 'relu') {
      tensors.push(g.add(reluOp, `relu${i}`, [a], {}));
    } else if (kind === 'pool') {
      tensors.push(g.add(poolOp, `pool${i}`, [a], poolAttrs(pick(r, ['max', 'avg'] as const), 3, 1, 1)));
    } else if (kind === 'erase' && maps.length > 0) {
      tensors.push(g.add(eraseOp, `erase${i}`, [a, pick(r, maps)], {}));
    } else if (kind === 'slice' && c >= 2) {
      const start = int(r, 0, c - 1);
      tensors.push(g.add(sliceOp, `slice${i}`, [a], { start, end: int(r, start + 1, c) }));
    } else if (kind === 'concat') {
      const parts = [a, pick(r, tensors), ...(r() < 0.4 ? [pick(r, tensors)] : [])];
      tensors.push(g.add(concatOp, `cat${i}`, parts, {}));
    }
  }
  const outputs = new Set([tensors.at(-1)!, pick(r, tensors), pick(r, tensors)].filter((t) => t !== tensors[0]));
  [...outputs].forEach((t, k) => g.output(`out${k}`, t));
  return g;
}

describe('random graphs against the float64 reference', function () {
  this.timeout(300_000);

  it('40 graphs of convs, element-wise ops, pools, slices and concats (n = 1 or 2, odd channel counts), optimized or not, under every conv tiling family', async () => {
    const { ctx, cache } = await testGpu();
    const sg = ctx.subgroupSize;
    const tilings: ConvTiling[] = [
      { lanes: 'channels', tm: 3, tn: 2, wgx: 4, wgy: 8 },
      { lanes: 'shared', tm: 2, tn: 2, wgx: 4, wgy: 4, kc: 2 },
      { lanes: 'splitk', tm: 2, tn: 1, wgx: 16, wgy: 1 },
      ...(sg ? [{ lanes: 'pixels', tm: 3, tn: 2, wgx: sg, wgy: 1, subgroup: sg } as const] : []),
    ];
    const policies: TilingPolicy[] = [DEFAULT_TILING_POLICY, GPU_TILING_POLICY, ...tilings.map(forcedTiling)];
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const g = randomGraph(seed);
      if (g.outputs.size === 0) continue;
      const r = rng(1000 + seed);
      const x = uniform(r, g.shape(g.inputs.get('x')!).n * g.shape(g.inputs.get('x')!).c * 15);
      const want = runReference(g, { x }).outputs;
      if (r() < 0.7) optimize(g);
      const policy = policies[seed % policies.length]!;
      const compiled = await CompiledGraph.compile(ctx, cache, g, { tiling: policy });
      try {
        const got = await compiled.run({ x });
        ctx.checkErrors();
        for (const [name, ref] of Object.entries(want)) expectClose(got[name]!, ref, 1e-4, `seed ${seed}, ${name}`);
        checked++;
      } finally {
        compiled.destroy();
      }
    }
    expect(checked, 'graphs with outputs').to.be.at.least(30);
  });
});
