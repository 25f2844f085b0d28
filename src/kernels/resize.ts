// Bilinear resize (PyTorch F.interpolate mode='bilinear', antialias off) with align_corners true or false.
import { DEFAULT_MAX_GROUPS, declareKernel, type KernelCall, kernelCall, perOutputGroup } from './kernel.js';
import { type Shape4, shapeText, type TensorView } from './layout.js';
import { defineOp } from './op.js';

export interface ResizeAttrs {
  outH: number;
  outW: number;
  alignCorners: boolean;
  /**
   * The scale_factor the PyTorch call passed, if any. With align_corners=false PyTorch (>= 1.6) then maps
   * coordinates with 1/scale_factor instead of in/out; the two differ when in*scale is not an integer.
   */
  scaleFactor?: number;
}

/** F.interpolate(scale_factor=s): output size floor(in * s), coordinates from 1/s. */
export function resizeByScale(x: Shape4, scale: number, alignCorners: boolean): ResizeAttrs {
  return { outH: Math.floor(x.h * scale), outW: Math.floor(x.w * scale), alignCorners, scaleFactor: scale };
}

export function resizeShape(x: Shape4, a: ResizeAttrs, label = 'resize'): Shape4 {
  if (!Number.isInteger(a.outH) || !Number.isInteger(a.outW) || a.outH < 1 || a.outW < 1) {
    throw new Error(`${label}: output size ${a.outH}x${a.outW} of ${shapeText(x)} must be positive integers`);
  }
  return { n: x.n, c: x.c, h: a.outH, w: a.outW };
}

const f32 = Math.fround;

/**
 * PyTorch's source coordinate for one axis, in float32 as its CPU kernel computes it
 * (area_pixel_compute_scale / area_pixel_compute_source_index), then the two taps and their weights.
 */
export function bilinearTaps(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  scaleFactor?: number,
): { i0: Int32Array; i1: Int32Array; w0: Float32Array; w1: Float32Array } {
  let scale: number;
  if (alignCorners) scale = outSize > 1 ? f32((inSize - 1) / (outSize - 1)) : 0;
  else scale = scaleFactor !== undefined && scaleFactor > 0 ? f32(1 / scaleFactor) : f32(inSize / outSize);
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float32Array(outSize);
  const w1 = new Float32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    let src = alignCorners ? f32(scale * d) : f32(f32(scale * f32(d + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const lo = Math.min(Math.floor(src), inSize - 1);
    const lambda = f32(src - lo);
    i0[d] = lo;
    i1[d] = lo < inSize - 1 ? lo + 1 : lo;
    w1[d] = lambda;
    w0[d] = f32(1 - lambda);
  }
  return { i0, i1, w0, w1 };
}

/** The per-axis sample table the kernel reads as its constant `taps`. */
export function resizeTable(x: Shape4, a: ResizeAttrs): Uint32Array {
  const table = new Uint32Array(4 * (a.outH + a.outW));
  const bits = new Float32Array(table.buffer);
  const axes: [number, number, number | undefined][] = [
    [x.h, a.outH, a.scaleFactor],
    [x.w, a.outW, a.scaleFactor],
  ];
  let row = 0;
  for (const [inSize, outSize, sf] of axes) {
    const t = bilinearTaps(inSize, outSize, a.alignCorners, sf);
    for (let d = 0; d < outSize; d++, row++) {
      table[4 * row] = t.i0[d]!;
      table[4 * row + 1] = t.i1[d]!;
      bits[4 * row + 2] = t.w0[d]!;
      bits[4 * row + 3] = t.w1[d]!;
    }
  }
  return table;
}

const WG = 64;

const RESIZE = declareKernel({
  shader: 'resize',
  params: {
    in_h: 'u32',
    in_w: 'u32',
    out_h: 'u32',
    out_w: 'u32',
    c4: 'u32',
    count: 'u32',
    groups_y: 'u32',
    x_cs4: 'u32',
    x_co4: 'u32',
    y_cs4: 'u32',
    y_co4: 'u32',
  },
  bindings: { x: { role: 'input' }, taps: { role: 'constant', type: 'vec4u' }, y: { role: 'output' } },
});

/** The call reads its sample table (resizeTable) from the constant `taps`. */
export function resizeKernel(a: ResizeAttrs, x: TensorView, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `resize ${shapeText(x)} -> ${y.h}x${y.w}${a.alignCorners ? ' align_corners' : ''}`;
  const { c4, count, groups, groupsY } = perOutputGroup(label, resizeShape(x, a, label), x, y, WG, maxGroups);
  const outputs = y.n * y.h * y.w * y.c;
  return kernelCall(RESIZE, {
    label,
    groups,
    params: { in_h: x.h, in_w: x.w, out_h: y.h, out_w: y.w, c4, count, groups_y: groupsY, x_cs4: x.cs / 4, x_co4: x.co / 4, y_cs4: y.cs / 4, y_co4: y.co / 4 },
    defines: { WG },
    flops: outputs * 6,
    bytes: 4 * (x.n * x.h * x.w * x.c + outputs),
  });
}

/**
 * float64 reference on NCHW. The sample positions follow PyTorch's float32 coordinate arithmetic (it is
 * part of the op's definition: PyTorch computes them so); the interpolation itself is exact.
 */
export function resizeReference(x: ArrayLike<number>, xs: Shape4, a: ResizeAttrs): Float64Array {
  const ys = resizeShape(xs, a);
  const coord = (inSize: number, outSize: number, d: number): [number, number, number] => {
    let src: number;
    if (a.alignCorners) src = outSize > 1 ? f32(f32((inSize - 1) / (outSize - 1)) * d) : 0;
    else {
      const scale = a.scaleFactor !== undefined ? f32(1 / a.scaleFactor) : f32(inSize / outSize);
      src = Math.max(0, f32(f32(scale * f32(d + 0.5)) - 0.5));
    }
    const lo = Math.min(Math.floor(src), inSize - 1);
    return [lo, Math.min(lo + 1, inSize - 1), src - lo];
  };
  const out = new Float64Array(ys.n * ys.c * ys.h * ys.w);
  let o = 0;
  for (let nc = 0; nc < ys.n * ys.c; nc++) {
    const plane = nc * xs.h * xs.w;
    for (let oy = 0; oy < ys.h; oy++) {
      const [y0, y1, ly] = coord(xs.h, ys.h, oy);
      for (let ox = 0; ox < ys.w; ox++) {
        const [x0, x1, lx] = coord(xs.w, ys.w, ox);
        const v = (yy: number, xx: number) => x[plane + yy * xs.w + xx]!;
        out[o++] = (1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1));
      }
    }
  }
  return out;
}

export const resizeOp = defineOp<ResizeAttrs>({
  name: 'resize',
  writesWindow: true,
  channels: 'per-channel',
  shape: (a, [x], label) => resizeShape(x!, a, label),
  reference: (a, [x], [xs]) => resizeReference(x!, xs!, a),
  kernel: (a, io, env) => ({ call: resizeKernel(a, io.inputs[0]!, io.output, env.maxGroups), constants: { taps: resizeTable(io.inputs[0]!, a) } }),
});
