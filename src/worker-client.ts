// pranet-wgsl/worker-client: the browser API of ./browser.ts with the engine in a module worker (./worker.ts).
// loadSegmenterInWorker() resolves to an object with the Segmenter's methods (segment, segmentBatch, profile,
// dispose) and properties; the page keeps only this small module, so it stays responsive while the worker
// decodes, runs the network and post-processes. Only types come from the engine: nothing here may import it.
import { NoWebGpuError, WeightsLoadError } from './api/errors.js';
import type { SegmentInput, Segmentation, SegmenterOptions, SegmentOptions, SegmentTimings } from './api/segmenter.js';
import {
  isProtocolMessage,
  NOTICE,
  otherVersion,
  PROTOCOL,
  wireImages,
  type SegmenterInfo,
  type WireError,
  type WorkerReply,
  type WorkerRequest,
} from './api/worker-protocol.js';
import type { AdapterSummary } from './gpu/context.js';
import type { PraNetConfig } from './models/pranet-config.js';
import type { ProfileSummary } from './profile/kernel-profile.js';
import type { TuningChoice } from './tuning/resolve.js';
import type { ProgressCallback } from './weights/fetch-bytes.js';
import type { WeightFileSource } from './weights/load-weight-file.js';

export { NoWebGpuError, WeightsLoadError } from './api/errors.js';
export type { RgbaPixels, SegmentInput, Segmentation, SegmentOptions, SegmenterOptions, SegmentTimings } from './api/segmenter.js';
export type { AdapterSummary } from './gpu/context.js';
export type { ProgressCallback } from './weights/fetch-bytes.js';
export type { WeightFileSource } from './weights/load-weight-file.js';

export interface WorkerLoadOptions extends SegmenterOptions {
  /** called as the weight file downloads; `total` is undefined when the server sends no length */
  onProgress?: ProgressCallback;
  /** as loadSegmenter's: 'auto' (default: the table tuneThisDevice stored for this GPU, else the defaults), 'none', or a table */
  tuning?: TuningChoice;
  /**
   * A module worker running pranet-wgsl/worker. By default one is started from `./worker.js` next to this
   * module (`new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`); with a bundler that does
   * not follow that pattern (esbuild), bundle pranet-wgsl/worker as an entry of its own and pass the worker.
   * The worker belongs to the segmenter: a failed load or dispose() terminates it, and it cannot be given again.
   */
  worker?: Worker;
  /** aborts the load (e.g. `AbortSignal.timeout(60_000)` for a download that stalls): the worker is terminated and the promise rejects with the signal's reason */
  signal?: AbortSignal;
}

export interface WorkerSegmentOptions extends SegmentOptions {
  /**
   * Hand the images' pixel buffers and ImageBitmaps to the worker instead of copying them: faster for large
   * images, but they are unusable here afterwards (bitmaps closed, buffers detached; passing them again fails by
   * name). Pixels that view part of a larger buffer go as a copy of their bytes, leaving that buffer whole. Default false.
   */
  transfer?: boolean;
}

/** The options the worker reads: only these cross (another key, a function for one, would fail to clone). */
const LOAD_KEYS: Record<keyof SegmenterOptions | 'tuning', true> = {
  batch: true,
  allMaps: true,
  size: true,
  tiling: true,
  tilingDescription: true,
  tuning: true,
};
const SEGMENT_KEYS: Record<keyof SegmentOptions, true> = { logits: true, presenceThreshold: true, maskThreshold: true };

function known<T extends object>(opts: T, keys: object): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([k, v]) => Object.hasOwn(keys, k) && v !== undefined)) as Partial<T>;
}

/** Workers given to loadSegmenterInWorker: each belongs to one segmenter, whose dispose() or failed load ends it. */
const claimed = new WeakSet<Worker>();

const NO_TIMINGS: SegmentTimings = { preprocessMs: 0, uploadMs: 0, networkMs: 0, readbackMs: 0, postprocessMs: 0 };

type Request = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'protocol' | 'id'> : never) : never;
type Reply = WorkerReply extends infer R ? (R extends unknown ? Omit<R, 'protocol' | 'id'> : never) : never;

interface Pending {
  resolve(reply: Reply): void;
  reject(err: Error): void;
  onProgress?: ProgressCallback | undefined;
}

function fromWire(e: WireError): Error {
  if (e.name === 'NoWebGpuError') return new NoWebGpuError(e.message);
  if (e.name === 'WeightsLoadError') return new WeightsLoadError(e.source ?? '', e.message);
  return Object.assign(new Error(e.message), { name: e.name });
}

/** Requests and their replies over one worker; a worker that fails fails every call, pending or later. */
class WorkerChannel {
  private readonly pending = new Map<number, Pending>();
  /**
   * Requests made before the worker said 'ready', sent once it has: a message that reaches a worker before its
   * module listens is lost (a host script that imports the engine with import()).
   */
  private waiting: { id: number; req: Request; transfer: Transferable[] }[] = [];
  private ready = false;
  /** the module has spoken: from then on the worker's uncaught errors are a host script's, not the engine's */
  private heard = false;
  private nextId = 1;
  private broken: Error | undefined;

  constructor(
    readonly worker: Worker,
    what: string,
  ) {
    worker.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
    // A script that does not load gives a bare Event; an uncaught exception an ErrorEvent with a message. Once
    // the module has spoken the worker runs, and stays alive through a host script's uncaught errors: those are
    // left to the host (and its console).
    worker.addEventListener('error', (event: Event) => {
      if (this.heard && event instanceof ErrorEvent) return;
      const detail = event instanceof ErrorEvent && event.message ? event.message : `its script did not load or is not a module worker (${what})`;
      this.fail(new Error(`the segmentation worker failed: ${detail}`));
    });
    worker.addEventListener('messageerror', () => this.fail(new Error('the segmentation worker sent a message that could not be read (messageerror)')));
    // terminate() ends a worker without any event here: without this, calls pending then would wait forever
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      this.fail(new Error('the segmentation worker was terminated (worker.terminate()); dispose() ends a segmenter'));
      terminate();
    };
    // A worker that started listening before this page did has said 'ready' unheard: it says it again to this.
    worker.postMessage({ protocol: PROTOCOL, id: NOTICE, kind: 'hello' });
  }

  private receive(data: unknown): void {
    const other = otherVersion(data);
    if (other) return this.fail(new Error(`the segmentation worker runs another version of pranet-wgsl (it speaks ${other}, this page ${PROTOCOL})`));
    if (!isProtocolMessage<WorkerReply>(data)) return;
    this.heard = true;
    if (data.kind === 'ready') {
      if (this.ready) return; // said at start and to 'hello': the first one counts
      this.ready = true;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) this.send(w.id, w.req, w.transfer);
      return;
    }
    if (data.kind === 'closed') return this.fail(new Error('the segmentation worker closed itself (close() in the worker)'));
    const p = this.pending.get(data.id);
    if (!p) return;
    if (data.kind === 'progress') return p.onProgress?.(data.loaded, data.total);
    this.pending.delete(data.id);
    if (data.kind === 'failed') p.reject(fromWire(data.error));
    else p.resolve(data);
  }

  private post(id: number, req: Request, transfer: Transferable[]): void {
    this.worker.postMessage({ protocol: PROTOCOL, id, ...req }, transfer);
  }

  request(req: Request, transfer: Transferable[] = [], onProgress?: ProgressCallback): Promise<Reply> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      if (this.ready) this.send(id, req, transfer);
      else this.waiting.push({ id, req, transfer });
    });
  }

  /** Posts a request whose promise is pending; one that cannot be sent rejects it by name. */
  private send(id: number, req: Request, transfer: Transferable[]): void {
    try {
      this.post(id, req, transfer);
    } catch (err) {
      // DataCloneError: something that cannot be sent (a function, a DOM element, a detached buffer)
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.reject(new Error(`cannot send the ${req.kind} request to the segmentation worker: ${(err as Error).message}`, { cause: err }));
    }
  }

  fail(err: Error): void {
    this.broken ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.waiting = [];
  }
}

/**
 * The weights as they go to the worker. Bytes are copied now, as the call's documentation says (the load may
 * wait for the worker's 'ready', and the app may reuse or hand over its buffer meanwhile), and the copy is
 * handed over, not cloned again. Relative URLs resolve against the page, as in loadSegmenter (in the worker
 * they would resolve against its script).
 */
function weightsForWorker(src: WeightFileSource): { weights: string | ArrayBuffer; transfer: Transferable[] } {
  if (src instanceof ArrayBuffer || src instanceof Uint8Array) {
    const buffer = src instanceof ArrayBuffer ? src : src.buffer;
    if ((buffer as { detached?: boolean }).detached === true)
      throw new Error("loadSegmenterInWorker: the weight bytes' buffer is detached (handed over elsewhere)");
    // by constructor: slice() of a subclass (Buffer's) may return a view of the same buffer
    const copy = new Uint8Array(src instanceof ArrayBuffer ? new Uint8Array(src) : src).buffer;
    return { weights: copy, transfer: [copy] };
  }
  const base = (globalThis as { document?: Document }).document?.baseURI ?? globalThis.location?.href;
  return { weights: base === undefined ? String(src) : new URL(src, base).href, transfer: [] };
}

/** A segmenter whose device and model live in a worker; the same methods and properties as Segmenter. */
export class WorkerSegmenter {
  /** stage times of the last call, measured in the worker */
  lastTimings: SegmentTimings = NO_TIMINGS;
  readonly gpu: { readonly adapter: AdapterSummary };
  readonly config: PraNetConfig;
  readonly batchSize: number;
  readonly source: string;
  readonly tilingDescription: string;
  private disposing: Promise<void> | undefined;

  /** @internal use loadSegmenterInWorker */
  constructor(
    private readonly channel: WorkerChannel,
    info: SegmenterInfo,
  ) {
    this.gpu = { adapter: info.adapter };
    this.config = info.config;
    this.batchSize = info.batchSize;
    this.source = info.source;
    this.tilingDescription = info.tilingDescription;
  }

  /** the worker that holds the device */
  get worker(): Worker {
    return this.channel.worker;
  }

  async segment(image: SegmentInput, opts: WorkerSegmentOptions = {}): Promise<Segmentation> {
    return (await this.segmentBatch([image], opts))[0]!;
  }

  async segmentBatch(images: readonly SegmentInput[], opts: WorkerSegmentOptions = {}): Promise<Segmentation[]> {
    if (this.disposing) throw new Error('this segmenter has been disposed');
    const wire = wireImages(images, opts.transfer === true);
    const reply = await this.channel.request({ kind: 'segment', images: wire.images, options: known(opts, SEGMENT_KEYS) }, wire.transfer);
    if (reply.kind !== 'segmented') throw new Error(`the segmentation worker answered '${reply.kind}' to 'segment'`);
    this.lastTimings = reply.timings;
    return reply.results;
  }

  /** GPU time of every dispatch of one forward pass, measured in the worker. */
  async profile(): Promise<ProfileSummary> {
    if (this.disposing) throw new Error('this segmenter has been disposed');
    const reply = await this.channel.request({ kind: 'profile' });
    if (reply.kind !== 'profiled') throw new Error(`the segmentation worker answered '${reply.kind}' to 'profile'`);
    return reply.profile;
  }

  /** Frees the GPU buffers and the device once calls already made have finished, then ends the worker. */
  dispose(): Promise<void> {
    this.disposing ??= this.channel
      .request({ kind: 'dispose' })
      .then(
        () => undefined,
        () => undefined, // a worker that already failed has nothing left to free
      )
      .finally(() => {
        this.channel.fail(new Error('this segmenter has been disposed'));
        this.channel.worker.terminate();
      });
    return this.disposing;
  }
}

/**
 * loadSegmenter() of pranet-wgsl/browser, run in a module worker: opens the device there, downloads the weights
 * from `weights` (a URL, relative to the page, or bytes, which are copied) with progress, and compiles the
 * network. Rejects with NoWebGpuError or WeightsLoadError as loadSegmenter does; the worker is then terminated.
 */
export async function loadSegmenterInWorker(weights: WeightFileSource, opts: WorkerLoadOptions = {}): Promise<WorkerSegmenter> {
  const { worker: given, onProgress, signal } = opts;
  signal?.throwIfAborted();
  if (given !== undefined) checkGiven(given);
  const defaultUrl = given ? undefined : new URL('./worker.js', import.meta.url);
  const worker = given ?? new Worker(defaultUrl!, { type: 'module' });
  claimed.add(worker);
  const channel = new WorkerChannel(worker, defaultUrl ? defaultUrl.href : 'the worker passed in { worker }');
  const abort = () => channel.fail(signal!.reason as Error);
  signal?.addEventListener('abort', abort);
  try {
    const sent = weightsForWorker(weights);
    const reply = await channel.request({ kind: 'load', weights: sent.weights, options: known(opts, LOAD_KEYS) }, sent.transfer, onProgress);
    if (reply.kind !== 'loaded') throw new Error(`the segmentation worker answered '${reply.kind}' to 'load'`);
    return new WorkerSegmenter(channel, reply.info);
  } catch (err) {
    channel.fail(err as Error);
    worker.terminate();
    throw err;
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

/** A worker that is not one, or one already given: its messages would mix with another segmenter's, or never come (terminated). */
function checkGiven(worker: unknown): asserts worker is Worker {
  if (!(typeof Worker !== 'undefined' && worker instanceof Worker)) {
    const what = worker === null || typeof worker !== 'object' ? JSON.stringify(worker) : `a ${worker.constructor?.name ?? 'object'}`;
    throw new Error(`loadSegmenterInWorker: { worker } takes a module Worker (new Worker(url, { type: 'module' })), got ${what}`);
  }
  if (claimed.has(worker)) {
    throw new Error('loadSegmenterInWorker: this Worker was already given to a segmenter, whose dispose() or failed load ends it: start a new Worker for each');
  }
}
