// Rejects tensors with NaN or infinite values, naming the tensor and the first bad element.

/** The first NaN or infinite value of `data` (its index and value) and how many there are, or undefined. */
export function firstNonFinite(data: Float32Array): { index: number; value: number; count: number } | undefined {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      // v - v is NaN exactly for NaN and +-Infinity; the slow path only runs once
      let count = 0;
      for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j]!)) count++;
      return { index: i, value: v, count };
    }
  }
  return undefined;
}

export function assertFinite(name: string, data: Float32Array, source: string): void {
  const bad = firstNonFinite(data);
  if (bad) throw new Error(`${source}: tensor '${name}' has ${bad.count} non-finite value(s); the first is ${bad.value} at element ${bad.index}`);
}
