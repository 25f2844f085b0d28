// The network input made on the GPU from a video frame, so frames never pass through the CPU: RGBA8 pixels
// (a buffer of one u32 per pixel) -> bilinear resize as PyTorch's F.interpolate does it (align_corners=False,
// no antialiasing: not PIL's filter, which the still-image path reproduces exactly on the CPU) -> ImageNet
// normalisation -> the NHWC input tensor. Not a graph op: its input is bytes, not a tensor.
import { IMAGENET_MEAN, IMAGENET_STD } from '../io/preprocess.js';
import { declareKernel, DEFAULT_MAX_GROUPS, foldGroups, type KernelCall, kernelCall } from './kernel.js';
import { checkView, type TensorView } from './layout.js';
import { bilinearTaps } from './resize.js';

export interface FrameShape {
  width: number;
  height: number;
  /** u32 words from one row of the frame buffer to the next (width, or more when rows are padded) */
  rowWords: number;
}

const WG = 64;

const FRAME_INPUT = declareKernel({
  shader: 'frame_input',
  params: {
    in_w: 'u32',
    in_h: 'u32',
    row_words: 'u32',
    out_size: 'u32',
    y_cs4: 'u32',
    y_co4: 'u32',
    groups_y: 'u32',
    mean_r: 'f32',
    mean_g: 'f32',
    mean_b: 'f32',
    std_r: 'f32',
    std_g: 'f32',
    std_b: 'f32',
  },
  bindings: { frame: { role: 'input', type: 'u32' }, taps: { role: 'constant', type: 'vec4u' }, y: { role: 'output' } },
});

function checkFrame(f: FrameShape, label: string): void {
  if (!Number.isInteger(f.width) || !Number.isInteger(f.height) || f.width < 1 || f.height < 1)
    throw new Error(`${label}: frame size ${f.width}x${f.height} must be positive integers`);
  if (!Number.isInteger(f.rowWords) || f.rowWords < f.width) throw new Error(`${label}: ${f.rowWords} words per row cannot hold ${f.width} pixels`);
}

/** The call writing a 1x3xSxS input view `y` (S = y.h = y.w) from a frame; its table comes from frameInputTable. */
export function frameInputKernel(f: FrameShape, y: TensorView, maxGroups = DEFAULT_MAX_GROUPS): KernelCall {
  const label = `frame ${f.width}x${f.height} -> input ${y.h}x${y.w}`;
  checkFrame(f, label);
  checkView(y, `${label} output`);
  if (y.n !== 1 || y.c !== 3 || y.h !== y.w) throw new Error(`${label}: the input view must be 1x3xSxS, got ${y.n}x${y.c}x${y.h}x${y.w}`);
  const { groups, groupsY } = foldGroups(1, Math.ceil((y.h * y.w) / WG), maxGroups);
  return kernelCall(FRAME_INPUT, {
    label,
    groups,
    params: {
      in_w: f.width,
      in_h: f.height,
      row_words: f.rowWords,
      out_size: y.h,
      y_cs4: y.cs / 4,
      y_co4: y.co / 4,
      groups_y: groupsY,
      mean_r: IMAGENET_MEAN[0],
      mean_g: IMAGENET_MEAN[1],
      mean_b: IMAGENET_MEAN[2],
      std_r: IMAGENET_STD[0],
      std_g: IMAGENET_STD[1],
      std_b: IMAGENET_STD[2],
    },
    defines: { WG },
    flops: y.h * y.w * 3 * 12,
    bytes: 4 * f.width * f.height + 16 * y.h * y.w,
  });
}

/** Sample rows then columns for a frame of width x height resized to size x size (PyTorch's float32 rule). */
export function frameInputTable(width: number, height: number, size: number): Uint32Array {
  const table = new Uint32Array(4 * 2 * size);
  const bits = new Float32Array(table.buffer);
  [bilinearTaps(height, size, false), bilinearTaps(width, size, false)].forEach((t, axis) => {
    for (let d = 0; d < size; d++) {
      const row = axis * size + d;
      table[4 * row] = t.i0[d]!;
      table[4 * row + 1] = t.i1[d]!;
      bits[4 * row + 2] = t.w0[d]!;
      bits[4 * row + 3] = t.w1[d]!;
    }
  });
  return table;
}

/** float64 reference: RGBA bytes (width x height) -> 1x3xSxS NCHW input, PyTorch's sample positions. */
export function frameInputReference(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, size: number): Float64Array {
  const ty = bilinearTaps(height, size, false);
  const tx = bilinearTaps(width, size, false);
  const out = new Float64Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    const v = (y: number, x: number) => rgba[4 * (y * width + x) + c]! / 255;
    for (let oy = 0; oy < size; oy++) {
      for (let ox = 0; ox < size; ox++) {
        const [y0, y1, x0, x1] = [ty.i0[oy]!, ty.i1[oy]!, tx.i0[ox]!, tx.i1[ox]!];
        const s = ty.w0[oy]! * (tx.w0[ox]! * v(y0, x0) + tx.w1[ox]! * v(y0, x1)) + ty.w1[oy]! * (tx.w0[ox]! * v(y1, x0) + tx.w1[ox]! * v(y1, x1));
        out[(c * size + oy) * size + ox] = (s - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
      }
    }
  }
  return out;
}
