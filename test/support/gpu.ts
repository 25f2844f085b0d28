// One GPU device for the whole test run, and a way to run a single kernel call with NaN-poisoned outputs.
import { createNodeGpu } from '../../src/gpu/node-device.js';
import type { GpuContext } from '../../src/gpu/context.js';
import { PipelineCache } from '../../src/gpu/pipelines.js';
import type { KernelCall } from '../../src/kernels/kernel.js';
import { runKernelCall } from './run-kernel.js';

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
  return runKernelCall(ctx, cache, call, inputs, outputs);
}
