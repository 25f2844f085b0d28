// Graph rewrites: fold inference batchnorm into the conv before it, then fuse a following residual add and
// ReLU into the conv's epilogue. Both keep the graph's results (up to float rounding) and shrink the work.
import { conv2dOp, type Conv2dOpAttrs } from '../kernels/conv2d.js';
import { addOp, batchnormOp, type BatchnormParams, batchnormScaleShift, reluOp } from '../kernels/elementwise.js';
import { type Graph, isOp, type Node } from './ir.js';
import { concatOp, sliceOp } from './view-ops.js';

function soleConvProducer(g: Graph, t: number): Node<Conv2dOpAttrs> | undefined {
  const p = g.tensors[t]!.producer;
  if (!isOp(p, conv2dOp) || g.isOutput(t) || g.consumers(t).length !== 1) return undefined;
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
    if (!isOp(bn, batchnormOp)) continue;
    const conv = soleConvProducer(g, bn.inputs[0]!);
    if (!conv || conv.attrs.relu || conv.attrs.residual) continue;
    let weights: { weight: Float32Array; bias: Float32Array };
    try {
      weights = foldConvBatchnorm(conv.attrs.weights.weight, conv.attrs.weights.bias, bn.attrs);
    } catch (e) {
      throw new Error(`${bn.name}: ${(e as Error).message}`, { cause: e }); // weights built in code have no file to name
    }
    conv.attrs = { ...conv.attrs, bias: true, weights };
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
    if (!isOp(add, addOp)) continue;
    // Prefer the addend computed last: the other one is then surely ready when the fused conv runs.
    const [a, b] = add.inputs as [number, number];
    const ia = g.nodes.indexOf(g.tensors[a]!.producer as Node);
    const ib = g.nodes.indexOf(g.tensors[b]!.producer as Node);
    const candidates =
      ia > ib
        ? [
            [a, b],
            [b, a],
          ]
        : [
            [b, a],
            [a, b],
          ];
    for (const [mine, other] of candidates as [number, number][]) {
      const conv = soleConvProducer(g, mine);
      if (!conv || conv.attrs.relu || conv.attrs.residual || mine === other) continue;
      conv.attrs = { ...conv.attrs, residual: true };
      conv.inputs = [conv.inputs[0]!, other];
      // The conv now runs where the add ran, after both addends exist.
      g.nodes = g.nodes.filter((n) => n !== conv);
      g.nodes.splice(g.nodes.indexOf(add), 1, conv as Node);
      g.replaceUses(add.output, conv.output);
      fused++;
      break;
    }
  }
  for (const relu of [...g.nodes]) {
    if (!isOp(relu, reluOp)) continue;
    const conv = soleConvProducer(g, relu.inputs[0]!);
    if (!conv || conv.attrs.relu) continue;
    conv.attrs = { ...conv.attrs, relu: true };
    g.nodes = g.nodes.filter((n) => n !== relu);
    g.replaceUses(relu.output, conv.output);
    fused++;
  }
  return fused;
}

/**
 * A conv read only through channel slices, whose last slice goes straight into a concat (Res2Net's last split
 * in blocks without pooling), becomes two convs: one for the channels before that slice, and one for the
 * slice itself, which then writes straight into its concat window instead of being copied there.
 */
export function splitConvsForConcat(g: Graph): number {
  let split = 0;
  for (const conv of [...g.nodes]) {
    if (!isOp(conv, conv2dOp) || conv.attrs.residual || g.isOutput(conv.output)) continue;
    const readers = g.consumers(conv.output);
    if (!readers.every((n) => isOp(n, sliceOp))) continue;
    const slices = readers as Node<{ start: number; end: number }>[];
    const c = g.shape(conv.output).c;
    const tail = slices.find((n) => {
      const next = g.consumers(n.output);
      return n.attrs.end === c && n.attrs.start > 0 && !g.isOutput(n.output) && next.length === 1 && isOp(next[0], concatOp);
    });
    if (!tail || slices.some((n) => n !== tail && n.attrs.end > tail.attrs.start)) continue;
    const rows = (from: number, to: number) => {
      const { weight, bias } = conv.attrs.weights;
      const per = weight.length / c;
      return { weight: weight.slice(from * per, to * per), ...(bias ? { bias: bias.slice(from, to) } : {}) };
    };
    const at = tail.attrs.start;
    const head = g.insertAfter(conv, conv2dOp, conv.name, conv.inputs, { ...conv.attrs, cout: at, weights: rows(0, at) });
    const last = g.insertAfter(g.tensors[head]!.producer!, conv2dOp, `${conv.name}.last`, conv.inputs, { ...conv.attrs, cout: c - at, weights: rows(at, c) });
    g.replaceUses(tail.output, last);
    g.replaceUses(conv.output, head);
    g.nodes = g.nodes.filter((n) => n !== conv && n !== tail);
    split++;
  }
  return split;
}

export function optimize(g: Graph): { folded: number; fused: number; split: number } {
  return { folded: foldBatchnorm(g), fused: fuseEpilogues(g), split: splitConvsForConcat(g) };
}
