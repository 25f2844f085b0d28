// Pillow's Image.resize(size, BILINEAR) for 8-bit RGB, bit for bit (Pillow src/libImaging/Resample.c, as
// docs/pranet.md, Pre-processing, describes it): separable, horizontal pass first, a uint8 intermediate
// image, a triangle filter widened by the downscale factor, and 22-bit fixed-point weights.
import { checkRgbImage, type RgbImage } from './rgba-image.js';

const PRECISION_BITS = 32 - 8 - 2;

/** Per output pixel: the first input index, how many inputs it reads, and their fixed-point weights. */
interface Coefficients {
  start: Int32Array;
  count: Int32Array;
  /** count[i] weights for output i, at offset i * kernelSize. */
  weights: Int32Array;
  kernelSize: number;
}

function precomputeCoefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1 input pixel, widened when downscaling
  const kernelSize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * kernelSize);
  const w = new Float64Array(kernelSize);
  const ss = 1 / filterScale; // Pillow multiplies by the reciprocal; dividing would round differently
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1 ? 1 - t : 0;
      sum += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const v = (sum !== 0 ? w[x]! / sum : w[x]!) * (1 << PRECISION_BITS);
      // C's (int)(v +- 0.5): round half away from zero.
      weights[xx * kernelSize + x] = v < 0 ? Math.trunc(v - 0.5) : Math.trunc(v + 0.5);
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { start, count, weights, kernelSize };
}

/** Integer accumulator -> uint8, as Pillow's clip8: start at 2^21 for rounding, shift by 22, clamp. */
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resizes rows [rowStart, rowStart + rows) of `src` horizontally to `outW`. */
function horizontalPass(src: RgbImage, outW: number, rowStart: number, rows: number, k: Coefficients): RgbImage {
  const inW = src.width;
  const out = new Uint8Array(outW * rows * 3);
  for (let y = 0; y < rows; y++) {
    const inRow = (y + rowStart) * inW * 3;
    for (let xx = 0; xx < outW; xx++) {
      const x0 = k.start[xx]!;
      const n = k.count[xx]!;
      const kOff = xx * k.kernelSize;
      let r = 1 << (PRECISION_BITS - 1);
      let g = r;
      let b = r;
      for (let x = 0; x < n; x++) {
        const wt = k.weights[kOff + x]!;
        const p = inRow + (x0 + x) * 3;
        r += src.data[p]! * wt;
        g += src.data[p + 1]! * wt;
        b += src.data[p + 2]! * wt;
      }
      const o = (y * outW + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { width: outW, height: rows, data: out };
}

/** Resizes `src` vertically to `outH`; coefficient starts are relative to the first row `src` holds. */
function verticalPass(src: RgbImage, outH: number, rowOffset: number, k: Coefficients): RgbImage {
  const w = src.width;
  const out = new Uint8Array(w * outH * 3);
  for (let yy = 0; yy < outH; yy++) {
    const y0 = k.start[yy]! - rowOffset;
    const n = k.count[yy]!;
    const kOff = yy * k.kernelSize;
    for (let xc = 0; xc < w * 3; xc++) {
      let acc = 1 << (PRECISION_BITS - 1);
      for (let y = 0; y < n; y++) acc += src.data[(y0 + y) * w * 3 + xc]! * k.weights[kOff + y]!;
      out[yy * w * 3 + xc] = clip8(acc);
    }
  }
  return { width: w, height: outH, data: out };
}

/**
 * Pillow's `img.resize((outW, outH), Image.BILINEAR)` on an RGB image. A pass is skipped when its
 * dimension does not change (so a same-size resize is a copy), as in Pillow.
 */
export function resizeBilinearPil(img: RgbImage, outW: number, outH: number): RgbImage {
  checkRgbImage(img, 'resizeBilinearPil input');
  if (!Number.isInteger(outW) || !Number.isInteger(outH) || outW < 1 || outH < 1) {
    throw new Error(`resizeBilinearPil: output size must be positive integers, got ${outW}x${outH}`);
  }
  const needH = outW !== img.width;
  const needV = outH !== img.height;
  const kv = needV ? precomputeCoefficients(img.height, outH) : undefined;
  let cur = img;
  let rowOffset = 0;
  if (needH) {
    // Only the rows the vertical pass reads are resized horizontally.
    const first = kv ? kv.start[0]! : 0;
    const last = kv ? kv.start[outH - 1]! + kv.count[outH - 1]! : img.height;
    cur = horizontalPass(img, outW, first, last - first, precomputeCoefficients(img.width, outW));
    rowOffset = first;
  }
  if (kv) cur = verticalPass(cur, outH, rowOffset, kv);
  return cur === img ? { width: img.width, height: img.height, data: img.data.slice() } : cur;
}
