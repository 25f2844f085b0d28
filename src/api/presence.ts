// What a probability map says, as the Segmenter and the frame pipeline report it: checked thresholds, the
// highest probability and the area at a threshold, and a refusal of non-finite maps.

/** A threshold option: a probability in [0, 1], 0.5 when not given. */
export function probabilityOption(t: number | undefined, name: string): number {
  if (t === undefined) return 0.5;
  // typeof first: null >= 0 is true in JavaScript, and options often come from JSON
  if (typeof t !== 'number' || !(t >= 0 && t <= 1)) throw new Error(`${name} must be a probability in [0, 1], got ${JSON.stringify(t) ?? String(t)}`);
  return t;
}

/** The highest probability and how many pixels reach `t`. */
export function presenceOf(p: Float32Array, t: number): { max: number; above: number } {
  let max = 0;
  let above = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! > max) max = p[i]!;
    if (p[i]! >= t) above++;
  }
  return { max, above };
}

/** A NaN map must never be presented as a result (it would mean bad weights or a broken device). */
export function checkFinite(p: Float32Array, what: string): void {
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i]!)) throw new Error(`${what}: the network produced a non-finite value (${p[i]}) at pixel ${i}; the weights or the GPU are faulty`);
  }
}
