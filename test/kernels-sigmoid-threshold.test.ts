// The op that docs/adding-an-op.md adds: kernel against its float64 reference on awkward shapes, and the op
// inside a graph (shape rule, executor, CPU reference) with a tensor stored in padded channel groups.
import { expect } from 'chai';
import { CompiledGraph } from '../src/graph/executor.js';
import { Graph } from '../src/graph/ir.js';
import { runReference } from '../src/graph/reference.js';
import { concatOp } from '../src/graph/view-ops.js';
import { numel, packNhwc, roundUp, type Shape4, type TensorView, unpackNhwc } from '../src/kernels/layout.js';
import { sigmoidThresholdKernel, sigmoidThresholdOp, sigmoidThresholdReference } from '../src/kernels/sigmoid-threshold.js';
import { expectOutputWindow } from './support/compare.js';
import { runCall, testGpu } from './support/gpu.js';
import { int, rng, uniform } from './support/random.js';

/** Logits away from the decision boundary: within float32 rounding of logit(t) either answer is right. */
function logits(r: () => number, n: number, threshold: number): Float32Array {
  const boundary = Math.log(threshold / (1 - threshold));
  const x = uniform(r, n, -6, 6);
  for (let i = 0; i < n; i++) if (Math.abs(x[i]! - boundary) < 1e-4) x[i] = boundary + 0.01;
  return x;
}

describe('sigmoid-threshold op', () => {
  it('kernel equals the float64 reference on 24 shapes (1x1, N = 2, odd channels, channel windows)', async () => {
    const r = rng(31);
    const shapes: Shape4[] = [
      { n: 1, c: 1, h: 1, w: 1 },
      { n: 2, c: 1, h: 7, w: 5 },
      { n: 1, c: 3, h: 4, w: 9 },
    ];
    while (shapes.length < 24) shapes.push({ n: int(r, 1, 2), c: int(r, 1, 9), h: int(r, 1, 13), w: int(r, 1, 13) });
    for (const [i, s] of shapes.entries()) {
      const threshold = [0.5, 0.1, 0.9, 0.37][i % 4]!;
      const x = logits(r, numel(s), threshold);
      const window = (): TensorView => ({ ...s, co: 4 * int(r, 0, 1), cs: 0 });
      const [xv, yv] = [window(), window()].map((v) => ({ ...v, cs: v.co + roundUp(s.c, 4) + 4 * int(r, 0, 1) }));
      const out = (await runCall(sigmoidThresholdKernel({ threshold }, xv!, yv!), { x: packNhwc(x, xv!) }, { y: yv!.n * yv!.h * yv!.w * yv!.cs })).y!;
      expect(Array.from(unpackNhwc(out, yv!)), `case ${i}`).to.deep.equal(Array.from(sigmoidThresholdReference({ threshold }, x)));
      expectOutputWindow(out, yv!.cs, yv!.co, s.c, `case ${i}`);
    }
  });

  it('runs in a graph on a tensor cut into channel groups, as its reference says', async () => {
    const { ctx, cache } = await testGpu();
    const g = new Graph();
    const a = g.input('a', { n: 1, c: 6, h: 5, w: 3 });
    const b = g.input('b', { n: 1, c: 3, h: 5, w: 3 });
    // A 6 + 3 channel concat: stored as [6 | 2 gap | 3], so the op sees a grouped tensor.
    g.output('mask', g.add(sigmoidThresholdOp, 'mask', [g.add(concatOp, 'cat', [a, b], {})], { threshold: 0.3 }));
    const inputs = { a: logits(rng(4), 90, 0.3), b: logits(rng(5), 45, 0.3) };
    const compiled = await CompiledGraph.compile(ctx, cache, g);
    try {
      const got = (await compiled.run(inputs)).mask!;
      expect(Array.from(got)).to.deep.equal(Array.from(runReference(g, inputs).outputs.mask!));
    } finally {
      compiled.destroy();
    }
  });

  it('refuses a threshold outside (0, 1), naming the node', () => {
    const g = new Graph();
    const x = g.input('x', { n: 1, c: 1, h: 2, w: 2 });
    expect(() => g.add(sigmoidThresholdOp, 'mask', [x], { threshold: 1 })).to.throw(/mask: threshold 1 must lie strictly between 0 and 1/);
  });
});
