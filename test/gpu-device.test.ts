// The device layer turns GPU validation errors and device loss into clear errors instead of silent results.
import { expect } from 'chai';
import { readFloat32, settle, uploadFloat32 } from '../src/gpu/buffers.js';
import { createNodeGpu } from '../src/gpu/node-device.js';

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
});
