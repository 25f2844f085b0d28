// The worker-misuse tests' page (bundled by the tests, never shipped): exposes window.workerMisuse, whose
// scenarios use pranet-wgsl/worker-client the ways apps get wrong, and report how each call settled, within a
// deadline, so that a call left waiting forever shows as 'pending' instead of hanging the test. The app's own
// worker scripts (HOST_SCRIPTS in ../support/worker-misuse-harness.ts) lie next to worker.js.
import { loadSegmenter, type Segmenter } from '../../../src/browser.js';
import {
  loadSegmenterInWorker,
  NoWebGpuError,
  WeightsLoadError,
  type Segmentation,
  type WorkerLoadOptions,
  type WorkerSegmenter,
} from '../../../src/worker-client.js';
import type { Outcome, WorkerMisuse } from '../support/worker-misuse-wire.js';

/** Calls that must finish do so well within this on SwiftShader; past it a call counts as pending. */
const SETTLES_MS = 60_000;
/** Calls that must fail at once (nothing for the worker to do): a shorter wait keeps a hang's report quick. */
const AT_ONCE_MS = 10_000;

async function outcome(work: Promise<unknown>, ms = SETTLES_MS): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ state: 'pending' }), ms)));
  const settled = work.then(
    (value): Outcome => ({ state: 'resolved', value: describe(value) }),
    (e: Error): Outcome => ({ state: 'rejected', name: e.name, message: e.message, cls: classOf(e), source: (e as { source?: string }).source }),
  );
  try {
    return await Promise.race([settled, waiting]);
  } finally {
    clearTimeout(timer);
  }
}

/** The class of an error, by instanceof (its constructor's name is minified in the bundle). */
function classOf(e: unknown): string {
  for (const [name, cls] of [
    ['NoWebGpuError', NoWebGpuError],
    ['WeightsLoadError', WeightsLoadError],
    ['DOMException', DOMException],
    ['Error', Error],
  ] as const) {
    if (e instanceof cls) return name;
  }
  return typeof e;
}

/** A small stand-in for what a call returned: segmentations by their size, plain data as it is. */
function describe(value: unknown): unknown {
  const dims = (r: Segmentation) => `${r.width}x${r.height}`;
  if (Array.isArray(value)) return value.map((r: Segmentation) => dims(r));
  if (typeof value !== 'object' || value === null) return value;
  if ('probability' in value) return dims(value as Segmentation);
  return Object.getPrototypeOf(value) === Object.prototype ? value : `a ${value.constructor.name}`;
}

function pixels(width: number, height: number, seed: number) {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : (i * 37 + seed * 101) & 255;
  return { width, height, data };
}

/** An app's image class: width, height and data are getters (structured cloning copies own fields only). */
class GetterImage {
  readonly #pixels = pixels(5, 3, 4);
  get width() {
    return this.#pixels.width;
  }
  get height() {
    return this.#pixels.height;
  }
  get data() {
    return this.#pixels.data;
  }
}

const sameBytes = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

const workerAt = (script: string) => new Worker(new URL(`./${script}`, import.meta.url), { type: 'module' });

const misuse: WorkerMisuse = {
  async lifecycle(url, size) {
    const images = [pixels(10, 11, 1), pixels(37, 5, 2), pixels(8, 64, 3), pixels(20, 20, 4), pixels(3, 2, 5)];
    const m = await loadSegmenterInWorker(url, { size, worker: workerAt('worker.js') });
    const together = await Promise.all(images.map((img) => m.segment(img)));
    const oneByOne: Segmentation[] = [];
    for (const img of images) oneByOne.push(await m.segment(img));
    const inFlight = images.slice(0, 3).map((img) => outcome(m.segment(img)));
    const disposing = outcome(m.dispose());
    const atDispose = { inFlight: await Promise.all(inFlight), dispose: await disposing, again: await outcome(m.dispose(), AT_ONCE_MS) };

    const t = await loadSegmenterInWorker(url, { size, worker: workerAt('worker.js') });
    const call = outcome(t.segment(images[0]!), AT_ONCE_MS);
    t.worker.terminate();
    const terminated = { inFlight: await call, later: await outcome(t.segment(images[0]!), AT_ONCE_MS), dispose: await outcome(t.dispose(), AT_ONCE_MS) };

    const w = workerAt('worker.js');
    const first = await loadSegmenterInWorker(url, { size, worker: w });
    const givenTwice = await outcome(loadSegmenterInWorker(url, { size, worker: w }), AT_ONCE_MS);
    const firstAfter = await outcome(first.segment(images[0]!));
    await outcome(first.dispose()); // bounded: a dispose() that hangs must not stop the scenario
    return {
      sizes: together.map((r) => `${r.width}x${r.height}`),
      sameAsOneByOne: together.map((r, i) => sameBytes(r.probability, oneByOne[i]!.probability)),
      atDispose: { ...atDispose, after: await outcome(m.segment(images[0]!), AT_ONCE_MS) },
      terminated,
      givenTwice,
      firstAfterGivenTwice: firstAfter,
      givenAfterDispose: await outcome(loadSegmenterInWorker(url, { size, worker: w }), AT_ONCE_MS),
      notAWorker: await outcome(loadSegmenterInWorker(url, { size, worker: 'worker.js' as never }), AT_ONCE_MS),
    };
  },

  async hostScripts(url, size) {
    const img = pixels(16, 12, 6);
    const load = (script: string, opts: WorkerLoadOptions = {}) => loadSegmenterInWorker(url, { size, worker: workerAt(script), ...opts });
    const useOnce = async (loading: Promise<WorkerSegmenter>) => {
      const m = await loading;
      try {
        return await m.segment(img);
      } finally {
        await m.dispose();
      }
    };

    const erring = await load('host.js');
    erring.worker.postMessage('throw');
    const hostError = { inFlight: await outcome(erring.segment(img)), later: await outcome(erring.segment(img)) };
    await outcome(erring.dispose()); // bounded: a dispose() that hangs must not stop the scenario

    const chatty = await load('host.js');
    let echoes = 0;
    chatty.worker.addEventListener('message', (e: MessageEvent<{ type?: string }>) => void (e.data?.type === 'echo' && echoes++));
    const calls = [0, 1, 2].map((n) => {
      chatty.worker.postMessage({ type: 'echo', id: n, kind: 'load' }); // the app's own message, with fields like the protocol's
      return outcome(chatty.segment(img));
    });
    const withHostMessages = { calls: await Promise.all(calls), echoes };
    await outcome(chatty.dispose()); // bounded: a dispose() that hangs must not stop the scenario

    const closing = await load('host.js');
    closing.worker.postMessage('close');
    const closed = {
      inFlight: await outcome(closing.segment(img), AT_ONCE_MS),
      later: await outcome(closing.segment(img), AT_ONCE_MS),
      dispose: await outcome(closing.dispose(), AT_ONCE_MS),
    };

    const aborting = new AbortController();
    const abortedLoad = outcome(load('worker.js', { signal: aborting.signal }), AT_ONCE_MS);
    aborting.abort(new Error('the user left the page'));

    const later = new AbortController();
    const kept = await load('worker.js', { signal: later.signal });
    later.abort(new Error('aborted after the load'));
    const abortAfterLoad = await outcome(useOnce(Promise.resolve(kept)));

    const counting = await load('count-loads.js');
    const loadsSeen = await new Promise<number>((resolve) => {
      counting.worker.addEventListener(
        'message',
        (e: MessageEvent<{ type?: string; loads?: number }>) => void (e.data?.type === 'loads' && resolve(e.data.loads!)),
      );
      counting.worker.postMessage('loads?');
    });

    const rawReply = new Promise<unknown>((resolve) =>
      counting.worker.addEventListener('message', (e: MessageEvent<{ id?: number; kind?: string }>) => void (e.data?.id === 1 && resolve(e.data))),
    );
    counting.worker.postMessage({ protocol: 'pranet-wgsl/worker/1', id: 1, kind: 'load', weights: url, options: {} });
    const rawLoadOnLoaded = await outcome(
      rawReply.then((r) => {
        const reply = r as { kind: string; error?: { message: string } };
        if (reply.kind === 'failed') throw new Error(reply.error!.message);
        return reply.kind;
      }),
      AT_ONCE_MS,
    );
    await outcome(counting.dispose());

    const bytes = await (await fetch(url)).arrayBuffer();
    const loadingBytes = loadSegmenterInWorker(bytes, { size, worker: workerAt('late-import.js') });
    structuredClone(bytes, { transfer: [bytes] }); // the app hands its buffer on while the worker starts
    const weightsDetachedAfterCall = await outcome(useOnce(loadingBytes));

    // the worker's half of a version mismatch: its answer to a request of another version
    const raw = workerAt('worker.js');
    const answer = new Promise<unknown>((resolve) =>
      raw.addEventListener('message', (e: MessageEvent<{ kind?: string }>) => e.data.kind !== 'ready' && resolve(e.data)),
    );
    raw.postMessage({ protocol: 'pranet-wgsl/worker/0', id: 7, kind: 'profile' });
    const workerToOtherVersion = await outcome(answer, AT_ONCE_MS);
    raw.terminate();

    return {
      throwsBefore: await outcome(load('throws-before.js'), AT_ONCE_MS),
      throwsAfter: await outcome(useOnce(load('throws-after.js'))),
      hostError,
      withHostMessages,
      closed,
      lateImport: await outcome(useOnce(load('late-import.js'))),
      deafWithTimeout: await outcome(load('deaf.js', { signal: AbortSignal.timeout(500) }), AT_ONCE_MS),
      abortedLoad: await abortedLoad,
      abortAfterLoad,
      loadsSeen,
      weightsDetachedAfterCall,
      rawLoadOnLoaded,
      otherVersion: await outcome(load('other-version.js'), AT_ONCE_MS),
      workerToOtherVersion,
      noWebGpu: await outcome(load('no-webgpu.js')),
    };
  },

  async inputs(url, size) {
    const main = await loadSegmenter(url, { size });
    const m = await loadSegmenterInWorker(url, { size, worker: workerAt('worker.js') });
    const both = async (call: (s: Segmenter | WorkerSegmenter) => Promise<unknown>) => ({ worker: await outcome(call(m)), main: await outcome(call(main)) });
    try {
      const handed = pixels(4, 4, 7);
      await m.segment(handed, { transfer: true });
      const bitmap = await createImageBitmap(new ImageData(4, 4));
      await m.segment(bitmap, { transfer: true });
      const refused = { width: 3, height: 3, data: new Uint8Array(10) };
      const refusedOutcome = await outcome(m.segment(refused, { transfer: true }));
      const pool = new Uint8Array(64 + 4 * 4 * 4);
      pool.set(pixels(4, 4, 8).data, 64);
      const view = { width: 4, height: 4, data: pool.subarray(64) };
      const viewInMain = await main.segment(view);
      const viewInWorker = await m.segment(view, { transfer: true });
      // Buffer's slice() returns a view of the same memory, not a copy
      class ViewSlice extends Uint8Array {
        override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
          return this.subarray(start, end);
        }
      }
      const subclassPool = new ViewSlice(64 + 4 * 4 * 4);
      await m.segment({ width: 4, height: 4, data: subclassPool.subarray(64) });
      const garbage = new TextEncoder().encode('these bytes are not a weight file');
      const canvas = new OffscreenCanvas(6400, 6300); // 40.3 Mpx
      canvas.getContext('2d');
      const huge = canvas.transferToImageBitmap();
      return {
        img: await both((s) => s.segment(document.createElement('img') as never)),
        canvas: await both((s) => s.segment(document.createElement('canvas') as never)),
        getters: await both((s) => s.segment(new GetterImage())),
        extraField: await both((s) => s.segment(Object.assign(pixels(2, 2, 9), { label: () => 'mine' }))),
        extraOption: await both((s) => s.segment(pixels(2, 2, 9), { logits: true, onDone: () => 0 } as never)),
        notArray: await both((s) => s.segmentBatch(null as never)),
        set: await both((s) => s.segmentBatch(new Set([pixels(2, 2, 9)]) as never)),
        handedLength: handed.data.length,
        detached: await both((s) => s.segment(handed)),
        closedBitmap: await both((s) => s.segment(bitmap)),
        refused: { worker: refusedOutcome, main: await outcome(main.segment(refused)) },
        refusedKeeps: refused.data.length,
        poolKeeps: pool.length,
        viewSame: sameBytes(viewInMain.probability, viewInWorker.probability),
        subclassPoolKeeps: subclassPool.length,
        huge: await both((s) => s.segment(huge)),
        garbageWeights: {
          worker: await outcome(loadSegmenterInWorker(garbage, { size, worker: workerAt('worker.js') })),
          main: await outcome(loadSegmenter(garbage, { size })),
        },
      };
    } finally {
      await main.dispose();
      await m.dispose();
    }
  },
};

window.workerMisuse = misuse;
