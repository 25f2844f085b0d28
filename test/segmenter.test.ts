// The library API: what an app embeds. Checked with a tiny random network (no Python needed).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postprocessOnCpu } from '../src/api/postprocess-cpu.js';
import { PostprocessGraphs } from '../src/api/postprocess-graph.js';
import { Segmenter, type Segmentation } from '../src/api/segmenter.js';
import { loadFrameSegmenter, loadSegmenter, NoWebGpuError, WeightsLoadError } from '../src/index.js';
import { expectClose } from './support/compare.js';
import { rng, uniform } from './support/random.js';
import { decodeImage } from '../src/io/image.js';
import type { RgbaImage } from '../src/io/rgba-image.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { testGpu } from './support/gpu.js';
import { KVASIR_TEST } from './support/paths.js';
import { requireSharedData } from './support/shared-data.js';
import { tinyPraNetTensors, tinyPraNetWeightFile } from './support/tiny-weights.js';
import { encodeWeightFile } from '../src/weights/engine-file.js';

describe('post-processing', () => {
  it('the CPU path (for maps too large for one GPU buffer) equals the GPU graph', async () => {
    const { ctx, cache } = await testGpu();
    const logits = uniform(rng(5), 352 * 352, -12, 6);
    const gpu = new PostprocessGraphs(ctx, cache, 352);
    try {
      for (const [w, h] of [
        [622, 529],
        [300, 900],
        [1, 1],
      ] as const) {
        const want = await gpu.run(logits, w, h);
        const got = postprocessOnCpu(logits, 352, w, h);
        expectClose(got.probability, want.probability, 1e-5, `${w}x${h} probability`);
        expectClose(got.normalized, want.normalized, 1e-5, `${w}x${h} normalized`);
      }
    } finally {
      gpu.destroy();
    }
  });
});

/** [min, max] of a map (too long for Math.min(...map)). */
const extent = (m: Float32Array): [number, number] => m.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);

describe('Segmenter API', () => {
  const names = ['cju0u82z3cuma0835wlxrnrjv', 'cju15wdt3zla10801odjiw7sy', 'cju16ach3m1da0993r1dq3sn2'];
  let images: RgbaImage[];
  before(function () {
    requireSharedData(this, join(KVASIR_TEST, 'images'));
    images = names.map((n) => decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${n}.jpg`)), n));
  });

  async function segmenter(batch: number, allMaps = false): Promise<Segmenter> {
    const { ctx } = await testGpu();
    return Segmenter.create(ctx, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), { batch, allMaps });
  }

  it('computes only lateral_map_2 by default; allMaps returns all four, lateral_map_2 unchanged', async () => {
    const plain = await segmenter(1);
    const all = await segmenter(1, true);
    try {
      const a = await plain.segment(images[1]!, { logits: true });
      const b = await all.segment(images[1]!, { logits: true });
      expect(a.lateralMaps).to.equal(undefined);
      expect(Object.keys(b.lateralMaps!)).to.deep.equal(['lateral_map_5', 'lateral_map_4', 'lateral_map_3', 'lateral_map_2']);
      for (const m of Object.values(b.lateralMaps!)) expect(m.length).to.equal(352 * 352);
      expect(Array.from(b.lateralMaps!.lateral_map_2)).to.deep.equal(Array.from(a.logits!));
      expect(plain.network.compiled.plan.steps.length).to.be.lessThan(all.network.compiled.plan.steps.length);
    } finally {
      await plain.dispose();
      await all.dispose();
    }
  });

  it("returns maps at each image's own size: the probability, its min-max stretch (spanning [0, 1]) and masks = bytescale", async () => {
    const s = await segmenter(1);
    try {
      const r = await s.segment(images[0]!, { logits: true });
      expect([r.width, r.height]).to.deep.equal([images[0]!.width, images[0]!.height]);
      for (const m of [r.probability, r.normalized, r.mask]) expect(m.length).to.equal(r.width * r.height);
      expect(r.logits!.length).to.equal(352 * 352);
      const [lo, hi] = extent(r.probability);
      expect(lo).to.be.above(0);
      expect(hi).to.be.below(1);
      expect(hi - lo, 'a random network is not constant').to.be.above(1e-3);
      for (let i = 0; i < r.normalized.length; i += 997) expect(r.normalized[i]).to.be.closeTo((r.probability[i]! - lo) / (hi - lo), 1e-5);
      const [nlo, nhi] = extent(r.normalized);
      expect(nlo).to.be.closeTo(0, 1e-6);
      expect(nhi).to.be.closeTo(1, 1e-6);
      for (let i = 0; i < r.mask.length; i += 997) expect(r.mask[i]).to.equal(Math.floor(255 * r.normalized[i]! + 0.5));
      const t = s.lastTimings;
      for (const k of ['preprocessMs', 'uploadMs', 'networkMs', 'readbackMs', 'postprocessMs'] as const) expect(t[k]).to.be.greaterThan(0);
    } finally {
      await s.dispose();
    }
  });

  it('reports the highest probability, presence and the area at the thresholds asked for; refuses a threshold outside [0, 1]', async () => {
    const s = await segmenter(1);
    try {
      const r = await s.segment(images[2]!);
      const max = extent(r.probability)[1];
      expect(r.maxProbability).to.equal(max);
      const median = [...r.probability].sort((a, b) => a - b)[r.probability.length >> 1]!;
      for (const t of [0, median, max, Math.min(1, max + 1e-3)]) {
        const q = await s.segment(images[2]!, { presenceThreshold: t, maskThreshold: t });
        expect(q.polypPresent, `presence at ${t}`).to.equal(max >= t);
        expect(q.areaFraction, `area at ${t}`).to.equal(r.probability.filter((p) => p >= t).length / r.probability.length);
      }
      expect(r.polypPresent).to.equal(max >= 0.5);
      expect(r.areaFraction).to.equal(r.probability.filter((p) => p >= 0.5).length / r.probability.length);
      for (const bad of [-0.1, 1.5, NaN, null, true, '0.5'] as never[]) {
        const message = await s.segment(images[2]!, { presenceThreshold: bad }).then(
          () => 'no error',
          (e: Error) => e.message,
        );
        expect(message).to.match(/presenceThreshold must be a probability in \[0, 1\]/);
      }
    } finally {
      await s.dispose();
    }
  });

  it('a batch of 2 (with a short last chunk) gives the same maps as one image at a time', async () => {
    const one = await segmenter(1);
    const two = await segmenter(2);
    try {
      const single = await one.segmentBatch(images);
      const batched = await two.segmentBatch(images);
      expect(batched).to.have.length(3);
      for (let k = 0; k < 3; k++) {
        let worst = 0;
        for (let i = 0; i < single[k]!.probability.length; i++) worst = Math.max(worst, Math.abs(single[k]!.probability[i]! - batched[k]!.probability[i]!));
        expect(worst, `image ${k}`).to.be.below(1e-5);
      }
    } finally {
      await one.dispose();
      await two.dispose();
    }
  });

  it('calls made while another runs wait their turn and get their own results', async () => {
    const s = await segmenter(1);
    try {
      const one = await Promise.all(images.map((img) => s.segment(img)));
      const again: Segmentation[] = [];
      for (const img of images) again.push(await s.segment(img));
      one.forEach((r, k) => expect(Array.from(r.mask), `image ${k}`).to.deep.equal(Array.from(again[k]!.mask)));
    } finally {
      await s.dispose();
    }
  });

  it('refuses malformed pixels and use after dispose, naming the problem', async () => {
    const s = await segmenter(1);
    try {
      const tiny = await s.segment({ width: 3, height: 2, data: new Uint8ClampedArray(24).fill(200) }); // ImageData-like input
      expect([tiny.width, tiny.height, tiny.mask.length]).to.deep.equal([3, 2, 6]);
      let err: Error | undefined;
      await s.segment({ width: 4, height: 4, data: new Uint8Array(10) }).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/image 0: expected RGBA pixels \(width \* height \* 4 bytes\), got 4x4 with 10 bytes/);
      for (const bad of [{ width: 4, height: 4 }, 'pixels.png', null]) {
        const message = await s.segment(bad as never).then(
          () => 'no error',
          (e: Error) => e.message,
        );
        expect(message, JSON.stringify(bad)).to.match(
          /image 0: expected RGBA pixels \(\{ width, height, data: Uint8Array \}\), ImageData or an ImageBitmap, got /,
        );
      }
    } finally {
      await s.dispose();
    }
    let err: Error | undefined;
    await s.segment(images[0]!).catch((e: Error) => (err = e));
    expect(err?.message).to.match(/disposed/);
  });

  it('segmentBatch of something not an array is a rejected promise, not an exception thrown at the caller', async () => {
    const s = await segmenter(1);
    try {
      let returned: Promise<unknown> | undefined;
      expect(() => (returned = s.segmentBatch(images[0]! as never))).to.not.throw();
      expect(
        await returned!.then(
          () => 'no error',
          (e: Error) => e.message,
        ),
      ).to.match(/^segmentBatch takes an array of images, got object$/);
    } finally {
      await s.dispose();
    }
  });

  it('a GPU error from elsewhere on the device costs one call, not the read-back buffer: the calls after it work', async () => {
    const s = await segmenter(1);
    try {
      const want = await s.segment(images[0]!);
      s.gpu.device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }); // a validation error
      expect(
        await s.segment(images[0]!).then(
          () => 'no error',
          (e: Error) => e.message,
        ),
      ).to.match(/^GPU error/);
      for (let i = 0; i < 2; i++) expect(Array.from((await s.segment(images[0]!)).probability)).to.deep.equal(Array.from(want.probability));
    } finally {
      await s.dispose();
    }
  });

  it('weights that overflow float32 inside the network (convs scaled by 1e30) are an error naming the first conv, not a blank mask', async () => {
    const { ctx } = await testGpu();
    const tensors = tinyPraNetTensors(3);
    for (const [key, t] of tensors) if (key.endsWith('.weight')) t.data = t.data.map((v) => v * 1e30);
    const file = encodeWeightFile(tensors, { dtype: 'f32', meta: {} });
    const s = await Segmenter.create(ctx, weightsFromBytes(file, 'scaled.pnw'), {});
    try {
      const message = await s.segment(images[0]!).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      // The first conv's sums (27 products of ~1e30) stay finite; the second's overflow.
      expect(message).to.match(
        /^image 0: the network produced a non-finite value inside \(resnet\.conv1\.3: conv2d 3x3 .*\); the weights \(scaled\.pnw\) or the GPU are faulty$/,
      );
      const fine = await Segmenter.create(ctx, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), {});
      expect((await fine.segment(images[0]!)).maxProbability).to.be.greaterThan(0);
      await fine.dispose();
    } finally {
      await s.dispose();
    }
  });

  it('dispose() lets calls made just before it finish: segment(); dispose(); await resolves', async () => {
    const s = await segmenter(1);
    const pending = s.segment(images[0]!);
    const bad = s.segment({ width: 2, height: 2, data: new Uint8Array(3) }).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    const disposed = s.dispose();
    const r = await pending;
    expect(r.mask.length).to.equal(images[0]!.width * images[0]!.height);
    expect(await bad).to.match(/image 0: expected RGBA pixels/);
    await disposed;
    const after = await s.segment(images[0]!).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(after).to.match(/disposed/);
  });
});

describe("Node's loaders", () => {
  it('reject as the browser ones do: a weight file that fails to load is a WeightsLoadError naming it, exported with NoWebGpuError', async () => {
    const missing = '/nonexistent/model.pnw';
    const err = await loadSegmenter(missing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(WeightsLoadError);
    expect((err as WeightsLoadError).source).to.equal(missing);
    expect((err as Error).message).to.match(/^\/nonexistent\/model\.pnw: /);
    const bytes = await loadFrameSegmenter(new Uint8Array(10)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(bytes).to.be.instanceOf(WeightsLoadError);
    expect((bytes as WeightsLoadError).source).to.equal('weight bytes');
    expect(new NoWebGpuError('x').name).to.equal('NoWebGpuError');
  });

  it('weights that read but do not fit the architecture are a WeightsLoadError too; an impossible size is not', async () => {
    const rejection = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );
    const tensors = tinyPraNetTensors();
    tensors.delete('ra2_conv2.conv.weight');
    const cut = encodeWeightFile(tensors, { dtype: 'f32', meta: {} });
    for (const err of [await rejection(loadSegmenter(cut, { size: 32 })), await rejection(loadFrameSegmenter(cut, { size: 32 }))]) {
      expect(err, 'a weight file missing a key').to.be.instanceOf(WeightsLoadError);
      expect((err as WeightsLoadError).source).to.equal('weight bytes');
      expect((err as Error).message).to.match(
        /^weight bytes: the weights do not fit the PraNet architecture \(1 problem\):\n {2}missing key 'ra2_conv2\.conv\.weight'/,
      );
    }
    const size = await rejection(loadSegmenter(tinyPraNetWeightFile(), { size: 33 }));
    expect(size).to.be.instanceOf(Error).and.not.instanceOf(WeightsLoadError);
    expect((size as Error).message).to.equal('PraNet input size 33 must be a positive multiple of 32');
  });
});
