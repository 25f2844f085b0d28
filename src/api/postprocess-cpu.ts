// PraNet's test-time post-processing (docs/pranet.md, Post-processing) on the CPU, for images too large for one
// GPU buffer (a one-channel map is stored as vec4 pixels, 16 bytes each): the same sample positions and
// weights as the GPU resize, then sigmoid and min-max, in float32.
import { bilinearTaps } from '../kernels/resize.js';
import type { ProbabilityMaps } from './postprocess-graph.js';

export function postprocessOnCpu(logits: Float32Array, size: number, width: number, height: number, eps = 1e-8): ProbabilityMaps {
  const out = probabilityOnCpu(logits, size, width, height);
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of out) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  const range = Math.fround(hi - lo + eps);
  return { probability: out, normalized: out.map((p) => Math.fround((p - lo) / range)) };
}

/** sigmoid(resize(logits)) at width x height: the probability map alone (what the frame pipeline needs). */
export function probabilityOnCpu(logits: Float32Array, size: number, width: number, height: number): Float32Array {
  const ty = bilinearTaps(size, height, false);
  const tx = bilinearTaps(size, width, false);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r0 = ty.i0[y]! * size;
    const r1 = ty.i1[y]! * size;
    for (let x = 0; x < width; x++) {
      const [a, b] = [tx.i0[x]!, tx.i1[x]!];
      const v =
        ty.w0[y]! * (tx.w0[x]! * logits[r0 + a]! + tx.w1[x]! * logits[r0 + b]!) + ty.w1[y]! * (tx.w0[x]! * logits[r1 + a]! + tx.w1[x]! * logits[r1 + b]!);
      out[y * width + x] = Math.fround(1 / (1 + Math.exp(-v)));
    }
  }
  return out;
}
