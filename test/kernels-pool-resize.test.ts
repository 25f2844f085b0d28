import { expect } from 'chai';
import { numel, packNhwc, roundUp, type Shape4, type TensorView, unpackNhwc } from '../src/kernels/layout.js';
import { minmaxKernel, minmaxReference } from '../src/kernels/minmax.js';
import { poolAttrs, poolKernel, poolReference, poolShape, type PoolAttrs } from '../src/kernels/pool.js';
import { bilinearTaps, resizeByScale, resizeKernel, resizeReference, resizeShape, resizeTable, type ResizeAttrs } from '../src/kernels/resize.js';
import { expectClose, expectOutputWindow } from './support/compare.js';
import { runCall } from './support/gpu.js';
import { int, pick, rng, uniform } from './support/random.js';

function randomView(s: Shape4, r: () => number): TensorView {
  const co = 4 * int(r, 0, 1);
  return { ...s, co, cs: co + roundUp(s.c, 4) + 4 * int(r, 0, 1) };
}
const floats = (v: TensorView) => v.n * v.h * v.w * v.cs;

async function checkPool(xs: Shape4, a: PoolAttrs, seed: number): Promise<void> {
  const r = rng(seed);
  const ys = poolShape(xs, a);
  const x = uniform(r, numel(xs), -4, 4);
  const [xv, yv] = [randomView(xs, r), randomView(ys, r)];
  const out = (await runCall(poolKernel(a, xv, yv), { x: packNhwc(x, xv) }, { y: floats(yv) })).y!;
  const what = `${JSON.stringify(a)} on ${JSON.stringify(xs)}`;
  expectClose(unpackNhwc(out, yv), poolReference(x, xs, a), 1e-5, what);
  expectOutputWindow(out, yv.cs, yv.co, ys.c, what);
}

async function checkResize(xs: Shape4, a: ResizeAttrs, seed: number): Promise<void> {
  const r = rng(seed);
  const ys = resizeShape(xs, a);
  const x = uniform(r, numel(xs), -2, 2);
  const [xv, yv] = [randomView(xs, r), randomView(ys, r)];
  const taps = new Float32Array(resizeTable(xs, a).buffer);
  const out = (await runCall(resizeKernel(a, xv, yv), { x: packNhwc(x, xv), taps }, { y: floats(yv) })).y!;
  const what = `resize ${JSON.stringify(xs)} ${JSON.stringify(a)}`;
  expectClose(unpackNhwc(out, yv), resizeReference(x, xs, a), 1e-5, what);
  expectOutputWindow(out, yv.cs, yv.co, ys.c, what);
}

describe('pooling kernels vs float64 reference', () => {
  it('PraNet pools: maxpool 3x3 s2 p1, avgpool 3x3 s1/s2 p1 count_include_pad, avgpool 2x2 s2 ceil no-pad-count', async () => {
    await checkPool({ n: 1, c: 64, h: 22, w: 22 }, poolAttrs('max', 3, 2, 1), 1);
    await checkPool({ n: 2, c: 26, h: 9, w: 9 }, poolAttrs('avg', 3, 1, 1), 2);
    await checkPool({ n: 1, c: 52, h: 11, w: 11 }, poolAttrs('avg', 3, 2, 1), 3);
    await checkPool({ n: 1, c: 13, h: 11, w: 7 }, poolAttrs('avg', 2, 2, 0, { ceilMode: true, countIncludePad: false }), 4);
    await checkPool({ n: 1, c: 5, h: 1, w: 1 }, poolAttrs('avg', 1, 1, 0, { ceilMode: true, countIncludePad: false }), 5);
  });

  it('corner and edge divisors of the 3x3 count_include_pad blur are 4/9 and 6/9 on ones', async () => {
    const xs = { n: 1, c: 1, h: 3, w: 3 };
    const v: TensorView = { ...xs, cs: 4, co: 0 };
    const out = (await runCall(poolKernel(poolAttrs('avg', 3, 1, 1), v, v), { x: packNhwc(new Float32Array(9).fill(1), v) }, { y: 36 })).y!;
    expect(Array.from(unpackNhwc(out, v)).map((x) => Math.round(x * 9))).to.deep.equal([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  for (const kind of ['max', 'avg'] as const) {
    it(`${kind}pool: 24 random kernels, strides, paddings, ceil modes`, async () => {
      const r = rng(kind === 'max' ? 21 : 22);
      for (let i = 0; i < 24; i++) {
        const k = int(r, 1, 4);
        const a: PoolAttrs = {
          kind,
          kh: k,
          kw: pick(r, [k, int(r, 1, 4)]),
          strideY: int(r, 1, 3),
          strideX: int(r, 1, 3),
          padY: 0,
          padX: 0,
          ceilMode: r() < 0.5,
          countIncludePad: r() < 0.5,
        };
        a.padY = int(r, 0, Math.floor(a.kh / 2));
        a.padX = int(r, 0, Math.floor(a.kw / 2));
        const xs = { n: int(r, 1, 2), c: int(r, 1, 30), h: int(r, a.kh, 13), w: int(r, a.kw, 13) };
        await checkPool(xs, a, 100 + i);
      }
    });
  }

  it('rejects padding over half the kernel', () => {
    expect(() => poolShape({ n: 1, c: 1, h: 5, w: 5 }, poolAttrs('max', 3, 1, 2))).to.throw(/padding must be between 0 and half the kernel/);
  });
});

describe('bilinear resize vs float64 reference', () => {
  it('every PraNet resize: x2 align_corners (11->22->44), x8, x0.25, x32, x2, x16', async () => {
    await checkResize({ n: 1, c: 32, h: 11, w: 11 }, resizeByScale({ n: 1, c: 32, h: 11, w: 11 }, 2, true), 1);
    await checkResize({ n: 2, c: 64, h: 22, w: 22 }, resizeByScale({ n: 2, c: 64, h: 22, w: 22 }, 2, true), 2);
    await checkResize({ n: 1, c: 1, h: 44, w: 44 }, resizeByScale({ n: 1, c: 1, h: 44, w: 44 }, 8, false), 3);
    await checkResize({ n: 1, c: 1, h: 44, w: 44 }, resizeByScale({ n: 1, c: 1, h: 44, w: 44 }, 0.25, false), 4);
    await checkResize({ n: 1, c: 1, h: 11, w: 11 }, resizeByScale({ n: 1, c: 1, h: 11, w: 11 }, 32, false), 5);
    await checkResize({ n: 1, c: 1, h: 11, w: 11 }, resizeByScale({ n: 1, c: 1, h: 11, w: 11 }, 2, false), 6);
    await checkResize({ n: 1, c: 1, h: 22, w: 22 }, resizeByScale({ n: 1, c: 1, h: 22, w: 22 }, 16, false), 7);
  });

  it('x0.25 without antialiasing averages rows and columns {4i+1, 4i+2}', () => {
    const t = bilinearTaps(44, 11, false, 0.25);
    for (let i = 0; i < 11; i++) {
      expect([t.i0[i], t.i1[i], t.w0[i], t.w1[i]]).to.deep.equal([4 * i + 1, 4 * i + 2, 0.5, 0.5]);
    }
  });

  it('post-processing sizes (352 -> odd image sizes) and 24 random sizes both ways', async () => {
    await checkResize({ n: 1, c: 1, h: 352, w: 352 }, { outH: 529, outW: 622, alignCorners: false }, 10);
    const r = rng(31);
    for (let i = 0; i < 24; i++) {
      const xs = { n: int(r, 1, 2), c: int(r, 1, 20), h: int(r, 1, 15), w: int(r, 1, 15) };
      const a: ResizeAttrs = { outH: int(r, 1, 33), outW: int(r, 1, 33), alignCorners: r() < 0.5 };
      await checkResize(xs, a, 200 + i);
    }
  });
});

describe('min-max normalisation vs float64 reference', () => {
  it('22 random maps, one min/max per image', async () => {
    const r = rng(41);
    const cases: Shape4[] = [
      { n: 1, c: 1, h: 1, w: 1 },
      { n: 2, c: 1, h: 352, w: 352 },
      { n: 2, c: 3, h: 5, w: 3 },
    ];
    while (cases.length < 22) cases.push({ n: int(r, 1, 3), c: int(r, 1, 6), h: int(r, 1, 40), w: int(r, 1, 40) });
    for (const [i, s] of cases.entries()) {
      const x = uniform(r, numel(s), -5 * r(), 7 * r());
      const [xv, yv] = [randomView(s, r), randomView(s, r)];
      const out = (await runCall(minmaxKernel(xv, yv), { x: packNhwc(x, xv) }, { y: floats(yv) })).y!;
      expectClose(unpackNhwc(out, yv), minmaxReference(x, s), 1e-5, `minmax case ${i} ${JSON.stringify(s)}`);
      expectOutputWindow(out, yv.cs, yv.co, s.c, `minmax case ${i}`);
    }
  });
});
