// The engine in a Web Worker (pranet-wgsl/worker + pranet-wgsl/worker-client) in headless Chromium: the same
// outputs as the main-thread engine, bit for bit, on the tiny random PraNet; its errors cross as the same
// classes and messages; and the page's timer keeps running while the worker segments a large image, where the
// same call on the main thread blocks it with long tasks (the control that shows the measurement can tell the two
// apart).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../support/random.js';
import { openSession, type Session, withDeadline } from './support/session.js';
import { bytesFromBase64, floatsFromBase64, toBase64 } from './support/wire.js';
import { openWorkerHarness } from './support/worker-harness.js';
import type { WireSegmentation } from './support/worker-wire.js';

const SIZE = 64;
/** Large enough that pre- and post-processing on the CPU take a while (tens of megabytes of pixels and maps). */
const LARGE = { width: 4000, height: 3000 };
/** A page whose main-thread tasks end within this stays responsive; the worker's call must leave none longer. */
const MAX_STALL_MS = 150;

function noisyImage(width: number, height: number): { width: number; height: number; data: Uint8Array } {
  const r = rng(11);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : Math.floor(256 * r());
  return { width, height, data };
}

function expectSame(worker: WireSegmentation, main: WireSegmentation): void {
  for (const key of ['logits', 'probability', 'normalized', 'mask'] as const) {
    expect(worker[key].length, `${key}: size`).to.equal(main[key].length);
    expect(worker[key] === main[key], `${key}: the worker's bytes equal the main thread's`).to.equal(true);
  }
  for (const key of ['width', 'height', 'maxProbability', 'polypPresent', 'areaFraction'] as const) expect(worker[key], key).to.equal(main[key]);
}

describe('browser: the engine in a Web Worker', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(180_000);
    session = await openSession({ webgpu: true });
    await openWorkerHarness(session);
  });

  after(async () => {
    await session?.close();
  });

  it('gives the main-thread outputs bit for bit (pixels, ImageBitmap copied or transferred), with progress and the model facts', async function () {
    this.timeout(300_000);
    const image = noisyImage(83, 71);
    const wire = { width: image.width, height: image.height, data: toBase64(image.data) };
    const r = await withDeadline(
      session!.page.evaluate(([url, size, img]) => window.workerHarness!.then((h) => h.compare(url, size, img)), ['tiny.pnw', SIZE, wire] as const),
      240_000,
      'segmenting on the page and in the worker',
    );
    const spread = Math.max(...floatsFromBase64(r.main.logits)) - Math.min(...floatsFromBase64(r.main.logits));
    expect(spread, 'main-thread logits spread (a constant map would make the comparison empty)').to.be.greaterThan(1e-3);
    expect(bytesFromBase64(r.main.mask).length).to.equal(image.width * image.height);
    expectSame(r.worker, r.main);
    expect(r.bitmapCopied === r.main.probability, 'ImageBitmap (copied) gives the same probability map').to.equal(true);
    expect(r.bitmapHanded === r.main.probability, 'ImageBitmap (transferred) gives the same probability map').to.equal(true);
    expect(r.widthAfterCopy, 'a copied bitmap stays usable on the page').to.equal(image.width);
    expect(r.widthAfterTransfer, 'a transferred bitmap is closed on the page').to.equal(0);
    expect(r.bufferAfterTransfer, 'a transferred pixel buffer is detached on the page').to.equal(0);

    const fileBytes = readFileSync(join(session!.files, 'tiny.pnw')).length;
    expect(r.progress.length, 'progress events reach the page').to.be.greaterThan(0);
    expect(r.progress.at(-1), 'the last progress event: the whole file').to.deep.equal([fileBytes, fileBytes]);
    expect(r.workerInfo.adapter).to.deep.equal(r.mainInfo.adapter);
    expect(r.workerInfo.config).to.deep.equal(r.mainInfo.config);
    expect(r.workerInfo.batchSize).to.equal(1);
    // the relative URL resolved against the page (test-files/), not the worker's script (test-files/bundle/)
    expect(r.workerInfo.source).to.equal(`${session!.url}test-files/tiny.pnw`);
    expect(r.workerTimings.networkMs, 'the worker reports its stage times').to.be.greaterThan(0);
    console.log(`      worker == main thread, bit for bit; ${r.progress.length} progress events; worker network ${r.workerTimings.networkMs.toFixed(1)} ms`);
  });

  it('rejects as the main-thread API does: WeightsLoadError, bad pixels, after dispose; and names a worker that did not start', async function () {
    this.timeout(300_000);
    const e = await withDeadline(
      session!.page.evaluate(([url, size]) => window.workerHarness!.then((h) => h.errors(url, size)), ['tiny.pnw', SIZE] as const),
      240_000,
      'the failing calls',
    );
    expect(e.missing.isWeightsLoadError, `a missing file rejects with WeightsLoadError (got ${e.missing.name}: ${e.missing.message})`).to.equal(true);
    expect(e.missing.source).to.equal(`${session!.url}test-files/no-such-file.pnw`);
    expect(e.missing.message).to.include('no-such-file.pnw').and.to.include('404');
    expect(e.badScript).to.match(/^the segmentation worker failed: its script did not load/);
    expect(e.badPixelsWorker).to.equal(e.badPixelsMain).and.to.include('got 2x2 with 3 bytes');
    expect(e.unsendable).to.match(/^cannot send the segment request to the segmentation worker: .*could not be cloned/);
    expect(e.afterDispose).to.equal('this segmenter has been disposed');
  });

  it(`keeps the page's timer running while it segments a ${LARGE.width} x ${LARGE.height} image; the main-thread engine stalls it`, async function () {
    this.timeout(400_000);
    const stall = (where: 'worker' | 'main') =>
      withDeadline(
        session!.page.evaluate(([url, size, w, h, at]) => window.workerHarness!.then((x) => x.stall(url, size, w, h, at)), [
          'tiny.pnw',
          SIZE,
          LARGE.width,
          LARGE.height,
          where,
        ] as const),
        180_000,
        `segmenting the large image (${where})`,
      );
    const worker = await stall('worker');
    const main = await stall('main');
    const line = (s: typeof worker) =>
      `${s.ms.toFixed(0)} ms, longest main-thread task ${s.longestTaskMs.toFixed(0)} ms, longest timer gap ${s.maxGapMs.toFixed(0)} ms, ${s.ticks} ticks`;
    console.log(`      worker: ${line(worker)}; main thread: ${line(main)}`);
    // What stalls the page is a long task on its main thread. Timer gaps are printed, not compared: on a loaded
    // 2-core machine the OS alone starved the page's thread for a second (worker gap 1063 ms, main 366 ms).
    // The control: the main-thread engine's work shows as long tasks (else this test could not tell).
    expect(main.longestTaskMs, 'main thread: longest task').to.be.greaterThan(MAX_STALL_MS);
    expect(worker.longestTaskMs, 'with the worker the page runs no long task').to.be.lessThan(MAX_STALL_MS);
    expect(worker.ticks, 'the timer ran throughout').to.be.greaterThan(worker.ms / 4 / 4);
  });
});
