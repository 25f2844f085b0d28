// How a tensor sits in GPU memory: NHWC, channels in vec4 groups. A view names a channel window
// [co, co + c) of a buffer whose pixels are `cs` floats apart, so a channel split is a view and a concat is
// several producers writing into windows of one buffer. Channels past `c` up to the next multiple of 4 are
// padding that every kernel writes as zero, so a reader may treat them as real zero-valued channels.

export interface Shape4 {
  n: number;
  c: number;
  h: number;
  w: number;
}

export interface TensorView extends Shape4 {
  /** floats from one pixel to the next; a multiple of 4 */
  cs: number;
  /** first channel of the window; a multiple of 4 */
  co: number;
}

export const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

export function denseView(s: Shape4): TensorView {
  return { n: s.n, c: s.c, h: s.h, w: s.w, cs: roundUp(s.c, 4), co: 0 };
}

export const numel = (s: Shape4): number => s.n * s.c * s.h * s.w;

export function checkView(v: TensorView, what: string): void {
  if (v.cs % 4 !== 0 || v.co % 4 !== 0 || v.co + roundUp(v.c, 4) > v.cs) {
    throw new Error(`${what}: channel window [${v.co}, ${v.co + v.c}) with pixel stride ${v.cs} is not vec4-aligned or does not fit`);
  }
}

/** NCHW values -> the NHWC buffer of a view (channels outside the window and padding are zero). */
export function packNhwc(nchw: ArrayLike<number>, v: TensorView): Float32Array {
  const out = new Float32Array(v.n * v.h * v.w * v.cs);
  const hw = v.h * v.w;
  for (let n = 0; n < v.n; n++) {
    for (let c = 0; c < v.c; c++) {
      const src = (n * v.c + c) * hw;
      for (let p = 0; p < hw; p++) out[(n * hw + p) * v.cs + v.co + c] = nchw[src + p]!;
    }
  }
  return out;
}

/** The window of an NHWC buffer -> NCHW values. */
export function unpackNhwc(nhwc: ArrayLike<number>, v: TensorView): Float32Array {
  const out = new Float32Array(numel(v));
  const hw = v.h * v.w;
  for (let n = 0; n < v.n; n++) {
    for (let c = 0; c < v.c; c++) {
      const dst = (n * v.c + c) * hw;
      for (let p = 0; p < hw; p++) out[dst + p] = nhwc[(n * hw + p) * v.cs + v.co + c]!;
    }
  }
  return out;
}

export const shapeText = (s: Shape4): string => `${s.n}x${s.c}x${s.h}x${s.w}`;
