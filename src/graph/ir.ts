// The graph IR: tensors with static NCHW shapes and the ops that produce them, in execution order.
// Builders infer shapes as they go and fail with the op's name and the shapes involved.
import { type Conv2dAttrs, conv2dShape } from '../kernels/conv2d.js';
import type { BatchnormParams } from '../kernels/elementwise.js';
import { type Shape4, shapeText } from '../kernels/layout.js';
import { type PoolAttrs, poolShape } from '../kernels/pool.js';
import { type ResizeAttrs, resizeShape } from '../kernels/resize.js';

export type TensorId = number;

export interface ConvWeights {
  /** OIHW */
  weight: Float32Array;
  bias?: Float32Array;
}

export type NodeSpec =
  | { op: 'conv2d'; attrs: Conv2dAttrs; weights: ConvWeights }
  | { op: 'batchnorm'; params: BatchnormParams }
  | { op: 'relu' | 'sigmoid' | 'copy' | 'minmax' }
  | { op: 'add' | 'mul' }
  | { op: 'pool'; attrs: PoolAttrs }
  | { op: 'resize'; attrs: ResizeAttrs }
  | { op: 'erase' }
  | { op: 'concat' }
  | { op: 'slice'; start: number; end: number };

export type OpName = NodeSpec['op'];

export type Node = NodeSpec & {
  name: string;
  inputs: TensorId[];
  output: TensorId;
};

export interface TensorInfo {
  id: TensorId;
  shape: Shape4;
  /** the node that computes it; undefined for graph inputs */
  producer?: Node;
}

export class Graph {
  readonly tensors: TensorInfo[] = [];
  nodes: Node[] = [];
  readonly inputs = new Map<string, TensorId>();
  readonly outputs = new Map<string, TensorId>();

  shape(t: TensorId): Shape4 {
    const info = this.tensors[t];
    if (!info) throw new Error(`tensor ${t} does not exist`);
    return info.shape;
  }

  input(name: string, shape: Shape4): TensorId {
    if (this.inputs.has(name)) throw new Error(`graph input '${name}' defined twice`);
    const id = this.newTensor(shape);
    this.inputs.set(name, id);
    return id;
  }

  output(name: string, t: TensorId): void {
    if (this.outputs.has(name)) throw new Error(`graph output '${name}' defined twice`);
    this.shape(t);
    this.outputs.set(name, t);
  }

  conv2d(name: string, x: TensorId, attrs: Conv2dAttrs, weights: ConvWeights): TensorId {
    const xs = this.shape(x);
    const expected = attrs.cout * xs.c * attrs.kh * attrs.kw;
    if (weights.weight.length !== expected) {
      throw new Error(`${name}: weight has ${weights.weight.length} values, expected [${attrs.cout}, ${xs.c}, ${attrs.kh}, ${attrs.kw}] for input ${shapeText(xs)}`);
    }
    if (weights.bias && weights.bias.length !== attrs.cout) throw new Error(`${name}: bias has ${weights.bias.length} values, expected ${attrs.cout}`);
    if (attrs.bias !== Boolean(weights.bias)) throw new Error(`${name}: attrs.bias is ${attrs.bias} but a bias is ${weights.bias ? '' : 'not '}given`);
    if (attrs.residual) throw new Error(`${name}: residual adds are fused by the epilogue pass, not built directly`);
    return this.add_({ op: 'conv2d', attrs, weights }, name, [x], conv2dShape(xs, attrs, name));
  }

  batchnorm(name: string, x: TensorId, params: BatchnormParams): TensorId {
    const c = this.shape(x).c;
    for (const [key, v] of Object.entries({ weight: params.weight, bias: params.bias, running_mean: params.mean, running_var: params.variance })) {
      if (v.length !== c) throw new Error(`${name}: ${key} has ${v.length} values, expected ${c} for input ${shapeText(this.shape(x))}`);
    }
    return this.add_({ op: 'batchnorm', params }, name, [x], this.shape(x));
  }

  unary(op: 'relu' | 'sigmoid' | 'copy' | 'minmax', name: string, x: TensorId): TensorId {
    return this.add_({ op }, name, [x], this.shape(x));
  }

  binary(op: 'add' | 'mul', name: string, a: TensorId, b: TensorId): TensorId {
    const [as, bs] = [this.shape(a), this.shape(b)];
    if (shapeText(as) !== shapeText(bs)) throw new Error(`${name}: ${op} of ${shapeText(as)} and ${shapeText(bs)}; shapes must be equal`);
    return this.add_({ op }, name, [a, b], as);
  }

  pool(name: string, x: TensorId, attrs: PoolAttrs): TensorId {
    return this.add_({ op: 'pool', attrs }, name, [x], poolShape(this.shape(x), attrs, name));
  }

  resize(name: string, x: TensorId, attrs: ResizeAttrs): TensorId {
    return this.add_({ op: 'resize', attrs }, name, [x], resizeShape(this.shape(x), attrs, name));
  }

  /** y = x * (1 - sigmoid(s)), s one channel of x's size. */
  erase(name: string, x: TensorId, s: TensorId): TensorId {
    const [xs, ss] = [this.shape(x), this.shape(s)];
    if (ss.c !== 1 || ss.n !== xs.n || ss.h !== xs.h || ss.w !== xs.w) {
      throw new Error(`${name}: attention map is ${shapeText(ss)}, expected ${xs.n}x1x${xs.h}x${xs.w} for features ${shapeText(xs)}`);
    }
    return this.add_({ op: 'erase' }, name, [x, s], xs);
  }

  concat(name: string, parts: TensorId[]): TensorId {
    if (parts.length === 0) throw new Error(`${name}: concat of nothing`);
    const first = this.shape(parts[0]!);
    let c = 0;
    for (const [i, p] of parts.entries()) {
      const s = this.shape(p);
      if (s.n !== first.n || s.h !== first.h || s.w !== first.w) {
        throw new Error(`${name}: concat input ${i} is ${shapeText(s)}, expected ${first.n}xCx${first.h}x${first.w}`);
      }
      if (i < parts.length - 1 && s.c % 4 !== 0) {
        throw new Error(`${name}: concat input ${i} has ${s.c} channels; all but the last need a multiple of 4 (vec4 channel windows)`);
      }
      c += s.c;
    }
    return this.add_({ op: 'concat' }, name, parts, { ...first, c });
  }

  /** Channels [start, end) of x, as a view (no copy). start must be a multiple of 4. */
  slice(name: string, x: TensorId, start: number, end: number): TensorId {
    const s = this.shape(x);
    if (start % 4 !== 0 || start < 0 || end <= start || end > s.c) {
      throw new Error(`${name}: channel slice [${start}, ${end}) of ${shapeText(s)} must be non-empty, inside, and start at a multiple of 4`);
    }
    return this.add_({ op: 'slice', start, end }, name, [x], { ...s, c: end - start });
  }

  /** Nodes that read tensor t. */
  consumers(t: TensorId): Node[] {
    return this.nodes.filter((n) => n.inputs.includes(t));
  }

  isOutput(t: TensorId): boolean {
    return [...this.outputs.values()].includes(t);
  }

  /** Redirects every reader of `from` (nodes and graph outputs) to `to`. */
  replaceUses(from: TensorId, to: TensorId): void {
    for (const n of this.nodes) n.inputs = n.inputs.map((t) => (t === from ? to : t));
    for (const [k, t] of this.outputs) if (t === from) this.outputs.set(k, to);
  }

  private newTensor(shape: Shape4, producer?: Node): TensorId {
    const id = this.tensors.length;
    this.tensors.push({ id, shape, producer });
    return id;
  }

  private add_(spec: NodeSpec, name: string, inputs: TensorId[], shape: Shape4): TensorId {
    const node = { ...spec, name, inputs, output: -1 } as Node;
    node.output = this.newTensor(shape, node);
    this.nodes.push(node);
    return node.output;
  }
}
