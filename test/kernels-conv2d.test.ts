import { expect } from 'chai';
import {
  conv2dAttrs,
  conv2dKernel,
  conv2dReference,
  conv2dShape,
  type Conv2dAttrs,
  type ConvTiling,
  type ConvWeightStorage,
  exactInF16,
  packConv2dBias,
  withBias,
  packConv2dWeights,
  packConv2dWeightsF16,
} from '../src/kernels/conv2d.js';
import { chooseTiling, DEFAULT_TILING_POLICY, GPU_TILING_POLICY } from '../src/kernels/tiling-policy.js';
import { ceilingTilings } from '../src/profile/gemm-ceiling.js';
import { convCandidates, distinctTilings, uniformCandidates } from '../src/tuning/candidates.js';
import { halfBitsToFloat } from '../src/weights/f16.js';
import { denseView, numel, packNhwc, roundUp, type Shape4, type TensorView, unpackNhwc } from '../src/kernels/layout.js';
import { expectClose, expectOutputWindow } from './support/compare.js';
import { runCall, testGpu } from './support/gpu.js';
import { int, pick, rng, toF16Values, uniform } from './support/random.js';

interface Case {
  xs: Shape4;
  a: Conv2dAttrs;
  tiling?: ConvTiling;
  inOffset?: number;
  outOffset?: number;
  weights?: ConvWeightStorage;
}

async function check(c: Case, seed: number): Promise<void> {
  const r = rng(seed);
  const cin = c.xs.c;
  const ys = conv2dShape(c.xs, c.a);
  const x = uniform(r, numel(c.xs));
  // float16 storage holds float16 values exactly; the reference then uses those same values.
  const w0 = uniform(r, c.a.cout * cin * c.a.kh * c.a.kw);
  const w = c.weights === 'f16' ? toF16Values(w0) : w0;
  const b = c.a.bias ? uniform(r, c.a.cout) : undefined;
  const res = c.a.residual ? uniform(r, numel(ys)) : undefined;
  const t = c.tiling ?? chooseTiling(DEFAULT_TILING_POLICY, ys.n * ys.h * ys.w, c.a.cout, (await testGpu()).ctx.subgroupSize);
  // Input and output may be channel windows of wider buffers, as for Res2Net's split and concat.
  const xv: TensorView = { ...c.xs, co: c.inOffset ?? 0, cs: roundUp(cin, 4) + (c.inOffset ?? 0) + 4 * int(r, 0, 1) };
  const yv: TensorView = { ...ys, co: c.outOffset ?? 0, cs: roundUp(ys.c, 4) + (c.outOffset ?? 0) + 4 * int(r, 0, 1) };
  const rv = denseView(ys);
  const call = conv2dKernel(c.a, xv, yv, t, { ...(res ? { res: rv } : {}), weights: c.weights ?? 'f32' });
  const packed =
    c.weights === 'f16'
      ? new Float32Array(packConv2dWeightsF16(w, c.a.cout, cin, c.a.kh, c.a.kw, t.tn).buffer) // the bits, uploaded as they are
      : packConv2dWeights(w, c.a.cout, cin, c.a.kh, c.a.kw, t.tn);
  const inputs: Record<string, Float32Array> = { x: packNhwc(x, xv), w: withBias(packed, b ? packConv2dBias(b, c.a.cout, t.tn) : undefined) };
  if (res) inputs.res = packNhwc(res, rv);
  const got = await runCall(call, inputs, { y: ys.n * ys.h * ys.w * yv.cs, status: 1 });
  const out = got.y!;
  expect(new Uint32Array(got.status!.buffer)[0], 'status word after finite outputs').to.equal(0);
  const ref = conv2dReference(x, c.xs, w, c.a, b, res);
  const what = `${call.label} ${c.weights ?? 'f32'} weights pad ${c.a.padT},${c.a.padB},${c.a.padL},${c.a.padR} tiling ${JSON.stringify(t)} seed ${seed}`;
  expectClose(unpackNhwc(out, yv), ref, 2e-6 * Math.sqrt(cin * c.a.kh * c.a.kw), what);
  expectOutputWindow(out, yv.cs, yv.co, ys.c, what);
}

/** One tiling of each family, with awkward tile sizes (3 pixels, 3 channel groups), and subgroups where the device has them. */
function oneTilingPerFamily(sg: number | undefined): ConvTiling[] {
  return [
    { tm: 3, tn: 2, wgx: 8, wgy: 1, lanes: 'pixels' },
    { tm: 4, tn: 1, wgx: 4, wgy: 4, lanes: 'channels' },
    { tm: 2, tn: 3, wgx: 4, wgy: 4, lanes: 'shared', kc: 2 },
    { tm: 2, tn: 2, wgx: 16, wgy: 1, lanes: 'splitk' },
    ...(sg ? [{ tm: 2, tn: 3, wgx: sg, wgy: 1, lanes: 'pixels', subgroup: sg } as ConvTiling] : []),
  ];
}

describe('conv2d kernel vs float64 reference', () => {
  const fixed: Case[] = [
    { xs: { n: 1, c: 3, h: 17, w: 13 }, a: conv2dAttrs(32, 3, 3, { stride: 2, pad: 1 }) }, // stem-like, odd sizes
    { xs: { n: 2, c: 26, h: 9, w: 7 }, a: conv2dAttrs(26, 3, 3, { pad: 1, bias: true, relu: true }) }, // Res2Net split width
    { xs: { n: 1, c: 13, h: 6, w: 6 }, a: conv2dAttrs(13, 1, 3, { padL: 1, padR: 1 }) },
    { xs: { n: 1, c: 13, h: 6, w: 5 }, a: conv2dAttrs(13, 3, 1, { padT: 1, padB: 1 }) },
    { xs: { n: 1, c: 8, h: 7, w: 9 }, a: conv2dAttrs(8, 1, 5, { padL: 2, padR: 2 }) },
    { xs: { n: 1, c: 8, h: 9, w: 7 }, a: conv2dAttrs(8, 5, 1, { padT: 2, padB: 2 }) },
    { xs: { n: 1, c: 5, h: 8, w: 8 }, a: conv2dAttrs(6, 1, 7, { padL: 3, padR: 3 }) },
    { xs: { n: 1, c: 5, h: 8, w: 8 }, a: conv2dAttrs(6, 7, 1, { padT: 3, padB: 3 }) },
    { xs: { n: 1, c: 12, h: 11, w: 11 }, a: conv2dAttrs(7, 5, 5, { pad: 2, bias: true }) },
    { xs: { n: 1, c: 9, h: 10, w: 10 }, a: conv2dAttrs(9, 3, 3, { pad: 3, dil: 3 }) }, // RFB dilated
    { xs: { n: 1, c: 9, h: 12, w: 12 }, a: conv2dAttrs(9, 3, 3, { pad: 7, dil: 7 }) }, // dilation larger than the image
    { xs: { n: 1, c: 6, h: 1, w: 1 }, a: conv2dAttrs(5, 3, 3, { pad: 1, residual: true, relu: true }) }, // 1x1 spatial
    { xs: { n: 2, c: 64, h: 1, w: 1 }, a: conv2dAttrs(1, 1, 1, { bias: true }) }, // one output channel
    { xs: { n: 1, c: 7, h: 5, w: 5 }, a: conv2dAttrs(3, 7, 7, { pad: 3, residual: true }) },
    { xs: { n: 1, c: 96, h: 6, w: 6 }, a: conv2dAttrs(1, 1, 1, { bias: true }) },
    { xs: { n: 1, c: 10, h: 8, w: 8 }, a: conv2dAttrs(12, 3, 3, { pad: 1 }), inOffset: 4, outOffset: 8 }, // windows
    { xs: { n: 1, c: 4, h: 9, w: 9 }, a: conv2dAttrs(4, 3, 3, { stride: 2, padT: 0, padB: 2, padL: 1, padR: 0 }) }, // uneven padding
  ];
  fixed.forEach((c, i) => it(`fixed case ${i}: ${c.xs.c}->${c.a.cout} ${c.a.kh}x${c.a.kw}`, () => check(c, 1000 + i)));

  it('1x1 convs (the pointwise path) with both lane layouts and windows', async () => {
    const r = rng(77);
    for (let i = 0; i < 8; i++) {
      const xs = { n: int(r, 1, 2), c: int(r, 1, 40), h: int(r, 1, 9), w: int(r, 1, 9) };
      const a = conv2dAttrs(int(r, 1, 33), 1, 1, { bias: r() < 0.5, residual: r() < 0.5, relu: r() < 0.5 });
      const sg = (await testGpu()).ctx.subgroupSize;
      const tiling: ConvTiling =
        i % 4 === 3
          ? { tm: 2, tn: 2, wgx: 4, wgy: 8, lanes: 'shared', kc: 3 }
          : i % 3 === 2 && sg
            ? { tm: 3, tn: 3, wgx: sg, wgy: 1, lanes: 'pixels', subgroup: sg }
            : i % 2
              ? { tm: 3, tn: 2, wgx: 8, wgy: 1, lanes: 'pixels' }
              : { tm: 4, tn: 1, wgx: 4, wgy: 4, lanes: 'channels' };
      await check({ xs, a, tiling, inOffset: 4 * int(r, 0, 1), outOffset: 4 * int(r, 0, 1) }, 7000 + i);
    }
  });

  it('30 random shapes, strides, paddings, dilations and tilings', async () => {
    const r = rng(7);
    for (let i = 0; i < 30; i++) {
      const kh = int(r, 1, 7);
      const kw = pick(r, [1, kh, int(r, 1, 7)]);
      const a = conv2dAttrs(int(r, 1, 40), kh, kw, {
        strideY: int(r, 1, 3),
        strideX: int(r, 1, 3),
        dilY: int(r, 1, 3),
        dilX: int(r, 1, 2),
        padT: int(r, 0, 3),
        padB: int(r, 0, 3),
        padL: int(r, 0, 3),
        padR: int(r, 0, 3),
        bias: r() < 0.5,
        residual: r() < 0.4,
        relu: r() < 0.5,
      });
      const xs = { n: int(r, 1, 2), c: int(r, 1, 37), h: int(r, 1, 14), w: int(r, 1, 14) };
      try {
        conv2dShape(xs, a);
      } catch {
        i--; // the drawn kernel does not fit the drawn input; draw again
        continue;
      }
      const sg = (await testGpu()).ctx.subgroupSize;
      const kind = r();
      const tiling: ConvTiling =
        kind < 0.25
          ? { tm: pick(r, [1, 2, 4, 8]), tn: pick(r, [1, 2, 4]), wgx: pick(r, [1, 2, 4, 8]), wgy: pick(r, [1, 4, 8]), lanes: 'channels' }
          : kind < 0.5
            ? { tm: pick(r, [1, 2, 4]), tn: pick(r, [1, 2, 3]), wgx: pick(r, [2, 4, 8]), wgy: pick(r, [2, 4, 8]), lanes: 'shared', kc: pick(r, [1, 2, 4]) }
            : kind < 0.75 || !sg
              ? { tm: pick(r, [1, 2, 3, 4]), tn: pick(r, [1, 2, 3]), wgx: pick(r, [1, 8, 16, 32]), wgy: 1, lanes: 'pixels' }
              : { tm: pick(r, [1, 2, 3, 4]), tn: pick(r, [1, 2, 3, 4, 5]), wgx: sg * pick(r, [1, 2]), wgy: 1, lanes: 'pixels', subgroup: sg };
      await check({ xs, a, tiling }, 5000 + i);
    }
  });

  it('split-K: 16 convs with the sum split across a workgroup (sums not a multiple of the split, 1x1 maps, N = 2, a sum shorter than the split)', async () => {
    const r = rng(24);
    const fixedSplit: Case[] = [
      {
        xs: { n: 1, c: 300, h: 1, w: 1 },
        a: conv2dAttrs(9, 3, 3, { pad: 1, bias: true, relu: true }),
        tiling: { lanes: 'splitk', tm: 1, tn: 2, wgx: 64, wgy: 1 },
      },
      { xs: { n: 2, c: 37, h: 5, w: 3 }, a: conv2dAttrs(6, 5, 5, { pad: 2, residual: true }), tiling: { lanes: 'splitk', tm: 4, tn: 1, wgx: 32, wgy: 1 } },
      { xs: { n: 1, c: 2, h: 3, w: 3 }, a: conv2dAttrs(5, 1, 1, { bias: true }), tiling: { lanes: 'splitk', tm: 2, tn: 2, wgx: 128, wgy: 1 } }, // 1 step, 128 lanes
      {
        xs: { n: 1, c: 70, h: 11, w: 11 },
        a: conv2dAttrs(64, 5, 5, { pad: 2, relu: true }),
        tiling: { lanes: 'splitk', tm: 4, tn: 2, wgx: 8, wgy: 1 },
        outOffset: 4,
      },
    ];
    for (const [i, c] of fixedSplit.entries()) await check(c, 11000 + i);
    for (let i = 0; i < 12; i++) {
      const k = pick(r, [1, 3, 5]);
      const a = conv2dAttrs(int(r, 1, 40), k, k, {
        pad: int(r, 0, 2),
        stride: int(r, 1, 2),
        dil: int(r, 1, 2),
        bias: r() < 0.5,
        residual: r() < 0.4,
        relu: r() < 0.5,
      });
      const xs = { n: int(r, 1, 2), c: int(r, 1, 80), h: int(r, 1, 9), w: int(r, 1, 9) };
      try {
        conv2dShape(xs, a);
      } catch {
        i--;
        continue;
      }
      const tm = pick(r, [1, 2, 4]);
      const tn = pick(r, [1, 2, 3]);
      const wgx = pick(
        r,
        [8, 16, 32, 64, 256].filter((n) => n >= tm * tn),
      );
      await check({ xs, a, tiling: { lanes: 'splitk', tm, tn, wgx, wgy: 1 }, inOffset: 4 * int(r, 0, 1), weights: r() < 0.3 ? 'f16' : 'f32' }, 11100 + i);
    }
  });

  it('every tiling the engine may choose (class defaults, tuner candidates, GEMM-ceiling tilings), on a 3x3 conv with a residual and N = 2 or a 1x1 conv', async () => {
    const sg = (await testGpu()).ctx.subgroupSize;
    const cases: Case[] = [
      { xs: { n: 2, c: 21, h: 7, w: 9 }, a: conv2dAttrs(37, 3, 3, { pad: 1, bias: true, residual: true, relu: true }), inOffset: 4 },
      { xs: { n: 1, c: 70, h: 5, w: 5 }, a: conv2dAttrs(10, 1, 1, { bias: true }), outOffset: 4 },
    ];
    const classes = ['software', 'integrated', 'discrete'] as const;
    const tilings = distinctTilings([
      ...classes.flatMap((cls) => [...convCandidates(cls, 50, sg), ...uniformCandidates(cls, sg)]),
      ...[DEFAULT_TILING_POLICY, GPU_TILING_POLICY].flatMap((policy) =>
        [1, 50, 5000].flatMap((pixels) => [4, 37, 300].map((cout) => chooseTiling(policy, pixels, cout, sg))),
      ),
      ...ceilingTilings(64, sg),
    ]);
    expect(tilings.some((t) => t.lanes === 'splitk') && tilings.some((t) => t.lanes === 'shared' && t.tm * t.tn >= 16)).to.equal(true);
    for (const [i, tiling] of tilings.entries()) await check({ ...cases[i % 2]!, tiling }, 13000 + i);
  });

  it('float16 weight storage: 16 random convs with every tiling, against the float64 reference on the same values', async () => {
    const r = rng(16);
    const sg = (await testGpu()).ctx.subgroupSize;
    for (let i = 0; i < 16; i++) {
      const k = pick(r, [1, 3, 5]);
      const a = conv2dAttrs(int(r, 1, 37), k, pick(r, [1, k]), {
        pad: int(r, 0, 2),
        stride: int(r, 1, 2),
        bias: r() < 0.5,
        residual: r() < 0.4,
        relu: r() < 0.5,
      });
      const xs = { n: int(r, 1, 2), c: int(r, 1, 30), h: int(r, 1, 11), w: int(r, 1, 11) };
      try {
        conv2dShape(xs, a);
      } catch {
        i--;
        continue;
      }
      const tilings = oneTilingPerFamily(sg);
      await check({ xs, a, tiling: tilings[i % tilings.length], weights: 'f16', outOffset: 4 * int(r, 0, 1) }, 9000 + i);
    }
  });

  it("every tiling family sets the status word when a conv's sum overflows float32 or is NaN (checked before the ReLU), and only then", async () => {
    const { ctx } = await testGpu();
    const sg = ctx.subgroupSize;
    const tilings = oneTilingPerFamily(sg);
    const xs = { n: 1, c: 5, h: 6, w: 7 };
    const a = conv2dAttrs(6, 3, 3, { pad: 1, bias: true, relu: true });
    const ys = conv2dShape(xs, a);
    const x = uniform(rng(4), numel(xs), 0.5, 1); // positive, so the sums of positive weights grow, and ReLU keeps them
    for (const t of tilings) {
      const xv = denseView(xs);
      const yv = denseView(ys);
      const call = conv2dKernel(a, xv, yv, t);
      const status = async (w: Float32Array, input = x) => {
        const inputs = {
          x: packNhwc(input, xv),
          w: withBias(packConv2dWeights(w, a.cout, xs.c, 3, 3, t.tn), a.bias ? packConv2dBias(new Float32Array(6), 6, t.tn) : undefined),
        };
        const r = await runCall(call, inputs, { y: numel(ys), status: 1 });
        return new Uint32Array(r.status!.buffer)[0];
      };
      const n = a.cout * xs.c * 9;
      expect(await status(new Float32Array(n).fill(1e37)), `${JSON.stringify(t)}: sums of 45 x 1e37 overflow`).to.equal(1);
      expect(await status(new Float32Array(n).fill(1e36)), `${JSON.stringify(t)}: 45 x 1e36 is finite`).to.equal(0);
      const nan = x.slice();
      nan[17] = NaN;
      expect(await status(new Float32Array(n).fill(0.1), nan), `${JSON.stringify(t)}: a NaN input`).to.equal(1);
    }
  });

  it('float16 weight packing refuses values float16 cannot hold, and halves the bytes', () => {
    expect(exactInF16(Float32Array.of(0.5, -2, 65504, 2 ** -24))).to.equal(true);
    expect(exactInF16(Float32Array.of(0.5, 0.1))).to.equal(false);
    expect(() => packConv2dWeightsF16(Float32Array.of(0.1), 1, 1, 1, 1, 1)).to.throw(/0\.1.* not exactly representable in float16/);
    const w = Float32Array.of(1, -0.5, 0.25, 2, 3, 4, -1, 0);
    const f32 = packConv2dWeights(w, 2, 4, 1, 1, 1);
    const f16 = packConv2dWeightsF16(w, 2, 4, 1, 1, 1);
    expect(f16.byteLength * 2).to.equal(f32.byteLength);
    // element 2i in the low half of word i
    const halves = new Uint16Array(f16.buffer);
    expect([...halves].map(halfBitsToFloat)).to.deep.equal([...f32]);
  });

  it('rejects a kernel larger than 7 and a wrong residual shape', () => {
    expect(() => conv2dShape({ n: 1, c: 1, h: 9, w: 9 }, conv2dAttrs(1, 9, 9))).to.throw(/kernel sizes must be 1..7/);
    const a = conv2dAttrs(4, 1, 1, { residual: true });
    const x = denseView({ n: 1, c: 4, h: 3, w: 3 });
    expect(() => conv2dKernel(a, x, x, chooseTiling(DEFAULT_TILING_POLICY, 9, 4), { res: denseView({ n: 1, c: 4, h: 2, w: 3 }) })).to.throw(
      /residual is 1x4x2x3, expected 1x4x3x3/,
    );
    expect(() => conv2dKernel(conv2dAttrs(4, 1, 1), x, x, { tm: 1, tn: 1, wgx: 4, wgy: 4, subgroup: 8 })).to.throw(
      /subgroup weight sharing needs lanes over pixels/,
    );
    expect(() => conv2dKernel(conv2dAttrs(4, 1, 1), x, x, { tm: 1, tn: 1, wgx: 24, wgy: 1, lanes: 'splitk' })).to.throw(
      /split-K tiling needs wgx a power of two/,
    );
    expect(() => conv2dKernel(conv2dAttrs(4, 1, 1), x, x, { tm: 4, tn: 2, wgx: 4, wgy: 1, lanes: 'splitk' })).to.throw(/>= tm \* tn/);
  });
});
