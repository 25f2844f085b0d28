// pranet-wgsl/worker: a module worker that owns the WebGPU device and the model, so that decoding bitmaps,
// pre-processing, the network and post-processing never block the page. The page talks to it through
// loadSegmenterInWorker() (./worker-client.ts); the messages are in ./api/worker-protocol.ts. Importing this
// module from a worker script of your own works too: it answers only messages of its protocol.
import type { Segmenter } from './api/segmenter.js';
import {
  buffersOf,
  isProtocolMessage,
  NOTICE,
  otherVersion,
  PROTOCOL,
  resultArrays,
  type WireError,
  type WorkerReply,
  type WorkerRequest,
} from './api/worker-protocol.js';
import { loadSegmenter } from './browser.js';

/** The part of DedicatedWorkerGlobalScope used here (the project compiles against the DOM's types, not the worker's). */
interface WorkerScope {
  postMessage(message: WorkerReply, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
  close(): void;
}

type Reply = WorkerReply extends infer R ? (R extends unknown ? Omit<R, 'protocol' | 'id'> : never) : never;

const scope = globalThis as unknown as WorkerScope;
let segmenter: Promise<Segmenter> | undefined;

function post(id: number, reply: Reply, transfer: Transferable[] = []): void {
  scope.postMessage({ protocol: PROTOCOL, id, ...reply }, transfer);
}

function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const source = (err as { source?: unknown }).source;
  return { name: err.name, message: err.message, ...(typeof source === 'string' ? { source } : {}) };
}

function loaded(): Promise<Segmenter> {
  return segmenter ?? Promise.reject(new Error('no model is loaded in this worker (the page sends "load" first)'));
}

async function handle(msg: WorkerRequest): Promise<void> {
  switch (msg.kind) {
    case 'hello':
      post(NOTICE, { kind: 'ready' });
      return;
    case 'load': {
      if (segmenter) throw new Error('this worker already holds a model: start one worker per segmenter');
      const onProgress = (done: number, total: number | undefined) => post(msg.id, { kind: 'progress', loaded: done, total });
      segmenter = loadSegmenter(msg.weights, { ...msg.options, onProgress });
      segmenter.catch(() => (segmenter = undefined)); // a failed load may be retried
      const s = await segmenter;
      post(msg.id, {
        kind: 'loaded',
        info: { adapter: s.gpu.adapter, config: s.config, batchSize: s.batchSize, source: s.source, tilingDescription: s.tilingDescription },
      });
      return;
    }
    case 'segment': {
      const s = await loaded();
      try {
        const results = await s.segmentBatch(msg.images, msg.options);
        // the arrays are fresh for each call: hand them over rather than copy them
        post(msg.id, { kind: 'segmented', results, timings: s.lastTimings }, buffersOf(results.flatMap(resultArrays)));
      } finally {
        for (const img of msg.images) if (typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap) img.close();
      }
      return;
    }
    case 'profile':
      post(msg.id, { kind: 'profiled', profile: await (await loaded()).profile() });
      return;
    case 'dispose': {
      const s = await segmenter?.catch(() => undefined);
      await s?.dispose();
      post(msg.id, { kind: 'disposed' });
      return;
    }
    default:
      throw new Error(`this worker does not know the request '${String((msg as { kind?: unknown }).kind)}'`);
  }
}

scope.addEventListener('message', (event) => {
  const msg = event.data;
  const other = otherVersion(msg);
  // a page of another version fails all its calls on any message of this one: the reply names both
  if (other) return post(NOTICE, { kind: 'failed', error: { name: 'Error', message: `the page speaks ${other}, this worker ${PROTOCOL}` } });
  if (!isProtocolMessage<WorkerRequest>(msg)) return;
  handle(msg).catch((err: unknown) => post(msg.id, { kind: 'failed', error: toWire(err) }));
});

// A message that reaches a worker before this module listens is lost (a host script that imports it with a
// dynamic import()): the page sends nothing but 'hello' until it hears 'ready', said now and to each 'hello'.
post(NOTICE, { kind: 'ready' });

// close() ends the worker without an event on the page: say so first, so its pending calls fail instead of waiting.
const close = scope.close.bind(scope);
scope.close = () => {
  post(NOTICE, { kind: 'closed' });
  close();
};
