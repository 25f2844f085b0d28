// Elementwise ops: copy, relu, sigmoid, add, mul, inference batchnorm and the reverse-attention erase.
import { DEFAULT_MAX_GROUPS, foldGroups, type KernelCall, ParamWriter } from './kernel.js';
import { checkView, numel, roundUp, type Shape4, shapeText, type TensorView } from './layout.js';
import { specialize } from './template.js';

export type UnaryOp = 'copy' | 'relu' | 'sigmoid';
export type BinaryOp = 'add' | 'mul';
const OP_CODE = { copy: 0, relu: 1, sigmoid: 2, add: 3, mul: 4, batchnorm: 5, erase: 6 } as const;
type OpName = keyof typeof OP_CODE;
const WG = 64;

const sameShape = (x: Shape4, y: Shape4) => x.n === y.n && x.c === y.c && x.h === y.h && x.w === y.w;

/** `b` is a second tensor view, 'table' for batchnorm's per-channel parameters, or absent. */
function call(op: OpName, a: TensorView, y: TensorView, second: TensorView | 'table' | undefined, label: string, maxGroups: number): KernelCall {
  checkView(a, `${label} input`);
  checkView(y, `${label} output`);
  const b = typeof second === 'object' ? second : undefined;
  if (b) checkView(b, `${label} second input`);
  if (!sameShape(a, y)) throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(a)}`);
  const c4 = Math.ceil(a.c / 4);
  const count = a.n * a.h * a.w * c4;
  const { groups, groupsY } = foldGroups(1, Math.ceil(count / WG), maxGroups);
  const params = new ParamWriter()
    .u32(count, c4, a.c, groupsY)
    .u32(a.cs / 4, a.co / 4, b ? b.cs / 4 : 0, b ? b.co / 4 : 0)
    .u32(y.cs / 4, y.co / 4, 0, 0)
    .finish();
  const slots: Record<string, number> = { a: 1, y: 3 };
  if (second) slots.b = 2;
  return {
    label, params, groups, slots,
    code: specialize('elementwise', { OP: OP_CODE[op], HAS_B: second !== undefined, WG }),
    flops: numel(a) * (op === 'erase' || op === 'sigmoid' ? 4 : 1),
    bytes: 4 * numel(a) * (op === 'add' || op === 'mul' ? 3 : 2),
  };
}

export function unaryKernel(op: UnaryOp, a: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  return call(op, a, y, undefined, `${op} ${shapeText(a)}`, maxGroups);
}

export function binaryKernel(op: BinaryOp, a: TensorView, b: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `${op} ${shapeText(a)}`;
  if (!sameShape(a, b)) throw new Error(`${label}: second input is ${shapeText(b)}, expected ${shapeText(a)}`);
  return call(op, a, y, b, label, maxGroups);
}

/** Reverse-attention erase: y = x * (1 - sigmoid(s)), s a one-channel map of x's size broadcast over channels. */
export function eraseKernel(x: TensorView, s: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `erase ${shapeText(x)}`;
  if (s.c !== 1 || s.n !== x.n || s.h !== x.h || s.w !== x.w) {
    throw new Error(`${label}: attention map is ${shapeText(s)}, expected ${x.n}x1x${x.h}x${x.w}`);
  }
  return call('erase', x, y, s, label, maxGroups);
}

/** Inference batchnorm; its per-channel scale and shift come in slot b as packBatchnorm() lays them out. */
export function batchnormKernel(x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  return call('batchnorm', x, y, 'table', `batchnorm ${shapeText(x)}`, maxGroups);
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
  for (const [name, v] of [['bias', p.bias], ['running_mean', p.mean], ['running_var', p.variance]] as const) {
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

export function unaryReference(op: UnaryOp, a: ArrayLike<number>): Float64Array {
  const f = op === 'relu' ? (v: number) => Math.max(0, v) : op === 'sigmoid' ? sig : (v: number) => v;
  return Float64Array.from(a, f);
}

export function binaryReference(op: BinaryOp, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v, i) => (op === 'add' ? v + b[i]! : v * b[i]!));
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
