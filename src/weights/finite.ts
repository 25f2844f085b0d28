// Rejects tensors with NaN or infinite values, naming the tensor and the first bad element.

export function assertFinite(name: string, data: Float32Array, source: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      // v - v is NaN exactly for NaN and +-Infinity; the slow path only runs once
      let count = 0;
      for (let j = i; j < data.length; j++) if (!Number.isFinite(data[j]!)) count++;
      throw new Error(`${source}: tensor '${name}' has ${count} non-finite value(s); the first is ${v} at element ${i}`);
    }
  }
}
