// Creating, filling and reading back GPU buffers.
import type { GpuContext } from './context.js';

const STORAGE_USAGE = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** A storage buffer of at least `bytes`; `fill`, if given, writes its initial contents while it is mapped. */
export function createStorageBuffer(ctx: GpuContext, bytes: number, label: string, fill?: (mapped: Uint8Array) => void): GPUBuffer {
  const max = ctx.limits.maxBufferSize;
  if (bytes > max) throw new Error(`${label}: buffer of ${bytes} bytes exceeds this device's maxBufferSize ${max}`);
  // WebGPU wants sizes that are multiples of 4; keep at least 16 bytes so an empty tensor still binds.
  const buffer = ctx.device.createBuffer({
    label,
    size: Math.max(16, Math.ceil(bytes / 16) * 16),
    usage: STORAGE_USAGE(),
    mappedAtCreation: fill !== undefined,
  });
  if (fill) {
    fill(new Uint8Array(buffer.getMappedRange()));
    buffer.unmap();
  }
  return buffer;
}

export function uploadFloat32(ctx: GpuContext, data: Float32Array, label: string): GPUBuffer {
  const buffer = createStorageBuffer(ctx, data.byteLength, label);
  ctx.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/**
 * Per device, the waits in progress (rejected together if it is lost) and, once lost, why. One reaction on
 * `ctx.lost` per device: a reaction per wait would be kept by that promise, pending for the device's whole life,
 * and grow with every call (the soak test found ~3 KB per segment()).
 */
const waits = new WeakMap<GpuContext, { pending: Set<(err: Error) => void>; lost?: string }>();

function waitsOf(ctx: GpuContext) {
  let w = waits.get(ctx);
  if (!w) {
    const created: { pending: Set<(err: Error) => void>; lost?: string } = { pending: new Set() };
    void ctx.lost.then((msg) => {
      created.lost = msg;
      for (const reject of created.pending) reject(new Error(msg));
    });
    waits.set(ctx, (w = created));
  }
  return w;
}

/** Waits for the queue, racing device loss so a lost device cannot hang the caller. */
export async function settle<T>(ctx: GpuContext, work: Promise<T>): Promise<T> {
  const w = waitsOf(ctx);
  // Observed from the start: on a lost device `work` is abandoned, and rejects later (a mapAsync when its
  // buffer is destroyed) where an unhandled rejection would end the process.
  work.catch(() => undefined);
  if (w.lost !== undefined) throw new Error(w.lost);
  let reject!: (err: Error) => void;
  const lost = new Promise<never>((_, r) => (reject = r));
  w.pending.add(reject);
  try {
    const result = await Promise.race([work, lost]);
    ctx.checkErrors();
    return result;
  } finally {
    w.pending.delete(reject);
  }
}

/**
 * Maps `buffer` for reading (settle's wait). On failure it is left unmapped: an error found after the map
 * succeeded (another call's validation error, device-wide) must not leave it mapped, which would fail every
 * later use of the buffer.
 */
export async function mapForReading(ctx: GpuContext, buffer: GPUBuffer): Promise<void> {
  try {
    await settle(ctx, buffer.mapAsync(GPUMapMode.READ));
  } catch (err) {
    if (buffer.mapState !== 'unmapped') buffer.unmap();
    throw err;
  }
}

/** Copies `bytes` from `buffer` at `offset` into a mappable buffer and returns them as floats. */
export async function readFloat32(ctx: GpuContext, buffer: GPUBuffer, offset = 0, bytes = buffer.size - offset): Promise<Float32Array> {
  const staging = ctx.device.createBuffer({ label: 'readback', size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const encoder = ctx.device.createCommandEncoder({ label: 'readback' });
    encoder.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
    ctx.device.queue.submit([encoder.finish()]);
    await mapForReading(ctx, staging);
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}
