// The video frame pipeline: pre-processing, network, resize and sigmoid on the GPU in one command buffer, up to
// maxInFlight frames at once, results in order, frames dropped (and counted) rather than queued when asked.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postprocessOnCpu } from '../src/api/postprocess-cpu.js';
import { FrameSegmenter, segmentFrames, type FrameResult } from '../src/api/frames.js';
import { Segmenter } from '../src/api/segmenter.js';
import { DEFAULT_WEIGHTS_FILE } from '../src/api/default-weights.js';
import type { GpuContext } from '../src/gpu/context.js';
import { PipelineCache } from '../src/gpu/pipelines.js';
import { decodeImage } from '../src/io/image.js';
import { frameInputReference } from '../src/kernels/frame-input.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { PraNetModel } from '../src/models/pranet-model.js';
import { expectClose } from './support/compare.js';
import { testGpu } from './support/gpu.js';
import { KVASIR_TEST, REPO_ROOT } from './support/paths.js';
import { rng } from './support/random.js';
import { requireSharedData } from './support/shared-data.js';
import { tinyPraNetTensors, tinyPraNetWeightFile } from './support/tiny-weights.js';
import { encodeWeightFile } from '../src/weights/engine-file.js';

const tiny = () => weightsFromBytes(tinyPraNetWeightFile(3), 'tiny');

function noiseFrame(width: number, height: number, seed: number) {
  const r = rng(seed);
  return { width, height, data: Uint8Array.from({ length: 4 * width * height }, () => Math.floor(256 * r())) };
}

/** Dice between probability >= 0.5 of two maps of one size. */
function dice(a: Float32Array, b: Float32Array): number {
  let both = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]! >= 0.5, b[i]! >= 0.5];
    both += Number(x && y);
    sum += Number(x) + Number(y);
  }
  return sum === 0 ? 1 : (2 * both) / sum;
}

describe('video frames on the GPU', function () {
  this.timeout(300_000);

  it('a frame gives what the float64 pre-processing, the network and the CPU resize + sigmoid give', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64 });
    const model = await PraNetModel.create(ctx, new PipelineCache(ctx), tiny(), { size: 64 });
    try {
      for (const [w, h, seed] of [
        [83, 71, 1],
        [40, 90, 2],
        [1, 1, 3],
      ] as const) {
        const frame = noiseFrame(w, h, seed);
        const got = await frames.segment(frame);
        const logits = (await model.run(Float32Array.from(frameInputReference(frame.data, w, h, 64)))).lateral_map_2!;
        const want = postprocessOnCpu(logits, 64, w, h).probability;
        expect([got.width, got.height]).to.deep.equal([w, h]);
        expectClose(got.probability, want, 1e-4, `${w}x${h}`);
        expect(got.maxProbability).to.equal(got.probability.reduce((a, b) => Math.max(a, b), 0));
        expect(got.areaFraction).to.equal(got.probability.filter((p) => p >= 0.5).length / (w * h));
        for (const k of ['uploadMs', 'gpuMs', 'readbackMs', 'latencyMs'] as const) expect(got.timings[k]).to.be.at.least(0);
      }
    } finally {
      await frames.dispose();
      model.destroy();
    }
  });

  it('a frame whose map is too large for one GPU buffer is resized on the CPU, as a still that large is; one whose pixels are too large is refused by name', async () => {
    const { ctx } = await testGpu();
    // The same device, said to hold at most 4 MiB per storage buffer: a 600x500 map (vec4 pixels, 16 bytes each:
    // 4.8 MB) is over it, its RGBA pixels (1.2 MB) and the tiny network's tensors are not.
    const limits: Record<string, unknown> = {};
    for (const k in ctx.limits) limits[k] = ctx.limits[k as keyof GPUSupportedLimits];
    limits.maxStorageBufferBindingSize = 4 << 20;
    const small = Object.create(ctx, { limits: { value: limits } }) as GpuContext;
    const [onGpu, onCpu] = await Promise.all([FrameSegmenter.create(ctx, tiny(), { size: 64 }), FrameSegmenter.create(small, tiny(), { size: 64 })]);
    try {
      const frame = noiseFrame(600, 500, 4);
      const [want, got] = [await onGpu.segment(frame), await onCpu.segment(frame)];
      expect([got.width, got.height]).to.deep.equal([600, 500]);
      expectClose(got.probability, want.probability, 1e-4, '600x500 resized on the CPU vs on the GPU');
      expect(got.maxProbability).to.equal(got.probability.reduce((a, b) => Math.max(a, b), 0));
      const huge = noiseFrame(1100, 1000, 5);
      const refused = await onCpu.segment(huge).then(
        () => 'segmented',
        (e: Error) => e.message,
      );
      expect(refused).to.equal(
        `a 1100x1000 frame is larger than this device takes: its 4400000 bytes of pixels exceed maxStorageBufferBindingSize (${4 << 20}); scale the frames down`,
      );
      expect((await onCpu.segment(frame)).probability, 'the next frame works').to.deep.equal(got.probability);
    } finally {
      await Promise.all([onGpu.dispose(), onCpu.dispose()]);
    }
  });

  it('weights that overflow float32 inside the network make a frame an error naming the first conv, not a map (found by its status word)', async () => {
    const { ctx } = await testGpu();
    const tensors = tinyPraNetTensors(3);
    for (const [key, t] of tensors) if (key.endsWith('.weight')) t.data = t.data.map((v) => v * 1e30);
    const frames = await FrameSegmenter.create(ctx, weightsFromBytes(encodeWeightFile(tensors, { dtype: 'f32', meta: {} }), 'scaled.pnw'), { size: 64 });
    try {
      const messages = await Promise.all(
        [noiseFrame(40, 30, 1), noiseFrame(40, 30, 2)].map((f) =>
          frames.segment(f).then(
            () => 'no error',
            (e: Error) => e.message,
          ),
        ),
      );
      messages.forEach((m, i) =>
        expect(m).to.match(
          new RegExp(
            `^frame ${i}: the network produced a non-finite value inside \\(resnet\\.conv1\\.3: conv2d 3x3 .*\\); the weights \\(scaled\\.pnw\\) or the GPU are faulty$`,
          ),
        ),
      );
    } finally {
      await frames.dispose();
    }
  });

  it('a stream: at most maxInFlight frames at once, every result in order, the same maps as one frame at a time', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64, maxInFlight: 2 });
    try {
      const source = Array.from({ length: 6 }, (_, i) => noiseFrame(50, 30, 10 + i));
      const one: FrameResult[] = [];
      for (const f of source) one.push(await frames.segment(f));
      let most = 0;
      const watch = setInterval(() => (most = Math.max(most, frames.inFlight)), 1);
      const streamed: FrameResult[] = [];
      try {
        for await (const r of segmentFrames(frames, source)) streamed.push(r);
      } finally {
        clearInterval(watch);
      }
      expect(streamed.map((r) => r.index)).to.deep.equal([6, 7, 8, 9, 10, 11]);
      expect(most, 'frames in the pipeline at once').to.equal(2);
      streamed.forEach((r, i) => expect(Array.from(r.probability), `frame ${i}`).to.deep.equal(Array.from(one[i]!.probability)));
    } finally {
      await frames.dispose();
    }
  });

  it('trySegment drops a frame when every slot is busy, and counts it; a new frame size is taken in stride', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64, maxInFlight: 2 });
    try {
      await frames.segment(noiseFrame(20, 20, 1)); // makes the resources for this size
      const started = [1, 2, 3, 4, 5].map((s) => frames.trySegment(noiseFrame(20, 20, s)));
      expect(started.map((p) => p !== undefined)).to.deep.equal([true, true, false, false, false]);
      expect(frames.dropped).to.equal(3);
      const done = await Promise.all(started.filter((p) => p !== undefined));
      expect(done.map((r) => r.index)).to.deep.equal([1, 2]);
      const bigger = await frames.segment(noiseFrame(33, 17, 9));
      expect([bigger.width, bigger.height, bigger.index]).to.deep.equal([33, 17, 6]);
      let err: Error | undefined;
      await frames.segment({ width: 5, height: 5, data: new Uint8Array(7) }).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/frame 7: expected 5x5 RGBA pixels \(100 bytes\), got 7 bytes/);
    } finally {
      await frames.dispose();
    }
    let err: Error | undefined;
    await frames.segment(noiseFrame(20, 20, 1)).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/disposed/);
  });

  it('frames of three sizes in flight at once each give what they give alone (a new size waits for the frames running)', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64, maxInFlight: 2 });
    try {
      const source = [noiseFrame(32, 32, 1), noiseFrame(48, 40, 2), noiseFrame(40, 24, 3), noiseFrame(32, 32, 4), noiseFrame(48, 40, 5)];
      const alone: FrameResult[] = [];
      for (const f of source) alone.push(await frames.segment(f));
      const together = await Promise.all(source.map((f) => frames.segment(f)));
      together.forEach((r, i) => {
        expect([r.width, r.height], `frame ${i}`).to.deep.equal([source[i]!.width, source[i]!.height]);
        expect(Array.from(r.probability), `frame ${i}`).to.deep.equal(Array.from(alone[i]!.probability));
      });
    } finally {
      await frames.dispose();
    }
  });

  it('dispose() waits for the frames in flight, even one still waiting for its size; every call returns the same promise', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64, maxInFlight: 1 });
    const first = frames.segment(noiseFrame(20, 12, 1));
    const second = frames.segment(noiseFrame(16, 16, 2)); // another size: waits for the first
    const disposed = frames.dispose();
    expect(frames.dispose()).to.equal(disposed);
    const done: string[] = [];
    await Promise.all([
      first.then((r) => done.push(`first ${r.width}x${r.height}`)),
      second.then(
        () => done.push('second ran'),
        (e: Error) => done.push(`second: ${e.message}`),
      ),
      disposed.then(() => done.push('disposed')),
    ]);
    expect(done).to.have.members(['first 20x12', 'second: this frame segmenter has been disposed', 'disposed']);
    expect(done.at(-1), 'disposed after the frame in flight').to.equal('disposed');
  });

  it('a malformed frame is an error naming it, before anything changes; the next good frame works', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64 });
    try {
      await frames.segment(noiseFrame(20, 20, 1));
      const bad: [unknown, RegExp][] = [
        [null, /^frame 1: expected RGBA bytes \(\{ width, height, data \}\), got null$/],
        [{ width: 4, height: 4, data: new Float32Array(64) }, /^frame 2: data must be RGBA bytes \(a Uint8Array or Uint8ClampedArray\), got a Float32Array$/],
        [{ width: 4, height: 4, data: Array(64).fill(0) }, /^frame 3: data must be RGBA bytes .*got an Array$/],
        [{ width: 4, height: 4 }, /^frame 4: expected RGBA bytes .*got an Object$/],
        [{ width: 0, height: 4, data: new Uint8Array(0) }, /^frame 5: a frame must have a positive width and height, got 0x4$/],
        [{ width: 5, height: 5, data: new Uint8Array(7) }, /^frame 6: expected 5x5 RGBA pixels \(100 bytes\), got 7 bytes$/],
      ];
      for (const [frame, message] of bad) {
        const got = await frames.segment(frame as never).then(
          () => 'no error',
          (e: Error) => e.message,
        );
        expect(got).to.match(message);
      }
      expect(frames.inFlight).to.equal(0);
      expect((await frames.segment(noiseFrame(20, 20, 2))).index).to.equal(7);
    } finally {
      await frames.dispose();
    }
    const refused = await FrameSegmenter.create(ctx, tiny(), { presenceThreshold: null as never }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(refused).to.match(/presenceThreshold must be a probability in \[0, 1\], got null/);
  });

  it('a GPU error from elsewhere on the device costs one frame, not its slot: the frames after it work', async () => {
    const { ctx } = await testGpu();
    const frames = await FrameSegmenter.create(ctx, tiny(), { size: 64, maxInFlight: 1 });
    try {
      const want = await frames.segment(noiseFrame(16, 16, 1));
      ctx.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }); // a validation error
      const hit = await frames.segment(noiseFrame(16, 16, 1)).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      expect(hit).to.match(/^GPU error/);
      for (let i = 0; i < 2; i++) expect(Array.from((await frames.segment(noiseFrame(16, 16, 1))).probability)).to.deep.equal(Array.from(want.probability));
    } finally {
      await frames.dispose();
    }
  });

  it('the built-in model on Kvasir test images: the GPU (PyTorch-style) pre-processing gives masks close to the PIL-exact still path (median Dice >= 0.995) and max probability within 0.05', async function () {
    requireSharedData(this, join(KVASIR_TEST, 'images'));
    const { ctx } = await testGpu();
    const path = join(REPO_ROOT, DEFAULT_WEIGHTS_FILE);
    const weights = weightsFromBytes(readFileSync(path), path);
    const frames = await FrameSegmenter.create(ctx, weights);
    const still = await Segmenter.create(ctx, weights);
    try {
      // The first 4 test images here; `node dist/tools/video/frame-vs-still.js` measures all 100 for the README.
      const names = ['cju0u82z3cuma0835wlxrnrjv', 'cju15wdt3zla10801odjiw7sy', 'cju16ach3m1da0993r1dq3sn2', 'cju16whaj0e7n0855q7b6cjkm'];
      const dices: number[] = [];
      for (const n of names) {
        const img = decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${n}.jpg`)), n);
        const [f, s] = [await frames.segment(img), await still.segment(img)];
        const d = dice(f.probability, s.probability);
        console.log(`      ${n}: Dice ${d.toFixed(4)}, max probability ${f.maxProbability.toFixed(4)} (still ${s.maxProbability.toFixed(4)})`);
        dices.push(d);
        expect(Math.abs(f.maxProbability - s.maxProbability), n).to.be.at.most(0.05);
      }
      // Over all 100 test images the mean is 0.9952 (the tool above; README); on these four, measured 0.9995,
      // 0.9994, 0.9998 and 0.9711 (a polyp edge the two resamplings place a pixel apart), the median must hold.
      const sorted = [...dices].sort((a, b) => a - b);
      expect((sorted[1]! + sorted[2]!) / 2, 'median Dice').to.be.at.least(0.995);
      expect(sorted[0], 'lowest Dice').to.be.at.least(0.95);
    } finally {
      await frames.dispose();
      await still.dispose();
    }
  });
});
