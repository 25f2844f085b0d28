// Elementwise ops: copy, relu, sigmoid, add, mul, inference batchnorm and the reverse-attention erase. Each op
// is one WGSL expression over v (the input's vec4 group) spliced into shaders/elementwise.wgsl.
import { expandVector } from './channel-groups.js';
import { DEFAULT_MAX_GROUPS, declareKernel, foldGroups, type KernelCall, kernelCall } from './kernel.js';
import { checkView, numel, roundUp, type Shape4, shapeText, type TensorView } from './layout.js';
import { defineOp, type NoAttrs, type OpDef } from './op.js';

export type UnaryOp = 'copy' | 'relu' | 'sigmoid';
export type BinaryOp = 'add' | 'mul';

const ELEMENTWISE = declareKernel({
  shader: 'elementwise',
  params: { count: 'u32', c4: 'u32', c: 'u32', groups_y: 'u32', x_cs4: 'u32', x_co4: 'u32', in2_cs4: 'u32', in2_co4: 'u32', y_cs4: 'u32', y_co4: 'u32' },
  bindings: {
    x: { role: 'input' },
    /** the other operand of add and mul */
    other: { role: 'input', optional: true },
    /** erase's one-channel attention map, broadcast over x's channels */
    s: { role: 'input', optional: true },
    /** batchnorm's per-channel scale then shift (packBatchnorm) */
    table: { role: 'constant', optional: true },
    y: { role: 'output' },
  },
});

type Second = 'other' | 's' | 'table';

/** Each op's expression, the extra binding it reads, and its work per value (flops, tensors touched). */
const OPS: Record<UnaryOp | BinaryOp | 'batchnorm' | 'erase', { expr: string; second?: Second; flops: number; tensors: number }> = {
  copy: { expr: 'v', flops: 1, tensors: 2 },
  relu: { expr: 'max(v, vec4f(0.0))', flops: 1, tensors: 2 },
  sigmoid: { expr: 'sigmoid(v)', flops: 4, tensors: 2 },
  add: { expr: 'v + other[i2 + g]', second: 'other', flops: 1, tensors: 3 },
  mul: { expr: 'v * other[i2 + g]', second: 'other', flops: 1, tensors: 3 },
  batchnorm: { expr: 'v * table[g] + table[p.c4 + g]', second: 'table', flops: 1, tensors: 2 },
  erase: { expr: 'v * (1.0 - sigmoid(vec4f(s[i2].x)))', second: 's', flops: 4, tensors: 2 },
};
const WG = 64;

const sameShape = (x: Shape4, y: Shape4) => x.n === y.n && x.c === y.c && x.h === y.h && x.w === y.w;

/** `in2` is the second input's view (add, mul, erase), absent for unary ops and batchnorm. */
function call(op: keyof typeof OPS, x: TensorView, y: TensorView, in2: TensorView | undefined, label: string, maxGroups: number): KernelCall {
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  if (in2) checkView(in2, `${label} second input`);
  if (!sameShape(x, y)) throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(x)}`);
  const { expr, second, flops, tensors } = OPS[op];
  const c4 = Math.ceil(x.c / 4);
  const count = x.n * x.h * x.w * c4;
  const { groups, groupsY } = foldGroups(1, Math.ceil(count / WG), maxGroups);
  return kernelCall(ELEMENTWISE, {
    label,
    groups,
    params: {
      count,
      c4,
      c: x.c,
      groups_y: groupsY,
      x_cs4: x.cs / 4,
      x_co4: x.co / 4,
      in2_cs4: in2 ? in2.cs / 4 : 0,
      in2_co4: in2 ? in2.co / 4 : 0,
      y_cs4: y.cs / 4,
      y_co4: y.co / 4,
    },
    use: second ? [second] : [],
    defines: { WG, EXPR: expr },
    flops: numel(x) * flops,
    bytes: 4 * numel(x) * tensors,
  });
}

export function unaryKernel(op: UnaryOp, x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  return call(op, x, y, undefined, `${op} ${shapeText(x)}`, maxGroups);
}

export function binaryKernel(op: BinaryOp, x: TensorView, other: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `${op} ${shapeText(x)}`;
  if (!sameShape(x, other)) throw new Error(`${label}: second input is ${shapeText(other)}, expected ${shapeText(x)}`);
  return call(op, x, y, other, label, maxGroups);
}

/** Reverse-attention erase: y = x * (1 - sigmoid(s)), s a one-channel map of x's size broadcast over channels. */
export function eraseKernel(x: TensorView, s: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `erase ${shapeText(x)}`;
  if (s.c !== 1 || s.n !== x.n || s.h !== x.h || s.w !== x.w) {
    throw new Error(`${label}: attention map is ${shapeText(s)}, expected ${x.n}x1x${x.h}x${x.w}`);
  }
  return call('erase', x, y, s, label, maxGroups);
}

/** Inference batchnorm; its per-channel scale and shift come in the constant `table` as packBatchnorm() lays them out. */
export function batchnormKernel(x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  return call('batchnorm', x, y, undefined, `batchnorm ${shapeText(x)}`, maxGroups);
}

export interface BatchnormParams {
  weight: ArrayLike<number>;
  bias: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  eps: number;
}

/** Per-channel scale k = weight / sqrt(var + eps) and shift s = bias - mean * k, computed in float64. */
export function batchnormScaleShift(p: BatchnormParams): { scale: Float64Array; shift: Float64Array } {
  const c = p.weight.length;
  for (const [name, v] of [
    ['bias', p.bias],
    ['running_mean', p.mean],
    ['running_var', p.variance],
  ] as const) {
    if (v.length !== c) throw new Error(`batchnorm ${name} has ${v.length} values, expected ${c}`);
  }
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let i = 0; i < c; i++) {
    if (!(p.variance[i]! + p.eps > 0)) throw new Error(`batchnorm channel ${i}: running_var + eps = ${p.variance[i]! + p.eps} is not positive`);
    scale[i] = p.weight[i]! / Math.sqrt(p.variance[i]! + p.eps);
    shift[i] = p.bias[i]! - p.mean[i]! * scale[i]!;
  }
  return { scale, shift };
}

/** Scale then shift, each padded to a multiple of 4 channels with zeros, as the batchnorm kernel reads them. */
export function packBatchnorm(p: BatchnormParams): Float32Array {
  const { scale, shift } = batchnormScaleShift(p);
  const cp = roundUp(scale.length, 4);
  const out = new Float32Array(2 * cp);
  out.set(scale, 0);
  out.set(shift, cp);
  return out;
}

// ---- float64 references on NCHW arrays ----

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** One float64 function per op: a table typed by the op names, so a new op without a reference does not compile. */
const UNARY: Record<UnaryOp, (v: number) => number> = { copy: (v) => v, relu: (v) => Math.max(0, v), sigmoid: sig };
const BINARY: Record<BinaryOp, (a: number, b: number) => number> = { add: (a, b) => a + b, mul: (a, b) => a * b };

export function unaryReference(op: UnaryOp, a: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, UNARY[op]);
}

export function binaryReference(op: BinaryOp, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const f = BINARY[op];
  return Float64Array.from(a, (v, i) => f(v, b[i]!));
}

export function eraseReference(x: ArrayLike<number>, s: ArrayLike<number>, shape: Shape4): Float64Array {
  const hw = shape.h * shape.w;
  return Float64Array.from(x, (v, i) => {
    const n = Math.floor(i / (shape.c * hw));
    return v * (1 - sig(s[n * hw + (i % hw)]!));
  });
}

export function batchnormReference(x: ArrayLike<number>, shape: Shape4, p: BatchnormParams): Float64Array {
  const hw = shape.h * shape.w;
  return Float64Array.from(x, (v, i) => {
    const c = Math.floor(i / hw) % shape.c;
    return ((v - p.mean[c]!) / Math.sqrt(p.variance[c]! + p.eps)) * p.weight[c]! + p.bias[c]!;
  });
}

// ---- the ops ----

const sameAsInput = (_: unknown, [x]: readonly Shape4[]): Shape4 => x!;

function unaryOp(op: UnaryOp): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name: op,
    writesWindow: true,
    channels: 'per-channel',
    shape: sameAsInput,
    reference: (_, [x]) => unaryReference(op, x!),
    kernel: (_, io, env) => ({ call: unaryKernel(op, io.inputs[0]!, io.output, env.maxGroups), constants: {} }),
  });
}

function binaryOp(op: BinaryOp): OpDef<NoAttrs> {
  return defineOp<NoAttrs>({
    name: op,
    writesWindow: true,
    channels: 'per-channel',
    shape(_, [a, b], label) {
      if (shapeText(a!) !== shapeText(b!)) throw new Error(`${label}: ${op} of ${shapeText(a!)} and ${shapeText(b!)}; shapes must be equal`);
      return a!;
    },
    reference: (_, [a, b]) => binaryReference(op, a!, b!),
    kernel: (_, io, env) => ({ call: binaryKernel(op, io.inputs[0]!, io.inputs[1]!, io.output, env.maxGroups), constants: {} }),
  });
}

export const copyOp = unaryOp('copy');
export const reluOp = unaryOp('relu');
export const sigmoidOp = unaryOp('sigmoid');
export const addOp = binaryOp('add');
export const mulOp = binaryOp('mul');

/** Inputs: the features x and a one-channel map s of x's size. */
export const eraseOp = defineOp<NoAttrs>({
  name: 'erase',
  writesWindow: true,
  channels: 'per-channel',
  shape(_, [x, s], label) {
    if (s!.c !== 1 || s!.n !== x!.n || s!.h !== x!.h || s!.w !== x!.w) {
      throw new Error(`${label}: attention map is ${shapeText(s!)}, expected ${x!.n}x1x${x!.h}x${x!.w} for features ${shapeText(x!)}`);
    }
    return x!;
  },
  reference: (_, [x, s], [xs]) => eraseReference(x!, s!, xs!),
  kernel: (_, io, env) => ({ call: eraseKernel(io.inputs[0]!, io.inputs[1]!, io.output, env.maxGroups), constants: {} }),
});

/** Padding channels of the storage get scale 0 and shift 0 (weight 0, mean 0, variance 1), so they stay zero. */
export const batchnormOp = defineOp<BatchnormParams>({
  name: 'batchnorm',
  writesWindow: true,
  channels: 'per-channel',
  shape(p, [x], label) {
    for (const [key, v] of Object.entries({ weight: p.weight, bias: p.bias, running_mean: p.mean, running_var: p.variance })) {
      if (v.length !== x!.c) throw new Error(`${label}: ${key} has ${v.length} values, expected ${x!.c} for input ${shapeText(x!)}`);
    }
    return x!;
  },
  reference: (p, [x], [xs]) => batchnormReference(x!, xs!, p),
  kernel(p, io, env) {
    const g = io.outputGroups;
    const f32 = (v: ArrayLike<number>) => Float32Array.from(v);
    const stored = {
      weight: expandVector(f32(p.weight), g, 0),
      bias: expandVector(f32(p.bias), g, 0),
      mean: expandVector(f32(p.mean), g, 0),
      variance: expandVector(f32(p.variance), g, 1),
      eps: p.eps,
    };
    return { call: batchnormKernel(io.inputs[0]!, io.output, env.maxGroups), constants: { table: packBatchnorm(stored) } };
  },
});
