// Per-image min-max normalisation of a map, as PraNet's test script does before saving: (x - min) / (max - min + eps).
import { declareKernel, type KernelCall, kernelCall } from './kernel.js';
import { checkView, shapeText, type Shape4, type TensorView } from './layout.js';
import { defineOp, type NoAttrs } from './op.js';

const WG = 64;

const MINMAX = declareKernel({
  shader: 'minmax',
  params: { pixels: 'u32', c4: 'u32', c: 'u32', x_cs4: 'u32', x_co4: 'u32', y_cs4: 'u32', y_co4: 'u32', eps: 'f32' },
  bindings: { x: { role: 'input' }, y: { role: 'output' } },
});

export function minmaxKernel(x: TensorView, y: TensorView, eps = 1e-8): KernelCall {
  const label = `minmax ${shapeText(x)}`;
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  if (x.n !== y.n || x.c !== y.c || x.h !== y.h || x.w !== y.w) throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(x)}`);
  const count = x.n * x.c * x.h * x.w;
  return kernelCall(MINMAX, {
    label,
    groups: [x.n, 1, 1],
    params: { pixels: x.h * x.w, c4: Math.ceil(x.c / 4), c: x.c, x_cs4: x.cs / 4, x_co4: x.co / 4, y_cs4: y.cs / 4, y_co4: y.co / 4, eps },
    defines: { WG },
    flops: 4 * count,
    bytes: 12 * count,
  });
}

/** float64 reference on NCHW. */
export function minmaxReference(x: ArrayLike<number>, s: Shape4, eps = 1e-8): Float64Array {
  const per = s.c * s.h * s.w;
  const out = new Float64Array(x.length);
  for (let n = 0; n < s.n; n++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < per; i++) {
      lo = Math.min(lo, x[n * per + i]!);
      hi = Math.max(hi, x[n * per + i]!);
    }
    for (let i = 0; i < per; i++) out[n * per + i] = (x[n * per + i]! - lo) / (hi - lo + eps);
  }
  return out;
}

export const minmaxOp = defineOp<NoAttrs>({
  name: 'minmax',
  writesWindow: true,
  channels: 'dense',
  shape: (_, [x]) => x!,
  reference: (_, [x], [xs]) => minmaxReference(x!, xs!),
  kernel: (_, io) => ({ call: minmaxKernel(io.inputs[0]!, io.output), constants: {} }),
});
