// The worker tests' page (bundled by the tests, never shipped): exposes window.workerHarness, which runs the same
// segmentation with the main-thread engine (src/browser.ts) and in a worker (src/worker-client.ts, its worker
// bundled next to this page's script as worker.js), and measures how long the page's timer stalls meanwhile.
import { loadSegmenter } from '../../../src/browser.js';
import { loadSegmenterInWorker, WeightsLoadError, WorkerSegmenter, type Segmentation } from '../../../src/worker-client.js';
import { bytesFromBase64, toBase64, type WireImage } from '../support/wire.js';
import type { Stall, WireSegmentation, WorkerHarness } from '../support/worker-wire.js';

function wireResult(r: Segmentation): WireSegmentation {
  return {
    width: r.width,
    height: r.height,
    logits: toBase64(r.logits!),
    probability: toBase64(r.probability),
    normalized: toBase64(r.normalized),
    mask: toBase64(r.mask),
    maxProbability: r.maxProbability,
    polypPresent: r.polypPresent,
    areaFraction: r.areaFraction,
  };
}

/** The worker bundled next to this page's script, started explicitly (as esbuild users do). */
const newWorker = () => new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });

const pixelsOf = (image: WireImage) => ({ width: image.width, height: image.height, data: bytesFromBase64(image.data) });

const bitmapOf = (p: { width: number; height: number; data: Uint8Array }) =>
  createImageBitmap(new ImageData(new Uint8ClampedArray(p.data), p.width, p.height), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });

/** A large image whose pre- and post-processing take the CPU a while: gradients and a disc. */
function largeImage(width: number, height: number) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      const disc = (x - width / 2) ** 2 + (y - height / 3) ** 2 < (height / 5) ** 2 ? 80 : 0;
      data[o] = (100 + ((x * 7) >> 4) + disc) & 255;
      data[o + 1] = (40 + ((y * 5) >> 4)) & 255;
      data[o + 2] = (30 + disc) & 255;
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection, the call succeeded');
}

/** How long the page's 4 ms timer stalls, at worst, and the longest main-thread task, while `work` runs. */
async function stallDuring(work: () => Promise<unknown>): Promise<Stall> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  let longestTaskMs = 0;
  // Only the part of a task after the clock starts (the task that starts it also made the image).
  const noteTasks = (entries: PerformanceEntryList) =>
    entries.forEach((e) => (longestTaskMs = Math.max(longestTaskMs, e.startTime + e.duration - Math.max(e.startTime, start))));
  const tasks = new PerformanceObserver((list) => noteTasks(list.getEntries()));
  tasks.observe({ type: 'longtask' });
  const start = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 4);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  // A long task's entry is queued after the task ends: one more turn of the event loop, then the rest.
  await new Promise((resolve) => setTimeout(resolve, 20));
  noteTasks(tasks.takeRecords());
  tasks.disconnect();
  return { ms: end - start, maxGapMs: Math.max(maxGapMs, end - last), ticks, longestTaskMs };
}

const harness: WorkerHarness = {
  async compare(weightsUrl, size, image) {
    const pixels = pixelsOf(image);
    const main = await loadSegmenter(weightsUrl, { size });
    const progress: [number, number | undefined][] = [];
    let inWorker: WorkerSegmenter | undefined;
    try {
      inWorker = await loadSegmenterInWorker(weightsUrl, { size, onProgress: (loaded, total) => progress.push([loaded, total]) });
      const fromMain = await main.segment(pixels, { logits: true });
      const fromWorker = await inWorker.segment(pixels, { logits: true });
      const copied = await bitmapOf(pixels);
      const fromCopied = await inWorker.segment(copied);
      const keptWidth = copied.width;
      copied.close();
      const handed = await bitmapOf(pixels);
      const fromHanded = await inWorker.segment(handed, { transfer: true });
      const buffer = new Uint8Array(pixels.data);
      await inWorker.segment({ width: pixels.width, height: pixels.height, data: buffer }, { transfer: true });
      return {
        main: wireResult(fromMain),
        worker: wireResult(fromWorker),
        bitmapCopied: toBase64(fromCopied.probability),
        bitmapHanded: toBase64(fromHanded.probability),
        widthAfterCopy: keptWidth,
        widthAfterTransfer: handed.width,
        bufferAfterTransfer: buffer.byteLength,
        progress,
        mainInfo: { adapter: main.gpu.adapter, config: main.config, source: main.source, batchSize: main.batchSize },
        workerInfo: { adapter: inWorker.gpu.adapter, config: inWorker.config, source: inWorker.source, batchSize: inWorker.batchSize },
        workerTimings: inWorker.lastTimings,
      };
    } finally {
      await main.dispose();
      await inWorker?.dispose();
    }
  },

  async errors(weightsUrl, size) {
    const missing = await rejection(loadSegmenterInWorker('no-such-file.pnw', { size }));
    const badScript = await rejection(
      loadSegmenterInWorker(weightsUrl, { size, worker: new Worker(new URL('./no-such-worker.js', import.meta.url), { type: 'module' }) }),
    );
    const bad = { width: 2, height: 2, data: new Uint8Array(3) };
    const main = await loadSegmenter(weightsUrl, { size });
    const inWorker = await loadSegmenterInWorker(weightsUrl, { size });
    const badPixelsMain = await rejection(main.segment(bad));
    const badPixelsWorker = await rejection(inWorker.segment(bad));
    const unsendable = await rejection(inWorker.segment({ width: 1, height: 1, data: new Uint8Array(4) }, { logits: (() => true) as never }));
    await main.dispose();
    await inWorker.dispose();
    const afterDispose = await rejection(inWorker.segment({ width: 1, height: 1, data: new Uint8Array(4) }));
    return {
      missing: {
        name: missing.name,
        isWeightsLoadError: missing instanceof WeightsLoadError,
        message: missing.message,
        source: (missing as WeightsLoadError).source,
      },
      badScript: badScript.message,
      badPixelsMain: badPixelsMain.message,
      badPixelsWorker: badPixelsWorker.message,
      unsendable: unsendable.message,
      afterDispose: afterDispose.message,
    };
  },

  async stall(weightsUrl, size, width, height, where) {
    // In the worker the pixels are transferred, as the README advises for large images: a fresh image per call.
    type Image = ReturnType<typeof largeImage>;
    const segmenter = where === 'worker' ? await loadSegmenterInWorker(weightsUrl, { size, worker: newWorker() }) : await loadSegmenter(weightsUrl, { size });
    const run = (image: Image) => (segmenter instanceof WorkerSegmenter ? segmenter.segment(image, { transfer: true }) : segmenter.segment(image));
    try {
      await run(largeImage(width, height)); // first use at this size compiles the post-processing: not measured
      const image = largeImage(width, height); // made before the clock starts
      return await stallDuring(() => run(image));
    } finally {
      await segmenter.dispose();
    }
  },
};

window.workerHarness = Promise.resolve(harness);
