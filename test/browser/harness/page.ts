// The browser tests' page (bundled by the tests, never shipped): exposes window.harnessReady, which runs
// kernel calls on the page's own WebGPU device and segments through the public browser API.
import { imageToRgba, loadFrameSegmenter, loadSegmenter, tuneThisDevice } from '../../../src/browser.js';
import { createBrowserGpu } from '../../../src/gpu/browser-device.js';
import { PipelineCache } from '../../../src/gpu/pipelines.js';
import { runKernelCall } from '../../support/run-kernel.js';
import { bytesFromBase64, callFromWire, floatsFromBase64, type Harness, toBase64 } from '../support/wire.js';
import { frameCases } from './frame-cases.js';

async function start(): Promise<Harness> {
  const ctx = await createBrowserGpu();
  const cache = new PipelineCache(ctx);
  return {
    adapter: ctx.adapter,
    async readCanvas(width, height) {
      return imageToRgba(new OffscreenCanvas(width, height)).then(
        () => 'read',
        (e: Error) => e.message,
      );
    },
    async tune(weightsUrl, size) {
      const quick = { rounds: 1, maxCandidates: 1, minRunMs: 2 };
      const { table, convs, where } = await tuneThisDevice(weightsUrl, { size, ...quick });
      const half = await tuneThisDevice(weightsUrl, { size: size / 2, ...quick });
      const segmenter = await loadSegmenter(weightsUrl, { size });
      try {
        return {
          chosen: half.table.chosen, // the stored table's, which the segmenter describes
          passes: Object.keys(table.passMs),
          convs: convs.map((c) => c.conv),
          where,
          halfSizeConvs: half.convs.map((c) => c.conv),
          storedRules: half.table.rules.map((r) => r.conv ?? ''),
          storedEarlier: (half.table.earlier ?? []).map((e) => ({ size: e.size, batch: e.batch })),
          tilingDescription: segmenter.tilingDescription,
        };
      } finally {
        await segmenter.dispose();
      }
    },
    async runCall(call, inputs, outputs) {
      const data = Object.fromEntries(Object.entries(inputs).map(([slot, b64]) => [slot, floatsFromBase64(b64)]));
      const result = await runKernelCall(ctx, cache, callFromWire(call), data, outputs);
      return Object.fromEntries(Object.entries(result).map(([slot, f]) => [slot, toBase64(f)]));
    },
    async frames(weightsUrl, size, image) {
      const frames = await loadFrameSegmenter(weightsUrl, { size });
      const pixels = { width: image.width, height: image.height, data: bytesFromBase64(image.data) };
      const imageData = new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height);
      const bitmap = await createImageBitmap(imageData, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      try {
        const maps: string[] = [];
        for (const frame of [pixels, bitmap, pixels, bitmap]) maps.push(toBase64((await frames.segment(frame)).probability));
        return maps;
      } finally {
        bitmap.close();
        await frames.dispose();
      }
    },
    frameCases,
    async segment(weightsUrl, size, image, bitmap = false) {
      const segmenter = await loadSegmenter(weightsUrl, { size });
      try {
        const pixels = { width: image.width, height: image.height, data: bytesFromBase64(image.data) };
        const out = await segmenter.segment(pixels, { logits: true });
        const result = {
          logits: toBase64(out.logits!),
          probability: toBase64(out.probability),
          normalized: toBase64(out.normalized),
          adapter: segmenter.gpu.adapter,
        };
        if (!bitmap) return result;
        const imageData = new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height);
        const source = await createImageBitmap(imageData, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        try {
          return { ...result, bitmapProbability: toBase64((await segmenter.segment(source)).probability) };
        } finally {
          source.close();
        }
      } finally {
        await segmenter.dispose();
      }
    },
  };
}

window.harnessReady = start();
