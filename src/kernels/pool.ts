// Max and average pooling with PyTorch's output-size, padding and divisor rules.
import { DEFAULT_MAX_GROUPS, type KernelCall, ParamWriter, perOutputGroup } from './kernel.js';
import { type Shape4, shapeText, type TensorView } from './layout.js';
import { specialize } from './template.js';

export interface PoolAttrs {
  kind: 'max' | 'avg';
  kh: number;
  kw: number;
  strideY: number;
  strideX: number;
  padY: number;
  padX: number;
  ceilMode: boolean;
  /** average pooling only: divide by the window including zero padding */
  countIncludePad: boolean;
}

export function poolAttrs(kind: 'max' | 'avg', k: number, stride: number, pad: number, opts: { ceilMode?: boolean; countIncludePad?: boolean } = {}): PoolAttrs {
  return { kind, kh: k, kw: k, strideY: stride, strideX: stride, padY: pad, padX: pad, ceilMode: opts.ceilMode ?? false, countIncludePad: opts.countIncludePad ?? true };
}

function outSize(size: number, k: number, stride: number, pad: number, ceil: boolean): number {
  const span = size + 2 * pad - k;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // PyTorch: with ceil_mode the last window must start inside the input or its left padding
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

export function poolShape(x: Shape4, a: PoolAttrs, label = `${a.kind}pool`): Shape4 {
  const what = `${label} ${a.kh}x${a.kw} stride ${a.strideY}x${a.strideX} pad ${a.padY}x${a.padX} on ${shapeText(x)}`;
  if (a.kh < 1 || a.kw < 1 || a.strideY < 1 || a.strideX < 1) throw new Error(`${what}: kernel and stride must be >= 1`);
  if (a.padY < 0 || a.padX < 0 || 2 * a.padY > a.kh || 2 * a.padX > a.kw) throw new Error(`${what}: padding must be between 0 and half the kernel`);
  const h = outSize(x.h, a.kh, a.strideY, a.padY, a.ceilMode);
  const w = outSize(x.w, a.kw, a.strideX, a.padX, a.ceilMode);
  if (h < 1 || w < 1) throw new Error(`${what}: output would be ${h}x${w}`);
  return { n: x.n, c: x.c, h, w };
}

const WG = 64;

export function poolKernel(a: PoolAttrs, x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `${a.kind}pool ${a.kh}x${a.kw}/${a.strideY} ${shapeText(x)}`;
  const { c4, count, groups, groupsY } = perOutputGroup(label, poolShape(x, a, label), x, y, WG, maxGroups);
  const params = new ParamWriter()
    .u32(x.h, x.w, y.h, y.w)
    .u32(a.kh, a.kw, a.strideY, a.strideX)
    .u32(a.padY, a.padX, c4, count)
    .u32(x.cs / 4, x.co / 4, y.cs / 4, y.co / 4)
    .u32(groupsY, 0, 0, 0)
    .finish();
  const outputs = y.n * y.h * y.w * y.c;
  return {
    label, params, groups, slots: { x: 1, y: 2 },
    code: specialize('pool', { WG, MAX: a.kind === 'max', COUNT_PAD: a.countIncludePad }),
    flops: outputs * a.kh * a.kw,
    bytes: 4 * (x.n * x.h * x.w * x.c + outputs),
  };
}

/** float64 reference on NCHW. */
export function poolReference(x: ArrayLike<number>, xs: Shape4, a: PoolAttrs): Float64Array {
  const ys = poolShape(xs, a);
  const out = new Float64Array(ys.n * ys.c * ys.h * ys.w);
  let o = 0;
  for (let n = 0; n < ys.n; n++) {
    for (let c = 0; c < ys.c; c++) {
      for (let oy = 0; oy < ys.h; oy++) {
        for (let ox = 0; ox < ys.w; ox++) {
          const y0 = oy * a.strideY - a.padY;
          const x0 = ox * a.strideX - a.padX;
          const y1 = Math.min(y0 + a.kh, xs.h + a.padY);
          const x1 = Math.min(x0 + a.kw, xs.w + a.padX);
          const windowSize = (y1 - y0) * (x1 - x0);
          let acc = a.kind === 'max' ? -Infinity : 0;
          let inside = 0;
          for (let iy = Math.max(y0, 0); iy < Math.min(y1, xs.h); iy++) {
            for (let ix = Math.max(x0, 0); ix < Math.min(x1, xs.w); ix++) {
              const v = x[((n * xs.c + c) * xs.h + iy) * xs.w + ix]!;
              acc = a.kind === 'max' ? Math.max(acc, v) : acc + v;
              inside++;
            }
          }
          out[o++] = a.kind === 'max' ? acc : acc / (a.countIncludePad ? windowSize : inside);
        }
      }
    }
  }
  return out;
}
