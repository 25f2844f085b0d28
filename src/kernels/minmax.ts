// Per-image min-max normalisation of a map, as PraNet's test script does before saving: (x - min) / (max - min + eps).
import type { KernelCall } from './kernel.js';
import { ParamWriter } from './kernel.js';
import { checkView, shapeText, type Shape4, type TensorView } from './layout.js';
import { specialize } from './template.js';

const WG = 64;

export function minmaxKernel(x: TensorView, y: TensorView, eps = 1e-8): KernelCall {
  const label = `minmax ${shapeText(x)}`;
  checkView(x, `${label} input`);
  checkView(y, `${label} output`);
  if (x.n !== y.n || x.c !== y.c || x.h !== y.h || x.w !== y.w) throw new Error(`${label}: output is ${shapeText(y)}, expected ${shapeText(x)}`);
  const params = new ParamWriter()
    .u32(x.h * x.w, Math.ceil(x.c / 4), x.c, 0)
    .u32(x.cs / 4, x.co / 4, y.cs / 4, y.co / 4)
    .f32(eps).u32(0, 0, 0)
    .finish();
  const count = x.n * x.c * x.h * x.w;
  return { label, params, groups: [x.n, 1, 1], slots: { x: 1, y: 2 }, code: specialize('minmax', { WG }), flops: 4 * count, bytes: 12 * count };
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
