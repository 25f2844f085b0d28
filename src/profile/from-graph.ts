// A compiled graph's steps joined with the profiler's per-dispatch times: node name, op type and shapes.
import type { ProfileResult } from '../gpu/profiler.js';
import type { CompiledGraph } from '../graph/executor.js';
import type { Node } from '../graph/ir.js';
import { shapeText } from '../kernels/layout.js';
import type { TimedDispatch } from './kernel-profile.js';

/** "conv2d 3x3" (kernel size tells convs apart), "maxpool 3x3", or the op's name. */
export const opType = (node: Node): string => node.op.kind?.(node.attrs) ?? node.op.name;

export function timedDispatches(compiled: CompiledGraph, result: ProfileResult): TimedDispatch[] {
  const { steps, plan } = compiled;
  if (result.times.length !== steps.length) throw new Error(`profile has ${result.times.length} dispatch times for ${steps.length} graph steps`);
  const shape = (t: number) => {
    const placed = plan.views.get(t);
    if (!placed) throw new Error(`tensor ${t} has no memory plan`);
    return shapeText(placed.view);
  };
  return steps.map(({ node, call }, i) => {
    const time = result.times[i]!;
    if (time.label !== call.label) throw new Error(`profile time ${i} is for '${time.label}', expected '${call.label}'`);
    return {
      name: node.name,
      op: opType(node),
      shapes: `${node.inputs.map(shape).join(', ')} -> ${shape(node.output)}`,
      ms: time.ms,
      flops: call.flops,
      bytes: call.bytes,
    };
  });
}
