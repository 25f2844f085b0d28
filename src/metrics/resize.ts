/**
 * Resizes an 8-bit gray map with bilinear interpolation on pixel centres (half-pixel offset,
 * source coordinate clamped at the borders, no antialiasing; the same as PyTorch
 * interpolate(mode='bilinear', align_corners=False)), rounding to the nearest integer.
 *
 * This is NOT what PraNet's main.m does: it uses MATLAB imresize (bicubic, with antialiasing
 * when shrinking). Metrics on resized maps can therefore differ from MATLAB's slightly; maps
 * already at the GT size (all official PraNet maps) are never resized.
 */
export function resizeMapBilinear(gray: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  for (const [name, v] of [
    ['w', w],
    ['h', h],
    ['outW', outW],
    ['outH', outH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`resizeMapBilinear: ${name} must be a positive integer, got ${v}`);
  }
  if (gray.length !== w * h) {
    throw new Error(`resizeMapBilinear: input has ${gray.length} values, expected ${w}x${h} = ${w * h}`);
  }
  const xs = sampleAxis(w, outW);
  const ys = sampleAxis(h, outH);
  const out = new Uint8Array(outW * outH);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = ys.lo[oy]!;
    const y1 = ys.hi[oy]!;
    const fy = ys.frac[oy]!;
    for (let ox = 0; ox < outW; ox++) {
      const x0 = xs.lo[ox]!;
      const x1 = xs.hi[ox]!;
      const fx = xs.frac[ox]!;
      const top = gray[y0 * w + x0]! * (1 - fx) + gray[y0 * w + x1]! * fx;
      const bottom = gray[y1 * w + x0]! * (1 - fx) + gray[y1 * w + x1]! * fx;
      out[oy * outW + ox] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
}

/** For each output index: the two source indices and the weight of the second one. */
function sampleAxis(inLen: number, outLen: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outLen);
  const hi = new Int32Array(outLen);
  const frac = new Float64Array(outLen);
  const scale = inLen / outLen;
  for (let o = 0; o < outLen; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inLen - 1);
    lo[o] = Math.floor(src);
    hi[o] = Math.min(lo[o]! + 1, inLen - 1);
    frac[o] = src - lo[o]!;
  }
  return { lo, hi, frac };
}
