// Materialises a torch tensor view (storage offset + strides over a flat storage) as a contiguous tensor.
import { decodeElements, elementReader, type ElementReader } from './decode.js';
import { DTYPE_BYTES, numelOf, type HostTensor } from './tensor.js';
import type { TensorRef } from './torch-pickle.js';

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/** Copies the elements a view selects, in row-major order, straight from the storage (`read`, element 0 = the view's offset). */
function gather(read: ElementReader, shape: readonly number[], stride: readonly number[], out: Float32Array): void {
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const inner = shape[nd - 1]!;
  const innerStride = stride[nd - 1]!;
  let pos = 0;
  for (let o = 0; o < out.length; o += inner) {
    for (let j = 0; j < inner; j++) out[o + j] = read(pos + j * innerStride);
    // advance the outer index like an odometer
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      pos += stride[d]!;
      if (idx[d]! < shape[d]!) break;
      pos -= stride[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * Reads the tensor `name` from the raw bytes of its storage. Checks that every element the view touches
 * lies inside the storage before reading anything.
 */
export function readTensorView(name: string, ref: TensorRef, storageBytes: Uint8Array, source: string): HostTensor {
  const { storage, offset, shape, stride } = ref;
  const numel = numelOf(shape);
  const size = DTYPE_BYTES[storage.dtype];
  if (storageBytes.length !== storage.numel * size) {
    throw new Error(`${source}: storage '${storage.key}' of tensor '${name}' holds ${storageBytes.length} bytes, expected ${storage.numel} ${storage.dtype} elements = ${storage.numel * size} bytes`);
  }
  if (numel === 0) return { shape, dtype: storage.dtype, data: new Float32Array(0) };
  let last = offset;
  for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
  if (last >= storage.numel) {
    throw new Error(`${source}: tensor '${name}' (shape [${shape.join(', ')}], stride [${stride.join(', ')}], offset ${offset}) reaches element ${last} of storage '${storage.key}', which holds ${storage.numel} elements`);
  }
  if (isContiguous(shape, stride)) {
    return { shape, dtype: storage.dtype, data: decodeElements(storageBytes, offset * size, numel, storage.dtype) };
  }
  // Not the whole span the view reaches: a few elements far apart may span gigabytes.
  const data = new Float32Array(numel);
  gather(elementReader(storageBytes, offset * size, last - offset + 1, storage.dtype), shape, stride, data);
  return { shape, dtype: storage.dtype, data };
}
