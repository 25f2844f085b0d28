// Runs a graph on the CPU in float64 with every op's reference: the independent answer the GPU executor is
// tested against (and a way to find which layer a mismatch starts in).
import type { Graph, TensorId } from './ir.js';

export function runReference(
  g: Graph,
  inputs: Record<string, ArrayLike<number>>,
): { outputs: Record<string, Float64Array>; values: Map<TensorId, Float64Array> } {
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
    values.set(
      n.output,
      n.op.reference(
        n.attrs,
        n.inputs.map(get),
        n.inputs.map((t) => g.shape(t)),
      ),
    );
  }
  const outputs: Record<string, Float64Array> = {};
  for (const [name, t] of g.outputs) outputs[name] = get(t);
  return { outputs, values };
}
