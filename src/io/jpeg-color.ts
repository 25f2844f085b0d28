// YCbCr -> RGB in libjpeg's fixed point (16 fractional bits, table values rounded), which PIL uses.
// jpeg-js converts in floats and truncates, which biases every channel by about half a level.

const SCALE_BITS = 16;
const ONE_HALF = 1 << (SCALE_BITS - 1);
const fix = (x: number): number => Math.floor(x * (1 << SCALE_BITS) + 0.5);

const crToR = new Int32Array(256);
const cbToB = new Int32Array(256);
const crToG = new Int32Array(256);
const cbToG = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  crToR[i] = (fix(1.402) * x + ONE_HALF) >> SCALE_BITS;
  cbToB[i] = (fix(1.772) * x + ONE_HALF) >> SCALE_BITS;
  crToG[i] = -fix(0.71414) * x;
  cbToG[i] = -fix(0.34414) * x + ONE_HALF;
}

const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Writes RGBA (alpha 255) for full-resolution Y, Cb, Cr planes. */
export function ycbcrToRgba(y: Uint8Array, cb: Uint8Array, cr: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < y.length; i++) {
    const l = y[i]!;
    const b = cb[i]!;
    const r = cr[i]!;
    out[4 * i] = clamp8(l + crToR[r]!);
    out[4 * i + 1] = clamp8(l + ((cbToG[b]! + crToG[r]!) >> SCALE_BITS));
    out[4 * i + 2] = clamp8(l + cbToB[b]!);
    out[4 * i + 3] = 255;
  }
}
