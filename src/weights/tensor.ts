// Host-side tensors as every reader in this folder returns them: names, shapes and values only.
import { describeList, describeValue } from './describe.js';

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

/**
 * Throws unless `shape` is a list of non-negative integers whose product stays under MAX_TENSOR_ELEMENTS. A
 * single dimension may not pass it either, even beside a 0: no reader or model allocates from such a shape.
 */
export function checkShape(shape: readonly unknown[], what: string): number[] {
  if (shape.length > 16) throw new Error(`${what}: ${shape.length} dimensions, at most 16 are supported`);
  let n = 1;
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${what}: shape ${describeList(shape)} has a dimension that is not a non-negative integer (dimension ${i} is ${describeValue(d)})`);
    }
    if (d > MAX_TENSOR_ELEMENTS) throw new Error(`${what}: shape ${describeList(shape)} has dimension ${i} of ${d}, more than the limit of ${MAX_TENSOR_ELEMENTS} elements`);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new Error(`${what}: shape ${describeList(shape)} has more than ${MAX_TENSOR_ELEMENTS} elements`);
    }
  });
  return shape as number[];
}
