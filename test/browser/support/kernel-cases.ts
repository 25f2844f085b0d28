// Kernel calls with seeded random inputs on awkward shapes (odd sizes, channel counts not a multiple of 4,
// 1x1 spatial, N = 2, channel windows of wider buffers), small enough for the software adapter. Each case
// names the output view, so only the channels the kernel owns are compared.
import {
  conv2dAttrs,
  conv2dKernel,
  conv2dShape,
  type Conv2dAttrs,
  type ConvTiling,
  type ConvWeightStorage,
  packConv2dBias,
  withBias,
  packConv2dWeights,
  packConv2dWeightsF16,
} from '../../../src/kernels/conv2d.js';
import { chooseTiling, DEFAULT_TILING_POLICY } from '../../../src/kernels/tiling-policy.js';
import { batchnormKernel, binaryKernel, eraseKernel, packBatchnorm, unaryKernel, type BinaryOp, type UnaryOp } from '../../../src/kernels/elementwise.js';
import type { KernelCall } from '../../../src/kernels/kernel.js';
import { numel, packNhwc, roundUp, type Shape4, shapeText, type TensorView } from '../../../src/kernels/layout.js';
import { minmaxKernel } from '../../../src/kernels/minmax.js';
import { sigmoidThresholdKernel } from '../../../src/kernels/sigmoid-threshold.js';
import { poolAttrs, poolKernel, poolShape, type PoolAttrs } from '../../../src/kernels/pool.js';
import { resizeByScale, resizeKernel, resizeShape, resizeTable, type ResizeAttrs } from '../../../src/kernels/resize.js';
import { int, rng, toF16Values, uniform } from '../../support/random.js';

export interface KernelCase {
  name: string;
  call: KernelCall;
  inputs: Record<string, Float32Array>;
  /** the output slot 'y' with its float count, and the view of it the kernel writes */
  yFloats: number;
  y: TensorView;
}

const floats = (v: TensorView) => v.n * v.h * v.w * v.cs;

/** A view at a random channel window of a wider buffer. */
function windowed(s: Shape4, r: () => number): TensorView {
  const co = 4 * int(r, 0, 1);
  return { ...s, co, cs: co + roundUp(s.c, 4) + 4 * int(r, 0, 1) };
}

function conv(xs: Shape4, a: Conv2dAttrs, seed: number, tiling?: ConvTiling, weights: ConvWeightStorage = 'f32'): KernelCase {
  const r = rng(seed);
  const ys = conv2dShape(xs, a);
  const [xv, yv] = [windowed(xs, r), windowed(ys, r)];
  // Subgroup weight sharing as both hosts run it by default; a tiling for subgroups of 4 is right on any
  // device whose subgroups hold at least 4 invocations (SwiftShader: 4, lavapipe: 8).
  const t = tiling ?? chooseTiling(DEFAULT_TILING_POLICY, ys.n * ys.h * ys.w, a.cout, 4);
  const rv = windowed(ys, r);
  const x = packNhwc(uniform(r, numel(xs)), xv);
  const w =
    weights === 'f16'
      ? new Float32Array(packConv2dWeightsF16(toF16Values(uniform(r, a.cout * xs.c * a.kh * a.kw)), a.cout, xs.c, a.kh, a.kw, t.tn).buffer)
      : packConv2dWeights(uniform(r, a.cout * xs.c * a.kh * a.kw), a.cout, xs.c, a.kh, a.kw, t.tn);
  const inputs: Record<string, Float32Array> = { x, w: withBias(w, a.bias ? packConv2dBias(uniform(r, a.cout), a.cout, t.tn) : undefined) };
  if (a.residual) inputs.res = packNhwc(uniform(r, numel(ys)), rv);
  const call = conv2dKernel(a, xv, yv, t, { ...(a.residual ? { res: rv } : {}), weights });
  const name =
    `conv ${a.kh}x${a.kw} s${a.strideY},${a.strideX} d${a.dilY},${a.dilX} pad ${a.padT},${a.padB},${a.padL},${a.padR}` +
    `${a.bias ? ' +bias' : ''}${a.residual ? ' +res' : ''}${a.relu ? ' relu' : ''} ${shapeText(xs)} -> ${shapeText(ys)} tiling ${t.tm}/${t.tn}/${t.wgx}/${t.wgy}${t.subgroup ? ` subgroup ${t.subgroup}` : ''}${weights === 'f16' ? ' f16 weights' : ''}`;
  return { name, call, inputs, yFloats: floats(yv), y: yv };
}

function pool(xs: Shape4, a: PoolAttrs, seed: number): KernelCase {
  const r = rng(seed);
  const [xv, yv] = [windowed(xs, r), windowed(poolShape(xs, a), r)];
  const name = `${a.kind}pool ${a.kh}x${a.kw} s${a.strideY} p${a.padY}${a.ceilMode ? ' ceil' : ''}${a.countIncludePad ? '' : ' no-pad-count'} ${shapeText(xs)}`;
  return { name, call: poolKernel(a, xv, yv), inputs: { x: packNhwc(uniform(r, numel(xs), -4, 4), xv) }, yFloats: floats(yv), y: yv };
}

function resize(xs: Shape4, a: ResizeAttrs, seed: number): KernelCase {
  const r = rng(seed);
  const [xv, yv] = [windowed(xs, r), windowed(resizeShape(xs, a), r)];
  const inputs = { x: packNhwc(uniform(r, numel(xs), -2, 2), xv), taps: new Float32Array(resizeTable(xs, a).buffer) };
  const name = `resize ${shapeText(xs)} -> ${a.outH}x${a.outW} ${a.alignCorners ? 'align_corners' : 'half-pixel'}${a.scaleFactor ? ` scale ${a.scaleFactor}` : ''}`;
  return { name, call: resizeKernel(a, xv, yv), inputs, yFloats: floats(yv), y: yv };
}

function unary(op: UnaryOp, s: Shape4, seed: number): KernelCase {
  const r = rng(seed);
  const [av, yv] = [windowed(s, r), windowed(s, r)];
  return { name: `${op} ${shapeText(s)}`, call: unaryKernel(op, av, yv), inputs: { x: packNhwc(uniform(r, numel(s), -8, 8), av) }, yFloats: floats(yv), y: yv };
}

function binary(op: BinaryOp, s: Shape4, seed: number): KernelCase {
  const r = rng(seed);
  const [av, bv, yv] = [windowed(s, r), windowed(s, r), windowed(s, r)];
  const inputs = { x: packNhwc(uniform(r, numel(s)), av), other: packNhwc(uniform(r, numel(s)), bv) };
  return { name: `${op} ${shapeText(s)}`, call: binaryKernel(op, av, bv, yv), inputs, yFloats: floats(yv), y: yv };
}

function batchnorm(s: Shape4, seed: number): KernelCase {
  const r = rng(seed);
  const [xv, yv] = [windowed(s, r), windowed(s, r)];
  const p = { weight: uniform(r, s.c, 0.2, 2), bias: uniform(r, s.c), mean: uniform(r, s.c), variance: uniform(r, s.c, 0.01, 4), eps: 1e-5 };
  return {
    name: `batchnorm ${shapeText(s)}`,
    call: batchnormKernel(xv, yv),
    inputs: { x: packNhwc(uniform(r, numel(s), -3, 3), xv), table: packBatchnorm(p) },
    yFloats: floats(yv),
    y: yv,
  };
}

function erase(s: Shape4, seed: number): KernelCase {
  const r = rng(seed);
  const ms = { ...s, c: 1 };
  const [xv, mv, yv] = [windowed(s, r), windowed(ms, r), windowed(s, r)];
  const inputs = { x: packNhwc(uniform(r, numel(s), -2, 2), xv), s: packNhwc(uniform(r, numel(ms), -6, 6), mv) };
  return { name: `erase ${shapeText(s)}`, call: eraseKernel(xv, mv, yv), inputs, yFloats: floats(yv), y: yv };
}

function minmax(s: Shape4, seed: number): KernelCase {
  const r = rng(seed);
  const [xv, yv] = [windowed(s, r), windowed(s, r)];
  return { name: `minmax ${shapeText(s)}`, call: minmaxKernel(xv, yv), inputs: { x: packNhwc(uniform(r, numel(s), -5, 7), xv) }, yFloats: floats(yv), y: yv };
}

function sigmoidThreshold(s: Shape4, threshold: number, seed: number): KernelCase {
  const r = rng(seed);
  const [xv, yv] = [windowed(s, r), windowed(s, r)];
  // Logits on a grid that keeps clear of logit(threshold), where float32 rounding could decide either way.
  const x = Float32Array.from({ length: numel(s) }, () => Math.round(16 * uniform(r, 1, -5, 5)[0]!) / 16 + 1 / 32);
  return {
    name: `sigmoid >= ${threshold} ${shapeText(s)}`,
    call: sigmoidThresholdKernel({ threshold }, xv, yv),
    inputs: { x: packNhwc(x, xv) },
    yFloats: floats(yv),
    y: yv,
  };
}

export function kernelCases(): KernelCase[] {
  return [
    conv({ n: 1, c: 3, h: 17, w: 13 }, conv2dAttrs(8, 3, 3, { stride: 2, pad: 1, bias: true, relu: true }), 1),
    conv({ n: 2, c: 26, h: 7, w: 5 }, conv2dAttrs(26, 3, 3, { pad: 1, bias: true, relu: true }), 2),
    conv({ n: 1, c: 13, h: 6, w: 5 }, conv2dAttrs(13, 1, 3, { padL: 1, padR: 1 }), 3),
    conv({ n: 1, c: 8, h: 9, w: 7 }, conv2dAttrs(7, 5, 1, { padT: 2, padB: 2, bias: true }), 4),
    conv({ n: 1, c: 5, h: 8, w: 8 }, conv2dAttrs(6, 1, 7, { padL: 3, padR: 3 }), 5),
    conv({ n: 1, c: 9, h: 10, w: 10 }, conv2dAttrs(9, 3, 3, { pad: 3, dil: 3 }), 6),
    conv({ n: 1, c: 6, h: 1, w: 1 }, conv2dAttrs(5, 3, 3, { pad: 1, residual: true, relu: true }), 7),
    conv({ n: 2, c: 37, h: 1, w: 1 }, conv2dAttrs(1, 1, 1, { bias: true }), 8),
    conv({ n: 1, c: 4, h: 9, w: 9 }, conv2dAttrs(4, 3, 3, { stride: 2, padT: 0, padB: 2, padL: 1, padR: 0 }), 9),
    conv({ n: 1, c: 7, h: 5, w: 5 }, conv2dAttrs(3, 7, 7, { pad: 3, residual: true }), 10),
    conv(
      { n: 2, c: 11, h: 7, w: 9 },
      conv2dAttrs(19, 3, 3, { strideY: 2, strideX: 1, dilY: 1, dilX: 2, padT: 1, padB: 1, padL: 2, padR: 2, bias: true, relu: true }),
      11,
      { tm: 1, tn: 4, wgx: 2, wgy: 8 },
    ),
    conv({ n: 1, c: 12, h: 11, w: 11 }, conv2dAttrs(7, 5, 5, { pad: 2, bias: true }), 12, { tm: 4, tn: 1, wgx: 4, wgy: 4, lanes: 'channels' }),
    conv({ n: 2, c: 26, h: 7, w: 5 }, conv2dAttrs(26, 3, 3, { pad: 1, bias: true, relu: true }), 13, undefined, 'f16'),
    conv({ n: 1, c: 10, h: 6, w: 7 }, conv2dAttrs(9, 1, 1, { residual: true }), 14, undefined, 'f16'),
    conv({ n: 1, c: 12, h: 11, w: 11 }, conv2dAttrs(7, 5, 5, { pad: 2, bias: true }), 15, { tm: 2, tn: 1, wgx: 4, wgy: 4, lanes: 'shared' }, 'f16'),
    pool({ n: 1, c: 19, h: 11, w: 11 }, poolAttrs('max', 3, 2, 1), 20),
    pool({ n: 2, c: 26, h: 5, w: 5 }, poolAttrs('avg', 3, 1, 1), 21),
    pool({ n: 1, c: 13, h: 7, w: 5 }, poolAttrs('avg', 2, 2, 0, { ceilMode: true, countIncludePad: false }), 22),
    pool({ n: 1, c: 5, h: 1, w: 1 }, poolAttrs('max', 1, 1, 0), 23),
    resize({ n: 1, c: 5, h: 11, w: 11 }, resizeByScale({ n: 1, c: 5, h: 11, w: 11 }, 2, true), 30),
    resize({ n: 2, c: 3, h: 7, w: 5 }, { outH: 13, outW: 17, alignCorners: false }, 31),
    resize({ n: 1, c: 2, h: 1, w: 1 }, { outH: 4, outW: 3, alignCorners: true }, 32),
    resize({ n: 1, c: 1, h: 3, w: 3 }, resizeByScale({ n: 1, c: 1, h: 3, w: 3 }, 8, false), 33),
    resize({ n: 1, c: 6, h: 12, w: 12 }, resizeByScale({ n: 1, c: 6, h: 12, w: 12 }, 0.25, false), 34),
    resize({ n: 1, c: 1, h: 9, w: 7 }, { outH: 5, outW: 11, alignCorners: true }, 35),
    unary('copy', { n: 2, c: 3, h: 1, w: 1 }, 40),
    unary('relu', { n: 1, c: 26, h: 5, w: 7 }, 41),
    unary('sigmoid', { n: 2, c: 9, h: 3, w: 5 }, 42),
    binary('add', { n: 2, c: 26, h: 5, w: 7 }, 43),
    binary('mul', { n: 1, c: 1, h: 1, w: 1 }, 44),
    batchnorm({ n: 2, c: 13, h: 3, w: 3 }, 45),
    erase({ n: 2, c: 26, h: 5, w: 7 }, 46),
    erase({ n: 1, c: 3, h: 1, w: 1 }, 47),
    minmax({ n: 1, c: 1, h: 13, w: 17 }, 50),
    minmax({ n: 2, c: 3, h: 5, w: 3 }, 51),
    sigmoidThreshold({ n: 1, c: 1, h: 13, w: 17 }, 0.5, 60),
    sigmoidThreshold({ n: 2, c: 6, h: 1, w: 1 }, 0.3, 61),
  ];
}
