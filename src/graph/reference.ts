// Runs a graph on the CPU in float64 with every kernel's reference: the independent answer the GPU
// executor is tested against (and a way to find which layer a mismatch starts in).
import { conv2dReference } from '../kernels/conv2d.js';
import { batchnormReference, binaryReference, eraseReference, unaryReference } from '../kernels/elementwise.js';
import { minmaxReference } from '../kernels/minmax.js';
import { poolReference } from '../kernels/pool.js';
import { resizeReference } from '../kernels/resize.js';
import type { Graph, TensorId } from './ir.js';

export function runReference(g: Graph, inputs: Record<string, ArrayLike<number>>): { outputs: Record<string, Float64Array>; values: Map<TensorId, Float64Array> } {
  const values = new Map<TensorId, Float64Array>();
  for (const [name, t] of g.inputs) {
    const data = inputs[name];
    if (!data) throw new Error(`missing graph input '${name}'`);
    values.set(t, Float64Array.from(data));
  }
  const get = (t: TensorId) => {
    const v = values.get(t);
    if (!v) throw new Error(`tensor ${t} is read before it is computed`);
    return v;
  };
  for (const n of g.nodes) {
    const [a, b] = n.inputs as [TensorId, TensorId];
    const s = g.shape(a);
    let out: Float64Array;
    switch (n.op) {
      case 'conv2d':
        out = conv2dReference(get(a), s, n.weights.weight, n.attrs, n.weights.bias, n.attrs.residual ? get(b) : undefined);
        break;
      case 'batchnorm': out = batchnormReference(get(a), s, n.params); break;
      case 'relu': case 'sigmoid': case 'copy': out = unaryReference(n.op, get(a)); break;
      case 'add': case 'mul': out = binaryReference(n.op, get(a), get(b)); break;
      case 'erase': out = eraseReference(get(a), get(b), s); break;
      case 'pool': out = poolReference(get(a), s, n.attrs); break;
      case 'resize': out = resizeReference(get(a), s, n.attrs); break;
      case 'minmax': out = minmaxReference(get(a), s); break;
      case 'slice': {
        const hw = s.h * s.w;
        const c = n.end - n.start;
        const src = get(a);
        out = new Float64Array(s.n * c * hw);
        for (let i = 0; i < s.n; i++) out.set(src.subarray((i * s.c + n.start) * hw, (i * s.c + n.end) * hw), i * c * hw);
        break;
      }
      case 'concat': {
        const os = g.shape(n.output);
        const hw = os.h * os.w;
        out = new Float64Array(os.n * os.c * hw);
        let co = 0;
        for (const part of n.inputs) {
          const ps = g.shape(part);
          const src = get(part);
          for (let i = 0; i < os.n; i++) out.set(src.subarray(i * ps.c * hw, (i + 1) * ps.c * hw), (i * os.c + co) * hw);
          co += ps.c;
        }
        break;
      }
    }
    values.set(n.output, out);
  }
  const outputs: Record<string, Float64Array> = {};
  for (const [name, t] of g.outputs) outputs[name] = get(t);
  return { outputs, values };
}
