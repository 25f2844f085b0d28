// The last CPU steps of PraNet's MyTest.py (docs/pranet.md, Post-processing), on the sigmoid output at
// image size: min-max normalisation, then scipy.misc.imsave's bytescale. Both are emulated in float32
// exactly as NumPy evaluates them, so the bytes equal what MyTest.py would save for the same probabilities.

function range(p: Float32Array, what: string): { min: number; max: number } {
  if (p.length === 0) throw new Error(`${what}: empty map`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (!Number.isFinite(v)) throw new Error(`${what}: element ${i} is ${v}, expected a finite value`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * MyTest.py step 4: (p - min) / (max - min + 1e-8). NumPy adds 1e-8 to the float32 range in float64,
 * then casts that scalar to float32 for the float32 division.
 */
export function minMaxNormalize(p: Float32Array): Float32Array {
  const { min, max } = range(p, 'minMaxNormalize');
  const den = Math.fround(Math.fround(max - min) + 1e-8);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) out[i] = Math.fround(Math.fround(p[i]! - min) / den);
  return out;
}

/**
 * scipy 1.0 bytescale (what imsave does to a float map): stretch min..max to 0..255 (a constant map uses
 * scale 255 / 1), clip, add 0.5 and truncate. The scale is a float64 quotient used as float32.
 */
export function bytescale(p: Float32Array): Uint8Array {
  const { min, max } = range(p, 'bytescale');
  const span = Math.fround(max - min);
  const scale = Math.fround(255 / (span === 0 ? 1 : span));
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = Math.fround(Math.fround(p[i]! - min) * scale);
    out[i] = Math.trunc(Math.fround(Math.min(Math.max(v, 0), 255) + 0.5));
  }
  return out;
}

/** The saved PraNet map from sigmoid probabilities: minMaxNormalize then bytescale (docs/pranet.md, Post-processing, steps 3-4). */
export function toUint8Map(prob: Float32Array): Uint8Array {
  return bytescale(minMaxNormalize(prob));
}

/** 1 where prob >= t, else 0 (the >= of PraNet's MATLAB evaluation). */
export function binarize(prob: ArrayLike<number>, t: number): Uint8Array {
  if (!Number.isFinite(t)) throw new Error(`binarize: threshold must be finite, got ${t}`);
  const out = new Uint8Array(prob.length);
  for (let i = 0; i < prob.length; i++) out[i] = prob[i]! >= t ? 1 : 0;
  return out;
}
