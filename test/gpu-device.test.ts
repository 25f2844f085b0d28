// The device layer turns GPU validation errors and device loss into clear errors instead of silent results.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { mapForReading, readFloat32, settle, uploadFloat32 } from '../src/gpu/buffers.js';
import { createNodeGpu } from '../src/gpu/node-device.js';
import { FrameSegmenter } from '../src/api/frames.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';

describe('GPU device layer', () => {
  it("an uncaptured validation error surfaces at the next wait, with Dawn's message", async () => {
    const gpu = await createNodeGpu();
    try {
      const buf = uploadFloat32(gpu, new Float32Array(4), 'small');
      const encoder = gpu.device.createCommandEncoder();
      encoder.copyBufferToBuffer(buf, 0, buf, 0, 1 << 20); // out of range: a validation error
      gpu.device.queue.submit([encoder.finish()]);
      let err: Error | undefined;
      await settle(gpu, gpu.device.queue.onSubmittedWorkDone()).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/^GPU error/);
      expect(err?.message).to.match(/copy|size|range/i);
      // Reported once: the next wait is clean again.
      await settle(gpu, gpu.device.queue.onSubmittedWorkDone());
    } finally {
      gpu.destroy();
    }
  });

  it('a lost device makes waits fail with the loss reason instead of hanging or returning data', async () => {
    const gpu = await createNodeGpu();
    const buf = uploadFloat32(gpu, Float32Array.of(1, 2, 3, 4), 'data');
    gpu.device.destroy(); // what a driver reset looks like to the engine
    const reason = await gpu.lost;
    expect(reason).to.match(/GPU device lost \(destroyed\)/);
    let err: Error | undefined;
    await readFloat32(gpu, buf, 0, 16).catch((e: Error) => (err = e));
    expect(err, 'reading from a lost device must fail').to.not.equal(undefined);
  });

  it('an error found after a read-back buffer was mapped leaves it unmapped, so the next read works (one bad call, not a broken buffer)', async () => {
    const gpu = await createNodeGpu();
    try {
      const staging = gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }); // another call's validation error
      let err: Error | undefined;
      await mapForReading(gpu, staging).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/^GPU error.*usage/is);
      expect(staging.mapState).to.equal('unmapped');
      await mapForReading(gpu, staging);
      expect(Array.from(new Float32Array(staging.getMappedRange()))).to.deep.equal([0, 0, 0, 0]);
      staging.unmap();
    } finally {
      gpu.destroy();
    }
  });

  it('a frame segmenter used after its device was lost rejects, and disposes without an unhandled rejection (an abandoned map rejects when its buffer is freed)', async () => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const gpu = await createNodeGpu();
      const frames = await FrameSegmenter.create(gpu, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), { size: 64 }, true);
      const frame = { width: 8, height: 8, data: new Uint8Array(256).fill(90) };
      await frames.segment(frame);
      gpu.device.destroy(); // what a driver reset looks like
      await gpu.lost;
      let err: Error | undefined;
      await frames.segment(frame).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/GPU device lost/);
      await frames.dispose();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled.map(String)).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', note);
    }
  });

  it('devices come from one Dawn instance per backend: making and destroying six adds no threads (each instance keeps its own)', async () => {
    const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
    (await createNodeGpu()).destroy();
    const before = threads();
    for (let i = 0; i < 6; i++) (await createNodeGpu()).destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(threads() - before, 'threads added').to.be.at.most(1);
  });
});
