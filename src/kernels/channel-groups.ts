// Channel groups: how a tensor's real channels sit in storage (which groups the memory planner chooses:
// graph/channel-layout.ts). Convs that read a grouped tensor get zero weight columns for the padding, and
// convs that write one zero weight rows, so the padding is exactly zero and results do not change.

/** [real channels, stored channels] per group, in order. */
export type Groups = ReadonlyArray<readonly [number, number]>;

export const realCount = (g: Groups): number => g.reduce((s, [r]) => s + r, 0);
export const storedCount = (g: Groups): number => g.reduce((s, [, st]) => s + st, 0);

/** Stored index of every real channel. */
function storedIndex(g: Groups): Int32Array {
  const out = new Int32Array(realCount(g));
  let real = 0;
  let stored = 0;
  for (const [r, st] of g) {
    for (let i = 0; i < r; i++) out[real + i] = stored + i;
    real += r;
    stored += st;
  }
  return out;
}

/** OIHW weights over real channels -> OIHW over stored channels, zero where either side is padding. */
export function expandConvWeights(w: Float32Array, kh: number, kw: number, inG: Groups, outG: Groups): Float32Array {
  const [ri, ro] = [realCount(inG), realCount(outG)];
  const [si, so] = [storedCount(inG), storedCount(outG)];
  if (ri === si && ro === so) return w;
  const inIdx = storedIndex(inG);
  const outIdx = storedIndex(outG);
  const k = kh * kw;
  const out = new Float32Array(so * si * k);
  for (let o = 0; o < ro; o++) {
    for (let i = 0; i < ri; i++) out.set(w.subarray((o * ri + i) * k, (o * ri + i + 1) * k), (outIdx[o]! * si + inIdx[i]!) * k);
  }
  return out;
}

/** A per-channel vector over real channels -> stored channels, `fill` in the padding. */
export function expandVector(v: Float32Array, g: Groups, fill: number): Float32Array {
  if (realCount(g) === storedCount(g)) return v;
  const out = new Float32Array(storedCount(g)).fill(fill);
  storedIndex(g).forEach((s, r) => (out[s] = v[r]!));
  return out;
}

/** Real NCHW values -> stored channels, zero in the padding. */
export function insertPadding(data: Float32Array, n: number, hw: number, g: Groups): Float32Array {
  if (realCount(g) === storedCount(g)) return data;
  const idx = storedIndex(g);
  const [r, s] = [realCount(g), storedCount(g)];
  const out = new Float32Array(n * s * hw);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < r; c++) out.set(data.subarray((b * r + c) * hw, (b * r + c + 1) * hw), (b * s + idx[c]!) * hw);
  }
  return out;
}

/** Stored NCHW values -> real channels only. */
export function dropPadding(data: Float32Array, n: number, hw: number, g: Groups): Float32Array {
  if (realCount(g) === storedCount(g)) return data;
  const idx = storedIndex(g);
  const [r, s] = [realCount(g), storedCount(g)];
  const out = new Float32Array(n * r * hw);
  for (let b = 0; b < n; b++) {
    for (let c = 0; c < r; c++) out.set(data.subarray((b * s + idx[c]!) * hw, (b * s + idx[c]! + 1) * hw), (b * r + c) * hw);
  }
  return out;
}
