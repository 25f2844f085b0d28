// One GPU device for the whole test run, and a way to run a single kernel call with NaN-poisoned outputs.
import { createNodeGpu } from '../../src/gpu/node-device.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { PipelineCache } from '../../src/gpu/pipelines.js';
import { readFloat32, settle, uploadFloat32 } from '../../src/gpu/buffers.js';
import { encodeDispatches, prepareDispatches } from '../../src/gpu/dispatch.js';
import type { KernelCall } from '../../src/kernels/kernel.js';

let shared: Promise<{ ctx: GpuContext; cache: PipelineCache }> | undefined;

export function testGpu(): Promise<{ ctx: GpuContext; cache: PipelineCache }> {
  shared ??= createNodeGpu().then((ctx) => {
    const a = ctx.adapter;
    console.log(`      [GPU] tests run on: ${a.description || a.device} (vendor ${a.vendor || '?'}, backend ${a.backend}, ${a.featureLevel})`);
    return { ctx, cache: new PipelineCache(ctx) };
  });
  return shared;
}

/**
 * Runs one kernel call. `inputs` fills the named slots; `outputs` names the slots to read back with their
 * float counts. Every output buffer starts as NaN so an element the kernel forgets to write fails the test.
 */
export async function runCall(call: KernelCall, inputs: Record<string, Float32Array>, outputs: Record<string, number>): Promise<Record<string, Float32Array>> {
  const { ctx, cache } = await testGpu();
  const buffers: GPUBuffer[] = [];
  const resources: Record<string, GPUBufferBinding> = {};
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
  const batch = await prepareDispatches(ctx, cache, [{ call, resources }]);
  try {
    const encoder = ctx.device.createCommandEncoder();
    encodeDispatches(encoder, batch.dispatches);
    ctx.device.queue.submit([encoder.finish()]);
    await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
    const result: Record<string, Float32Array> = {};
    for (const slot of Object.keys(outputs)) {
      result[slot] = (await readFloat32(ctx, resources[slot]!.buffer, 0, outputs[slot]! * 4));
    }
    return result;
  } finally {
    batch.destroy();
    for (const b of buffers) b.destroy();
  }
}
