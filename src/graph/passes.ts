// Graph rewrites: fold inference batchnorm into the conv before it, then fuse a following residual add and
// ReLU into the conv's epilogue. Both keep the graph's results (up to float rounding) and shrink the work.
import { type BatchnormParams, batchnormScaleShift } from '../kernels/elementwise.js';
import type { Graph, Node } from './ir.js';

type ConvNode = Extract<Node, { op: 'conv2d' }>;

function soleConvProducer(g: Graph, t: number): ConvNode | undefined {
  const p = g.tensors[t]!.producer;
  if (!p || p.op !== 'conv2d' || g.isOutput(t) || g.consumers(t).length !== 1) return undefined;
  return p;
}

/** W' = W * k and b' = b * k + s per output channel, with k and s from the running statistics (in float64). */
export function foldConvBatchnorm(weight: Float32Array, bias: Float32Array | undefined, params: BatchnormParams): { weight: Float32Array; bias: Float32Array } {
  const { scale, shift } = batchnormScaleShift(params);
  const per = weight.length / scale.length;
  const w = new Float32Array(weight.length);
  for (let i = 0; i < weight.length; i++) w[i] = weight[i]! * scale[Math.floor(i / per)]!;
  const b = new Float32Array(scale.length);
  for (let o = 0; o < scale.length; o++) b[o] = (bias ? bias[o]! : 0) * scale[o]! + shift[o]!;
  return { weight: w, bias: b };
}

/** conv -> batchnorm becomes one conv with the batchnorm folded in. */
export function foldBatchnorm(g: Graph): number {
  let folded = 0;
  for (const bn of [...g.nodes]) {
    if (bn.op !== 'batchnorm') continue;
    const conv = soleConvProducer(g, bn.inputs[0]!);
    if (!conv || conv.attrs.relu || conv.attrs.residual) continue;
    conv.weights = foldConvBatchnorm(conv.weights.weight, conv.weights.bias, bn.params);
    conv.attrs = { ...conv.attrs, bias: true };
    g.nodes = g.nodes.filter((n) => n !== bn);
    g.replaceUses(bn.output, conv.output);
    folded++;
  }
  return folded;
}

/** conv (+ residual add) (+ relu) becomes one conv with that epilogue. */
export function fuseEpilogues(g: Graph): number {
  let fused = 0;
  for (const add of [...g.nodes]) {
    if (add.op !== 'add') continue;
    // Prefer the addend computed last: the other one is then surely ready when the fused conv runs.
    const [a, b] = add.inputs as [number, number];
    const ia = g.nodes.indexOf(g.tensors[a]!.producer as Node);
    const ib = g.nodes.indexOf(g.tensors[b]!.producer as Node);
    const candidates = ia > ib ? [[a, b], [b, a]] : [[b, a], [a, b]];
    for (const [mine, other] of candidates as [number, number][]) {
      const conv = soleConvProducer(g, mine);
      if (!conv || conv.attrs.relu || conv.attrs.residual || mine === other) continue;
      conv.attrs = { ...conv.attrs, residual: true };
      conv.inputs = [conv.inputs[0]!, other];
      // The conv now runs where the add ran, after both addends exist.
      g.nodes = g.nodes.filter((n) => n !== conv);
      g.nodes.splice(g.nodes.indexOf(add), 1, conv);
      g.replaceUses(add.output, conv.output);
      fused++;
      break;
    }
  }
  for (const relu of [...g.nodes]) {
    if (relu.op !== 'relu') continue;
    const conv = soleConvProducer(g, relu.inputs[0]!);
    if (!conv || conv.attrs.relu) continue;
    conv.attrs = { ...conv.attrs, relu: true };
    g.nodes = g.nodes.filter((n) => n !== relu);
    g.replaceUses(relu.output, conv.output);
    fused++;
  }
  return fused;
}

export function optimize(g: Graph): { folded: number; fused: number } {
  return { folded: foldBatchnorm(g), fused: fuseEpilogues(g) };
}
