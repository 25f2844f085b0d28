import { expect } from 'chai';
import {
  batchnormKernel,
  batchnormReference,
  binaryKernel,
  binaryReference,
  eraseKernel,
  eraseReference,
  packBatchnorm,
  unaryKernel,
  unaryReference,
  type BinaryOp,
  type UnaryOp,
} from '../src/kernels/elementwise.js';
import { denseView, numel, packNhwc, roundUp, type Shape4, type TensorView, unpackNhwc } from '../src/kernels/layout.js';
import { expectClose, expectOutputWindow } from './support/compare.js';
import { runCall } from './support/gpu.js';
import { int, rng, uniform } from './support/random.js';

/** Random shapes with the awkward cases first: 1x1 spatial, N = 2, channels not a multiple of 4. */
function shapes(seed: number, count: number): Shape4[] {
  const r = rng(seed);
  const out: Shape4[] = [
    { n: 1, c: 1, h: 1, w: 1 },
    { n: 2, c: 3, h: 1, w: 1 },
    { n: 2, c: 26, h: 5, w: 7 },
    { n: 1, c: 8, h: 3, w: 3 },
  ];
  while (out.length < count) out.push({ n: int(r, 1, 2), c: int(r, 1, 41), h: int(r, 1, 17), w: int(r, 1, 17) });
  return out;
}

/** A view placed at a random channel window of a wider buffer, so strides and offsets are exercised. */
function randomView(s: Shape4, r: () => number): TensorView {
  const co = 4 * int(r, 0, 2);
  return { ...s, co, cs: co + roundUp(s.c, 4) + 4 * int(r, 0, 1) };
}

const outFloats = (v: TensorView) => v.n * v.h * v.w * v.cs;

describe('elementwise kernels vs float64 reference', () => {
  for (const op of ['copy', 'relu', 'sigmoid'] as UnaryOp[]) {
    it(`${op} on 24 shapes`, async () => {
      const r = rng(11);
      for (const [i, s] of shapes(100, 24).entries()) {
        const a = uniform(r, numel(s), -8, 8);
        const av = randomView(s, r);
        const yv = randomView(s, r);
        const out = (await runCall(unaryKernel(op, av, yv), { x: packNhwc(a, av) }, { y: outFloats(yv) })).y!;
        expectClose(unpackNhwc(out, yv), unaryReference(op, a), 1e-5, `${op} case ${i}`);
        expectOutputWindow(out, yv.cs, yv.co, s.c, `${op} case ${i}`);
      }
    });
  }

  for (const op of ['add', 'mul'] as BinaryOp[]) {
    it(`${op} on 24 shapes`, async () => {
      const r = rng(12);
      for (const [i, s] of shapes(200, 24).entries()) {
        const a = uniform(r, numel(s));
        const b = uniform(r, numel(s));
        const [av, bv, yv] = [randomView(s, r), randomView(s, r), randomView(s, r)];
        const out = (await runCall(binaryKernel(op, av, bv, yv), { x: packNhwc(a, av), other: packNhwc(b, bv) }, { y: outFloats(yv) })).y!;
        expectClose(unpackNhwc(out, yv), binaryReference(op, a, b), 1e-5, `${op} case ${i}`);
        expectOutputWindow(out, yv.cs, yv.co, s.c, `${op} case ${i}`);
      }
    });
  }

  it('batchnorm (inference) on 24 shapes', async () => {
    const r = rng(13);
    for (const [i, s] of shapes(300, 24).entries()) {
      const x = uniform(r, numel(s), -3, 3);
      const p = { weight: uniform(r, s.c, 0.2, 2), bias: uniform(r, s.c), mean: uniform(r, s.c), variance: uniform(r, s.c, 0.01, 4), eps: 1e-5 };
      const [xv, yv] = [randomView(s, r), randomView(s, r)];
      const out = (await runCall(batchnormKernel(xv, yv), { x: packNhwc(x, xv), table: packBatchnorm(p) }, { y: outFloats(yv) })).y!;
      expectClose(unpackNhwc(out, yv), batchnormReference(x, s, p), 1e-5, `batchnorm case ${i}`);
      expectOutputWindow(out, yv.cs, yv.co, s.c, `batchnorm case ${i}`);
    }
  });

  it('reverse-attention erase x * (1 - sigmoid(s)) on 24 shapes', async () => {
    const r = rng(14);
    for (const [i, s] of shapes(400, 24).entries()) {
      const ms: Shape4 = { ...s, c: 1 };
      const x = uniform(r, numel(s), -2, 2);
      const m = uniform(r, numel(ms), -6, 6);
      const [xv, mv, yv] = [randomView(s, r), randomView(ms, r), randomView(s, r)];
      const out = (await runCall(eraseKernel(xv, mv, yv), { x: packNhwc(x, xv), s: packNhwc(m, mv) }, { y: outFloats(yv) })).y!;
      expectClose(unpackNhwc(out, yv), eraseReference(x, m, s), 1e-5, `erase case ${i}`);
      expectOutputWindow(out, yv.cs, yv.co, s.c, `erase case ${i}`);
    }
  });

  it('rejects mismatched shapes with the shapes in the message', () => {
    const a = denseView({ n: 1, c: 4, h: 2, w: 2 });
    expect(() => binaryKernel('add', a, denseView({ n: 1, c: 4, h: 2, w: 3 }), a)).to.throw(/second input is 1x4x2x3, expected 1x4x2x2/);
    expect(() => eraseKernel(a, denseView({ n: 1, c: 2, h: 2, w: 2 }), a)).to.throw(/attention map is 1x2x2x2, expected 1x1x2x2/);
    expect(() => unaryKernel('relu', { ...a, co: 2 }, a)).to.throw(/not vec4-aligned/);
  });
});
