// The network input made on the GPU from a video frame, so frames never pass through the CPU: RGBA8 pixels
// (a buffer of one u32 per pixel) -> resize as PyTorch's F.interpolate(mode='bilinear', antialias=True) does it
// -> ImageNet normalisation -> the NHWC input tensor. Not a graph op: its input is bytes, not a tensor.
// Why antialiased: frames are usually larger than the network, and plain bilinear then samples 4 of every
// ~9 pixels and aliases: on the 100 Kvasir test images its masks matched the still-image path's (PIL's filter,
// exact, on the CPU) with mean Dice 0.985 (min 0.44). The antialiased filter is PIL's in floating point.
import { IMAGENET_MEAN, IMAGENET_STD } from '../io/preprocess.js';
import { declareKernel, DEFAULT_MAX_GROUPS, foldGroups, type KernelCall, kernelCall } from './kernel.js';
import { checkView, type TensorView } from './layout.js';

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
  bindings: {
    frame: { role: 'input', type: 'u32' },
    taps: { role: 'constant', type: 'vec4u' },
    weights: { role: 'constant', type: 'f32' },
    y: { role: 'output' },
  },
});

function checkFrame(f: FrameShape, label: string): void {
  if (!Number.isInteger(f.width) || !Number.isInteger(f.height) || f.width < 1 || f.height < 1)
    throw new Error(`${label}: frame size ${f.width}x${f.height} must be positive integers`);
  if (!Number.isInteger(f.rowWords) || f.rowWords < f.width) throw new Error(`${label}: ${f.rowWords} words per row cannot hold ${f.width} pixels`);
}

/** The call writing a 1x3xSxS input view `y` (S = y.h = y.w) from a frame; its constants come from frameInputTable. */
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

const f32 = Math.fround;

/**
 * PyTorch's antialiased bilinear weights for one axis (as PIL's resampling computes them, but in float32 as
 * PyTorch's CPU kernel does: part of the op's definition, like the sample positions of resize.ts): for output
 * index i, the source pixels [start, start + weights.length) and their weights, summing to 1.
 */
export function antialiasTaps(inSize: number, outSize: number): { start: number; weights: number[] }[] {
  const scale = f32(inSize / outSize);
  const support = scale >= 1 ? scale : 1;
  const invscale = scale >= 1 ? f32(1 / scale) : 1;
  return Array.from({ length: outSize }, (_, i) => {
    const center = f32(scale * f32(i + 0.5));
    const start = Math.max(Math.trunc(f32(f32(center - support) + 0.5)), 0);
    const count = Math.min(Math.trunc(f32(f32(center + support) + 0.5)), inSize) - start;
    const raw = Array.from({ length: count }, (_, j) => f32(Math.max(0, 1 - Math.abs(f32(f32(f32(j + start - center) + 0.5) * invscale)))));
    let total = 0;
    for (const w of raw) total = f32(total + w);
    return { start, weights: raw.map((w) => (total !== 0 ? f32(w / total) : w)) };
  });
}

/** The kernel's constants for a frame of width x height made into size x size: `taps` (rows, then columns) and `weights`. */
export function frameInputTable(width: number, height: number, size: number): { taps: Uint32Array; weights: Float32Array } {
  const axes = [antialiasTaps(height, size), antialiasTaps(width, size)];
  const taps = new Uint32Array(4 * 2 * size);
  const weights: number[] = [];
  axes.flat().forEach((t, row) => {
    taps.set([t.start, t.weights.length, weights.length, 0], 4 * row);
    weights.push(...t.weights);
  });
  return { taps, weights: Float32Array.from(weights) };
}

/** float64 reference: RGBA bytes (width x height) -> 1x3xSxS NCHW input, PyTorch's antialiased bilinear. */
export function frameInputReference(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, size: number): Float64Array {
  const ty = antialiasTaps(height, size);
  const tx = antialiasTaps(width, size);
  const out = new Float64Array(3 * size * size);
  for (let c = 0; c < 3; c++) {
    for (let oy = 0; oy < size; oy++) {
      for (let ox = 0; ox < size; ox++) {
        let v = 0;
        ty[oy]!.weights.forEach((wy, i) => {
          tx[ox]!.weights.forEach((wx, j) => (v += wy * wx * (rgba[4 * ((ty[oy]!.start + i) * width + tx[ox]!.start + j) + c]! / 255)));
        });
        out[(c * size + oy) * size + ox] = (v - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
      }
    }
  }
  return out;
}
