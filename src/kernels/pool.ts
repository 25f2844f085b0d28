// Max and average pooling with PyTorch's output-size, padding and divisor rules.
import { DEFAULT_MAX_GROUPS, declareKernel, type KernelCall, kernelCall, perOutputGroup } from './kernel.js';
import { type Shape4, shapeText, type TensorView } from './layout.js';
import { defineOp } from './op.js';

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

export function poolAttrs(
  kind: 'max' | 'avg',
  k: number,
  stride: number,
  pad: number,
  opts: { ceilMode?: boolean; countIncludePad?: boolean } = {},
): PoolAttrs {
  return {
    kind,
    kh: k,
    kw: k,
    strideY: stride,
    strideX: stride,
    padY: pad,
    padX: pad,
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
  };
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

const POOL = declareKernel({
  shader: 'pool',
  params: {
    in_h: 'u32',
    in_w: 'u32',
    out_h: 'u32',
    out_w: 'u32',
    kh: 'u32',
    kw: 'u32',
    stride_y: 'u32',
    stride_x: 'u32',
    pad_y: 'u32',
    pad_x: 'u32',
    c4: 'u32',
    count: 'u32',
    x_cs4: 'u32',
    x_co4: 'u32',
    y_cs4: 'u32',
    y_co4: 'u32',
    groups_y: 'u32',
  },
  bindings: { x: { role: 'input' }, y: { role: 'output' } },
});

export function poolKernel(a: PoolAttrs, x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `${a.kind}pool ${a.kh}x${a.kw}/${a.strideY} ${shapeText(x)}`;
  const { c4, count, groups, groupsY } = perOutputGroup(label, poolShape(x, a, label), x, y, WG, maxGroups);
  const outputs = y.n * y.h * y.w * y.c;
  return kernelCall(POOL, {
    label,
    groups,
    params: {
      in_h: x.h,
      in_w: x.w,
      out_h: y.h,
      out_w: y.w,
      kh: a.kh,
      kw: a.kw,
      stride_y: a.strideY,
      stride_x: a.strideX,
      pad_y: a.padY,
      pad_x: a.padX,
      c4,
      count,
      x_cs4: x.cs / 4,
      x_co4: x.co / 4,
      y_cs4: y.cs / 4,
      y_co4: y.co / 4,
      groups_y: groupsY,
    },
    defines: { WG, MAX: a.kind === 'max', COUNT_PAD: a.countIncludePad },
    flops: outputs * a.kh * a.kw,
    bytes: 4 * (x.n * x.h * x.w * x.c + outputs),
  });
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

export const poolOp = defineOp<PoolAttrs>({
  name: 'pool',
  writesWindow: true,
  channels: 'per-channel',
  kind: (a) => `${a.kind}pool ${a.kh}x${a.kw}`,
  shape: (a, [x], label) => poolShape(x!, a, label),
  reference: (a, [x], [xs]) => poolReference(x!, xs!, a),
  kernel: (a, io, env) => ({ call: poolKernel(a, io.inputs[0]!, io.output, env.maxGroups), constants: {} }),
});
