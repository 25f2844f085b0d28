// Runs one kernel call on any GpuContext with NaN-poisoned outputs, so an unwritten element shows. Host-neutral:
// the Node tests (support/gpu.ts) and the browser harness run the same calls through it. A call with a status
// binding gets a zeroed status word; name `status` among the outputs to read it back (its bits, as floats).
import { readFloat32, settle, uploadFloat32 } from '../../src/gpu/buffers.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { encodeDispatches, prepareDispatches } from '../../src/gpu/dispatch.js';
import type { PipelineCache } from '../../src/gpu/pipelines.js';
import type { KernelCall } from '../../src/kernels/kernel.js';

export async function runKernelCall(
  ctx: GpuContext,
  cache: PipelineCache,
  call: KernelCall,
  inputs: Record<string, Float32Array>,
  outputs: Record<string, number>,
): Promise<Record<string, Float32Array>> {
  const buffers: GPUBuffer[] = [];
  const resources: Record<string, GPUBufferBinding> = {};
  try {
    for (const [slot, data] of Object.entries(inputs)) {
      const b = uploadFloat32(ctx, data, `${call.label} ${slot}`);
      buffers.push(b);
      resources[slot] = { buffer: b, size: Math.max(16, data.byteLength) };
    }
    for (const [slot, floats] of Object.entries(outputs)) {
      const b = uploadFloat32(ctx, new Float32Array(Math.max(4, floats)).fill(NaN), `${call.label} ${slot}`);
      buffers.push(b);
      resources[slot] = { buffer: b, size: Math.max(16, floats * 4) };
    }
    for (const { name } of call.bindings.filter((x) => x.role === 'status')) {
      const b = uploadFloat32(ctx, new Float32Array(4), `${call.label} ${name}`);
      buffers.push(b);
      resources[name] = { buffer: b, size: 16 };
    }
    const batch = await prepareDispatches(ctx, cache, [{ call, resources }]);
    try {
      const encoder = ctx.device.createCommandEncoder();
      encodeDispatches(encoder, batch.dispatches);
      ctx.device.queue.submit([encoder.finish()]);
      await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
      const result: Record<string, Float32Array> = {};
      for (const [slot, floats] of Object.entries(outputs)) result[slot] = await readFloat32(ctx, resources[slot]!.buffer, 0, floats * 4);
      return result;
    } finally {
      batch.destroy();
    }
  } finally {
    for (const b of buffers) b.destroy();
  }
}
