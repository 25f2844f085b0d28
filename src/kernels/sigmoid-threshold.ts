// Sigmoid-threshold: a binary mask (1 where sigmoid(x) >= threshold, else 0) straight from logits, so a
// presence decision can be made on the GPU without reading the probabilities back. Written as the example
// of docs/adding-an-op.md: declaration, kernel call, float64 reference and op definition in one module.
import { DEFAULT_MAX_GROUPS, declareKernel, foldGroups, type KernelCall, kernelCall } from './kernel.js';
import { checkView, numel, shapeText, type TensorView } from './layout.js';
import { defineOp } from './op.js';

export interface SigmoidThresholdAttrs {
  /** probability threshold in (0, 1) */
  threshold: number;
}

const WG = 64;

const SIGMOID_THRESHOLD = declareKernel({
  shader: 'sigmoid_threshold',
  params: { count: 'u32', c4: 'u32', c: 'u32', groups_y: 'u32', x_cs4: 'u32', x_co4: 'u32', y_cs4: 'u32', y_co4: 'u32', threshold: 'f32' },
  bindings: { x: { role: 'input' }, y: { role: 'output' } },
});

export function sigmoidThresholdKernel(a: SigmoidThresholdAttrs, x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `sigmoid >= ${a.threshold} ${shapeText(x)}`;
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  if (shapeText(x) !== shapeText(y)) throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(x)}`);
  const c4 = Math.ceil(x.c / 4);
  const count = x.n * x.h * x.w * c4;
  const { groups, groupsY } = foldGroups(1, Math.ceil(count / WG), maxGroups);
  return kernelCall(SIGMOID_THRESHOLD, {
    label,
    groups,
    params: { count, c4, c: x.c, groups_y: groupsY, x_cs4: x.cs / 4, x_co4: x.co / 4, y_cs4: y.cs / 4, y_co4: y.co / 4, threshold: a.threshold },
    defines: { WG },
    flops: 4 * numel(x),
    bytes: 8 * numel(x),
  });
}

/** float64 reference on NCHW values. */
export function sigmoidThresholdReference(a: SigmoidThresholdAttrs, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v) => (1 / (1 + Math.exp(-v)) >= a.threshold ? 1 : 0));
}

export const sigmoidThresholdOp = defineOp<SigmoidThresholdAttrs>({
  name: 'sigmoid-threshold',
  writesWindow: true,
  channels: 'per-channel',
  shape(a, [x], label) {
    if (!(a.threshold > 0 && a.threshold < 1)) throw new Error(`${label}: threshold ${a.threshold} must lie strictly between 0 and 1`);
    return x!;
  },
  reference: (a, [x]) => sigmoidThresholdReference(a, x!),
  kernel: (a, io, env) => ({ call: sigmoidThresholdKernel(a, io.inputs[0]!, io.output, env.maxGroups), constants: {} }),
});
