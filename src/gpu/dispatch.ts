// Turning kernel calls into ready-to-encode dispatches: pipelines from the cache, every call's parameters in
// one uniform buffer, one bind group per call. All of it is built once; a forward pass only encodes.
import type { GpuContext } from './context.js';
import type { PipelineCache } from './pipelines.js';

/** One compute dispatch as the GPU layer needs it: shader, uniform words, grid, named storage bindings. */
export interface GpuCall {
  /** what this dispatch computes, for errors and profiles */
  label: string;
  /** the complete WGSL module; the pipeline cache key */
  code: string;
  /** the uniform block at @binding(0), as 32-bit words */
  params: Uint32Array;
  groups: [number, number, number];
  /** storage bindings by name and @binding number */
  bindings: readonly { name: string; binding: number }[];
}

export interface BoundCall<C extends GpuCall = GpuCall> {
  call: C;
  /** a buffer (and window) for every binding the call names */
  resources: Readonly<Record<string, GPUBufferBinding>>;
}

export interface PreparedDispatch<C extends GpuCall = GpuCall> {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  groups: [number, number, number];
  call: C;
}

export interface PreparedBatch<C extends GpuCall = GpuCall> {
  dispatches: PreparedDispatch<C>[];
  /** the uniform buffer shared by all dispatches; destroy() releases it */
  destroy(): void;
}

export async function prepareDispatches<C extends GpuCall>(ctx: GpuContext, cache: PipelineCache, bound: readonly BoundCall<C>[]): Promise<PreparedBatch<C>> {
  const align = ctx.limits.minUniformBufferOffsetAlignment;
  const offsets: number[] = [];
  let size = 0;
  for (const b of bound) {
    offsets.push(size);
    size += Math.ceil(b.call.params.byteLength / align) * align;
  }
  const uniforms = ctx.device.createBuffer({ label: 'kernel params', size: Math.max(size, 16), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const staging = new Uint8Array(Math.max(size, 16));
  bound.forEach((b, i) => staging.set(new Uint8Array(b.call.params.buffer, b.call.params.byteOffset, b.call.params.byteLength), offsets[i]));
  ctx.device.queue.writeBuffer(uniforms, 0, staging);

  const pipelines = await Promise.all(bound.map((b) => cache.get(b.call.code, b.call.label)));
  const dispatches = bound.map((b, i): PreparedDispatch<C> => {
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniforms, offset: offsets[i]!, size: b.call.params.byteLength } }];
    for (const { name, binding } of b.call.bindings) {
      const resource = b.resources[name];
      if (!resource) throw new Error(`${b.call.label}: no buffer bound for '${name}'`);
      entries.push({ binding, resource });
    }
    const pipeline = pipelines[i]!;
    const bindGroup = ctx.device.createBindGroup({ label: b.call.label, layout: pipeline.getBindGroupLayout(0), entries });
    return { label: b.call.label, pipeline, bindGroup, groups: b.call.groups, call: b.call };
  });
  ctx.checkErrors();
  return { dispatches, destroy: () => uniforms.destroy() };
}

/** Records dispatches into one compute pass (WebGPU orders them and makes each one's writes visible to the next). */
export function encodeDispatches(encoder: GPUCommandEncoder, dispatches: readonly PreparedDispatch[], label = 'forward'): void {
  const pass = encoder.beginComputePass({ label });
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
  }
  pass.end();
}
