// GPU time of every dispatch. With `timestamp-query`, each dispatch gets its own compute pass whose begin
// and end timestamps are written into a query set; otherwise each dispatch is submitted alone and timed
// with the host clock until the queue is idle (marked as such: it includes submit and wait overhead).
import { mapForReading, settle } from './buffers.js';
import type { GpuContext } from './context.js';
import type { PreparedDispatch } from './dispatch.js';

export interface DispatchTime {
  label: string;
  ms: number;
}

export interface ProfileResult {
  method: 'timestamp-query' | 'host-clock';
  times: DispatchTime[];
}

export async function profileDispatches(ctx: GpuContext, dispatches: readonly PreparedDispatch[], before?: () => void): Promise<ProfileResult> {
  before?.();
  if (ctx.features.has('timestamp-query')) return { method: 'timestamp-query', times: await withTimestamps(ctx, dispatches) };
  const times: DispatchTime[] = [];
  for (const d of dispatches) {
    await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
    const t0 = performance.now();
    const encoder = ctx.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(...d.groups);
    pass.end();
    ctx.device.queue.submit([encoder.finish()]);
    await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
    times.push({ label: d.label, ms: performance.now() - t0 });
  }
  return { method: 'host-clock', times };
}

async function withTimestamps(ctx: GpuContext, dispatches: readonly PreparedDispatch[]): Promise<DispatchTime[]> {
  const device = ctx.device;
  const maxQueries = 4096; // WebGPU's limit on a query set
  const times: DispatchTime[] = [];
  for (let start = 0; start < dispatches.length; start += maxQueries / 2) {
    const chunk = dispatches.slice(start, start + maxQueries / 2);
    const count = 2 * chunk.length;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolve = device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      const encoder = device.createCommandEncoder({ label: 'profile' });
      chunk.forEach((d, i) => {
        const pass = encoder.beginComputePass({
          label: d.label,
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 },
        });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(...d.groups);
        pass.end();
      });
      encoder.resolveQuerySet(querySet, 0, count, resolve, 0);
      encoder.copyBufferToBuffer(resolve, 0, read, 0, 8 * count);
      device.queue.submit([encoder.finish()]);
      await mapForReading(ctx, read);
      const ns = new BigUint64Array(read.getMappedRange().slice(0));
      chunk.forEach((d, i) => times.push({ label: d.label, ms: Number(ns[2 * i + 1]! - ns[2 * i]!) / 1e6 }));
    } finally {
      querySet.destroy();
      resolve.destroy();
      read.destroy();
    }
  }
  return times;
}
