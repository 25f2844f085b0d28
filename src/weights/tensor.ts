// Host-side tensors as every reader in this folder returns them: names, shapes and values only.

/** The element type a tensor was stored with. Its values are always decoded to float32. */
export type Dtype = 'f32' | 'f16' | 'bf16' | 'f64' | 'i64';

export interface HostTensor {
  shape: number[];
  /** The dtype in the file; `data` holds the values converted to float32 (i64 converted to the nearest float). */
  dtype: Dtype;
  /** Row-major, contiguous, length = product of shape (1 for a 0-dim tensor). */
  data: Float32Array;
}

/** Tensors by name, in file order. */
export type StateDict = Map<string, HostTensor>;

/** Bytes per element of each stored dtype. */
export const DTYPE_BYTES: Readonly<Record<Dtype, number>> = { f32: 4, f16: 2, bf16: 2, f64: 8, i64: 8 };

/** Product of the dimensions; 1 for a 0-dim tensor. */
export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Largest tensor any reader will materialise (1 GiB of float32), so a hostile shape cannot exhaust memory. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** Throws unless `shape` is a list of non-negative integers whose product stays under MAX_TENSOR_ELEMENTS. */
export function checkShape(shape: readonly unknown[], what: string): number[] {
  if (shape.length > 16) throw new Error(`${what}: ${shape.length} dimensions, at most 16 are supported`);
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${what}: shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`);
    }
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new Error(`${what}: shape [${shape.join(', ')}] has more than ${MAX_TENSOR_ELEMENTS} elements`);
    }
  }
  return shape as number[];
}
