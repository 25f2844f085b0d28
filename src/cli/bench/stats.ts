// Summary statistics of repeated run times.

export interface RunStats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function runStats(times: readonly number[], what: string): RunStats {
  if (times.length === 0) throw new Error(`${what}: no runs to summarise`);
  if (times.some((t) => !Number.isFinite(t) || t < 0)) throw new Error(`${what}: run times must be finite and >= 0, got [${times.join(', ')}]`);
  const s = [...times].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** Relative L2 distance of `got` from `want` (both the same length). */
export function relativeL2(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`outputs differ in length: ${got.length} vs ${want.length}`);
  let d2 = 0;
  let w2 = 0;
  for (let i = 0; i < want.length; i++) {
    const d = got[i]! - want[i]!;
    d2 += d * d;
    w2 += want[i]! * want[i]!;
  }
  return Math.sqrt(d2 / Math.max(w2, 1e-300));
}
