import { expect } from 'chai';
import { CompiledGraph } from '../src/graph/executor.js';
import { Graph } from '../src/graph/ir.js';
import { fuseEpilogues, foldBatchnorm, optimize } from '../src/graph/passes.js';
import { planMemory } from '../src/graph/planner.js';
import { runReference } from '../src/graph/reference.js';
import { conv2dAttrs, conv2dOp } from '../src/kernels/conv2d.js';
import { addOp, batchnormOp, eraseOp, reluOp } from '../src/kernels/elementwise.js';
import { type Shape4 } from '../src/kernels/layout.js';
import { poolAttrs, poolOp } from '../src/kernels/pool.js';
import { resizeOp } from '../src/kernels/resize.js';
import { concatOp, sliceOp } from '../src/graph/view-ops.js';
import { buildPraNet, PRANET_OUTPUTS } from '../src/models/pranet-graph.js';
import { randomPraNetWeights } from '../src/models/random-weights.js';
import { expectClose } from './support/compare.js';
import { testGpu } from './support/gpu.js';
import { rng, uniform } from './support/random.js';

/**
 * conv -> bn -> relu -> maxpool -> avgpool -> resize x2 -> conv (one channel) -> erase -> concat -> conv
 * -> add (residual from a second branch) -> relu, plus a channel slice, with awkward channel counts.
 */
function buildSmall(n: number, seed: number): Graph {
  const r = rng(seed);
  const g = new Graph();
  const x = g.input('image', { n, c: 3, h: 13, w: 11 });
  const conv = (name: string, t: number, cout: number, k: number, opts: Parameters<typeof conv2dAttrs>[3] = {}) => {
    const cin = g.shape(t).c;
    const attrs = conv2dAttrs(cout, k, k, { pad: Math.floor(k / 2), ...opts });
    return g.add(conv2dOp, name, [t], {
      ...attrs,
      weights: { weight: uniform(r, cout * cin * k * k, -0.5, 0.5), ...(attrs.bias ? { bias: uniform(r, cout) } : {}) },
    });
  };
  const bn = (name: string, t: number) => {
    const c = g.shape(t).c;
    return g.add(batchnormOp, name, [t], {
      weight: uniform(r, c, 0.5, 1.5),
      bias: uniform(r, c, -0.2, 0.2),
      mean: uniform(r, c, -0.3, 0.3),
      variance: uniform(r, c, 0.5, 2),
      eps: 1e-5,
    });
  };
  const stem = g.add(reluOp, 'stem.relu', [bn('stem.bn', conv('stem.conv', x, 12, 3))], {});
  const pooled = g.add(poolOp, 'avg', [g.add(poolOp, 'max', [stem], poolAttrs('max', 3, 2, 1))], poolAttrs('avg', 3, 1, 1));
  const up = g.add(resizeOp, 'up', [pooled], { outH: 14, outW: 12, alignCorners: true });
  const map = conv('map', up, 1, 1, { bias: true });
  const erased = g.add(eraseOp, 'erase', [up, map], {});
  const side = bn('side.bn', conv('side.conv', up, 7, 3));
  const cat = g.add(concatOp, 'cat', [erased, side], {}); // 12 + 7 channels
  const part = g.add(sliceOp, 'slice', [cat], { start: 4, end: 13 }); // a view across both parts
  const main = bn('main.bn', conv('main.conv', part, 6, 3));
  const short = bn('short.bn', conv('short.conv', cat, 6, 1));
  const y = g.add(reluOp, 'out.relu', [g.add(addOp, 'out.add', [main, short], {})], {});
  g.output('y', y);
  g.output('map', map);
  return g;
}

const imageShape = (n: number): Shape4 => ({ n, c: 3, h: 13, w: 11 });

describe('graph: IR, passes, planner and executor', () => {
  for (const n of [1, 2]) {
    for (const passes of [false, true]) {
      it(`small graph N=${n} ${passes ? 'with' : 'without'} BN folding and epilogue fusion matches the composed float64 references`, async () => {
        const { ctx, cache } = await testGpu();
        const reference = buildSmall(n, 3);
        const g = buildSmall(n, 3);
        if (passes) {
          const counts = optimize(g);
          expect(counts.folded, 'batchnorms folded').to.equal(4);
          expect(counts.fused, 'epilogues fused (add + 2 relu)').to.equal(3);
          expect(g.nodes.filter((x) => [batchnormOp, reluOp, addOp].includes(x.op as never))).to.have.length(0);
        }
        const s = imageShape(n);
        const image = uniform(rng(9), s.n * s.c * s.h * s.w, -1, 1);
        const want = runReference(reference, { image }).outputs;
        const compiled = await CompiledGraph.compile(ctx, cache, g);
        try {
          const got = await compiled.run({ image });
          // The sum of the per-op bounds along the longest path (two 3x3 convs, 1x1 conv, pools, resize, erase).
          expectClose(got.y!, want.y!, 1e-4, 'y');
          expectClose(got.map!, want.map!, 1e-4, 'map');
        } finally {
          compiled.destroy();
        }
      });
    }
  }

  it('folding batchnorm keeps the function (float64 references before and after)', () => {
    const before = buildSmall(1, 5);
    const after = buildSmall(1, 5);
    foldBatchnorm(after);
    fuseEpilogues(after);
    const image = uniform(rng(1), 3 * 13 * 11);
    expectClose(runReference(after, { image }).outputs.y!, runReference(before, { image }).outputs.y!, 1e-6, 'folded');
  });

  it('a negative running_var in weights built in code is named by its batchnorm node, folded or compiled as it is', async () => {
    const bad = () => {
      const g = buildSmall(1, 5);
      const node = g.nodes.find((n) => n.name === 'side.bn')!;
      (node.attrs as { variance: Float32Array }).variance[2] = -0.5;
      return g;
    };
    expect(() => foldBatchnorm(bad())).to.throw(/^side\.bn: batchnorm channel 2: running_var \+ eps = -0\.4999\d* is not positive$/);
    const { ctx, cache } = await testGpu();
    const message = await CompiledGraph.compile(ctx, cache, bad()).then(
      () => 'compiled',
      (e: Error) => e.message,
    );
    // (the channel counted in the tensor's stored channel groups)
    expect(message).to.match(/^side\.bn: batchnorm channel \d+: running_var \+ eps = -0\.4999\d* is not positive$/);
  });

  it('the planner shares memory: arena below the sum of all tensors, at least the live peak, and concat parts written in place', () => {
    const g = buildSmall(1, 3);
    optimize(g);
    const plan = planMemory(g);
    const total = plan.buffers.reduce((sum, b) => sum + b.bytes, 0);
    expect(plan.arenaBytes).to.be.lessThan(total);
    expect(plan.arenaBytes).to.be.at.least(plan.peakLiveBytes);
    expect(
      plan.steps.some((s) => s.op.name === 'copy'),
      'no copy needed for this concat',
    ).to.equal(false);
    // No two buffers alive at the same step overlap in the arena.
    for (const a of plan.buffers) {
      for (const b of plan.buffers) {
        if (a === b || a.last < b.first || b.last < a.first) continue;
        expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `buffers ${a.root} and ${b.root} overlap`).to.equal(true);
      }
    }
  });

  it("PraNet's own graphs: the arena is at most 1.5x the largest set of tensors live at one time, and no step needs a copy to keep its bindings apart", function () {
    this.timeout(60_000);
    for (const [preset, batch, outputs] of [
      ['official', 1, ['lateral_map_2']],
      ['official', 2, ['lateral_map_2']],
      ['compact', 1, [...PRANET_OUTPUTS]],
    ] as const) {
      const built = buildPraNet(randomPraNetWeights(preset, 0), { batch, size: 352, outputs: [...outputs], source: preset });
      optimize(built.graph);
      const plan = planMemory(built.graph);
      expect(
        plan.steps.filter((n) => /\.unalias\d+$/.test(n.name)).map((n) => n.name),
        'copies made only to keep bindings apart',
      ).to.deep.equal([]);
      const ratio = plan.arenaBytes / plan.peakLiveBytes;
      console.log(
        `      ${preset}, batch ${batch}, ${outputs.length} output(s): arena ${(plan.arenaBytes / 2 ** 20).toFixed(1)} MiB = ${ratio.toFixed(3)} x the live peak`,
      );
      expect(ratio, `${preset} batch ${batch}`).to.be.within(1, 1.5);
    }
  });

  it('no dispatch binds one buffer twice (WebGPU refuses overlapping writable bindings): inputs sharing a buffer with each other or the output are copied first', async () => {
    const { ctx, cache } = await testGpu();
    const conv = (g: Graph, name: string, t: number, cout: number) =>
      g.add(conv2dOp, name, [t], { ...conv2dAttrs(cout, 3, 3, { pad: 1 }), weights: { weight: uniform(rng(cout), cout * g.shape(t).c * 9) } });
    const cases: [string, (g: Graph, x: number) => number, number][] = [
      [
        'add(a, a)',
        (g, x) => {
          const a = conv(g, 'a', x, 6);
          return g.add(addOp, 'sum', [a, a], {});
        },
        1,
      ],
      [
        'add of two slices of one tensor',
        (g, x) => {
          const a = conv(g, 'a', x, 8);
          return g.add(addOp, 'sum', [g.add(sliceOp, 's0', [a], { start: 0, end: 4 }), g.add(sliceOp, 's1', [a], { start: 4, end: 8 })], {});
        },
        1,
      ],
      [
        'a conv whose fused residual is sliced from its own input',
        (g, x) => {
          const a = conv(g, 'a', x, 8);
          return g.add(addOp, 'sum', [conv(g, 'b', g.add(sliceOp, 's0', [a], { start: 0, end: 4 }), 4), g.add(sliceOp, 's1', [a], { start: 4, end: 8 })], {});
        },
        1,
      ],
      [
        'cat(a, a)',
        (g, x) => {
          const a = conv(g, 'a', x, 5);
          return g.add(concatOp, 'cat', [a, a], {});
        },
        1,
      ],
      [
        'cat(a, slice(a))',
        (g, x) => {
          const a = conv(g, 'a', x, 6);
          return g.add(concatOp, 'cat', [a, g.add(sliceOp, 's', [a], { start: 2, end: 6 })], {});
        },
        1,
      ],
      [
        'erase(s, s)',
        (g, x) => {
          const s1 = conv(g, 'a', x, 1);
          return g.add(eraseOp, 'erase', [s1, s1], {});
        },
        1,
      ],
    ];
    for (const [what, build, copies] of cases) {
      const make = () => {
        const g = new Graph();
        g.output('y', build(g, g.input('x', { n: 2, c: 3, h: 5, w: 7 })));
        return g;
      };
      const x = uniform(rng(8), 2 * 3 * 5 * 7);
      const want = runReference(make(), { x }).outputs.y!;
      const g = make();
      optimize(g);
      const unalias = planMemory(g).steps.filter((n) => /\.unalias\d+$/.test(n.name)).length;
      expect(unalias, `${what}: copies`).to.equal(copies);
      const compiled = await CompiledGraph.compile(ctx, cache, g);
      try {
        expectClose((await compiled.run({ x })).y!, want, 1e-4, what);
        ctx.checkErrors();
      } finally {
        compiled.destroy();
      }
    }
  });

  it('a concat of a graph input and of a slice falls back to copies, and still computes right', async () => {
    const { ctx, cache } = await testGpu();
    const g = new Graph();
    const x = g.input('x', { n: 1, c: 8, h: 3, w: 5 });
    const s = g.add(sliceOp, 's', [x], { start: 4, end: 7 });
    const cat = g.add(concatOp, 'cat', [x, s], {});
    g.output('cat', cat);
    const plan = planMemory(g);
    expect(plan.steps.map((n) => n.op.name)).to.deep.equal(['copy', 'copy']);
    const data = uniform(rng(2), 8 * 15);
    const compiled = await CompiledGraph.compile(ctx, cache, g);
    try {
      const got = (await compiled.run({ x: data })).cat!;
      expect(Array.from(got.subarray(0, 120))).to.deep.equal(Array.from(data));
      expect(Array.from(got.subarray(120))).to.deep.equal(Array.from(data.subarray(60, 105)));
    } finally {
      compiled.destroy();
    }
  });

  it('tensors cut off multiples of 4 (slices at 2 and 7, a 6 + 3 + 5 concat, a split conv) are stored in padded groups and compute right', async () => {
    const { ctx, cache } = await testGpu();
    const build = () => {
      const r = rng(21);
      const g = new Graph();
      const x = g.input('x', { n: 2, c: 5, h: 6, w: 7 });
      const conv = (name: string, t: number, cout: number, relu = false) =>
        g.add(conv2dOp, name, [t], {
          ...conv2dAttrs(cout, 3, 3, { pad: 1, bias: true, relu }),
          weights: { weight: uniform(r, cout * g.shape(t).c * 9, -0.4, 0.4), bias: uniform(r, cout) },
        });
      const t = conv('t', x, 14, true);
      const [a, b, c] = [
        g.add(sliceOp, 'a', [t], { start: 0, end: 2 }),
        g.add(sliceOp, 'b', [t], { start: 2, end: 7 }),
        g.add(sliceOp, 'c', [t], { start: 7, end: 14 }),
      ];
      const cat = g.add(concatOp, 'cat', [conv('ca', a, 6), g.add(reluOp, 'rb', [conv('cb', b, 3)], {}), c], {});
      g.output('y', conv('y', cat, 4));
      g.output('b', b);
      return g;
    };
    const image = uniform(rng(3), 2 * 5 * 6 * 7, -1, 1);
    const want = runReference(build(), { x: image }).outputs;
    const g = build();
    expect(optimize(g).split, 'the conv whose tail slice feeds the concat is split').to.equal(1);
    const plan = planMemory(g);
    expect(
      plan.steps.some((n) => n.op.name === 'copy'),
      'no copies',
    ).to.equal(false);
    const catId = g.nodes.find((n) => n.name === 'y')!.inputs[0]!;
    expect(plan.views.get(catId)!.groups).to.deep.equal([
      [6, 8],
      [3, 4],
      [7, 7],
    ]);
    const compiled = await CompiledGraph.compile(ctx, cache, g);
    try {
      const got = await compiled.run({ x: image });
      expectClose(got.y!, want.y!, 1e-4, 'y');
      expectClose(got.b!, want.b!, 1e-5, 'b (a grouped output, read back without its gaps)');
    } finally {
      compiled.destroy();
    }
  });

  it('shape errors name the op and the shapes', () => {
    const g = new Graph();
    const a = g.input('a', { n: 1, c: 6, h: 4, w: 4 });
    const b = g.input('b', { n: 1, c: 6, h: 5, w: 4 });
    const c = g.input('c', { n: 1, c: 8, h: 4, w: 4 });
    expect(() => g.add(addOp, 'sum', [a, b], {})).to.throw(/sum: add of 1x6x4x4 and 1x6x5x4/);
    expect(() => g.add(concatOp, 'cat', [c, b], {})).to.throw(/cat: concat input 1 is 1x6x5x4, expected 1xCx4x4/);
    expect(() => g.add(sliceOp, 'sl', [a], { start: 2, end: 7 })).to.throw(/sl: channel slice \[2, 7\) of 1x6x4x4/);
    expect(() => g.add(conv2dOp, 'c', [a], { ...conv2dAttrs(2, 3, 3), weights: { weight: new Float32Array(10) } })).to.throw(
      /c: weight has 10 values, expected \[2, 6, 3, 3\]/,
    );
  });
});
