// Video frames through the engine, kept on the GPU: a frame's pixels go up once (RGBA bytes in Node; in a
// browser a VideoFrame, <video>, ImageBitmap or canvas is copied GPU to GPU by frame-copy.ts), the network
// input is made there (kernels/frame-input.ts: PyTorch's antialiased bilinear, not the still-image path's
// PIL-exact resize), and the network, the resize to the frame's size and the sigmoid run in the same command
// buffer; only the probability map comes back. Up to `maxInFlight` frames are in the pipeline at once: while
// the GPU runs frame N, frame N+1 is decoded and uploaded. segment() waits for a free slot (files: every frame
// counts); trySegment() drops the frame instead (cameras and playing video: never a queue that grows).
import { createStorageBuffer, mapForReading, settle } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatches, prepareDispatches, type PreparedBatch } from '../gpu/dispatch.js';
import { PipelineCache } from '../gpu/pipelines.js';
import { CompiledGraph } from '../graph/executor.js';
import { Graph } from '../graph/ir.js';
import { sigmoidOp } from '../kernels/elementwise.js';
import { frameInputKernel, frameInputTable } from '../kernels/frame-input.js';
import { resizeOp } from '../kernels/resize.js';
import type { LoadedWeights } from '../models/load-weights.js';
import { PraNetModel } from '../models/pranet-model.js';
import type { SegmenterOptions } from './segmenter.js';
import { defaultsText } from '../tuning/resolve.js';
import { checkFinite, presenceOf, probabilityOption } from './presence.js';
import { probabilityOnCpu } from './postprocess-cpu.js';
import { type BrowserFrame, browserFrameProblem, type CopyCheck, browserFrameSize, browserFrameType, FrameCopier, invalidCopy } from './frame-copy.js';

/**
 * RGBA bytes, row after row (Node and browsers); browsers may also pass anything copyExternalImageToTexture takes.
 * The engine never closes a frame it is given: close a VideoFrame or ImageBitmap once its result has come back.
 */
export type FrameInput =
  { width: number; height: number; data: Uint8Array | Uint8ClampedArray } | VideoFrame | HTMLVideoElement | ImageBitmap | HTMLCanvasElement | OffscreenCanvas;

export interface FrameTimings {
  /** handing the pixels to the GPU (a copy in Node, GPU to GPU in a browser, making an ImageBitmap first where it cannot copy the frame itself) */
  uploadMs: number;
  /** from submit until the probability map is back */
  gpuMs: number;
  /** unpacking the map and measuring it */
  readbackMs: number;
  /** from the call until the result */
  latencyMs: number;
}

export interface FrameResult {
  /** the frame's number in the order frames were given (dropped ones included) */
  index: number;
  width: number;
  height: number;
  /** sigmoid of the logits at the frame's size (not stretched) */
  probability: Float32Array;
  maxProbability: number;
  polypPresent: boolean;
  /** share of pixels whose probability reaches the mask threshold */
  areaFraction: number;
  timings: FrameTimings;
}

export interface FrameSegmenterOptions extends Pick<SegmenterOptions, 'size' | 'tiling' | 'tilingDescription'> {
  /** frames in the pipeline at once (default 2: one on the GPU, the next uploading) */
  maxInFlight?: number;
  /** polypPresent when the highest probability reaches this (default 0.5) */
  presenceThreshold?: number;
  /** areaFraction counts pixels whose probability reaches this (default 0.5) */
  maskThreshold?: number;
}

const isRgba = (f: FrameInput): f is { width: number; height: number; data: Uint8Array | Uint8ClampedArray } =>
  typeof f === 'object' && f !== null && 'data' in f && (f.data instanceof Uint8Array || f.data instanceof Uint8ClampedArray);

const describe = (v: unknown): string => (v === null ? 'null' : withArticle(typeof v === 'object' ? (v.constructor?.name ?? 'plain object') : typeof v));

const withArticle = (noun: string): string => `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;

/** What is wrong with a frame, checked before it changes anything (a bad frame of a new size must not free the current size's resources). */
function frameProblem(f: unknown, index: number): string | undefined {
  const isObject = typeof f === 'object' && f !== null;
  if (isObject && 'data' in f) {
    const { data } = f;
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray))
      return `frame ${index}: data must be RGBA bytes (a Uint8Array or Uint8ClampedArray), got ${describe(data)}`;
  } else if (browserFrameType(f) === undefined) {
    const browser = typeof HTMLVideoElement === 'function' || typeof ImageBitmap === 'function';
    return `frame ${index}: expected RGBA bytes ({ width, height, data })${browser ? ', a VideoFrame, <video>, ImageBitmap or canvas' : ''}, got ${describe(f)}`;
  } else {
    const problem = browserFrameProblem(f as BrowserFrame, index);
    if (problem) return problem;
  }
  const frame = f as FrameInput;
  const [width, height] = frameSize(frame);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    const transferred = browserFrameType(f) === 'OffscreenCanvas' ? ' (an OffscreenCanvas transferred to a worker reads 0x0)' : '';
    return `frame ${index}: a frame must have a positive width and height, got ${width}x${height}${transferred}`;
  }
  if (isRgba(frame) && frame.data.length !== 4 * width * height)
    return `frame ${index}: expected ${width}x${height} RGBA pixels (${4 * width * height} bytes), got ${frame.data.length} bytes`;
  return undefined;
}

const frameSize = (f: FrameInput): [number, number] => (isRgba(f) ? [f.width, f.height] : browserFrameSize(f));

/** sigmoid(resize(logits)) from the network's size x size logits to the frame's size, on the GPU. */
function postGraph(size: number, width: number, height: number): Graph {
  const g = new Graph();
  const x = g.input('logits', { n: 1, c: 1, h: size, w: size });
  g.output('probability', g.add(sigmoidOp, 'sigmoid', [g.add(resizeOp, 'to_frame_size', [x], { outH: height, outW: width, alignCorners: false })], {}));
  return g;
}

/** What one frame size needs: the resize to it, and per slot a frame buffer, its input dispatch and a read-back buffer. */
interface SizeResources {
  width: number;
  height: number;
  /** frames arrive as browser images copied through a texture (else as RGBA bytes written to the buffer) */
  fromTexture: boolean;
  /** u32 words per frame row: the width, or 256-byte rows where texture copies write them */
  rowWords: number;
  /** the resize to the frame's size and the sigmoid; none where the map is too large for one GPU buffer (done on the CPU) */
  post?: CompiledGraph;
  taps: GPUBuffer;
  weights: GPUBuffer;
  slots: { frame: GPUBuffer; texture?: GPUTexture; input: PreparedBatch; staging: GPUBuffer; busy: boolean }[];
}

export class FrameSegmenter {
  private sizeResources: SizeResources | undefined;
  /** while a size's resources are being made: settles (never rejects) when they are there or have failed */
  private building: Promise<unknown> | undefined;
  private disposing: Promise<void> | undefined;
  private waiters: (() => void)[] = [];
  private nextIndex = 0;
  private disposed = false;
  /** calls of segment() not yet finished (running, or waiting for a slot): counted at once, so trySegment can refuse */
  private claimed = 0;
  private readonly copier = new FrameCopier();
  /** frames trySegment turned away because every slot was busy */
  dropped = 0;

  private constructor(
    readonly gpu: GpuContext,
    private readonly cache: PipelineCache,
    private readonly model: PraNetModel,
    readonly maxInFlight: number,
    private readonly presence: number,
    private readonly maskAt: number,
    private readonly ownsDevice: boolean,
    /** which tuning table or which defaults chose the convs' tilings */
    readonly tilingDescription: string,
    /** where the weights came from, for messages */
    private readonly source: string,
  ) {}

  static async create(gpu: GpuContext, weights: LoadedWeights, opts: FrameSegmenterOptions = {}, ownsDevice = false): Promise<FrameSegmenter> {
    const maxInFlight = opts.maxInFlight ?? 2;
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > 8) throw new Error(`maxInFlight must be an integer in 1..8, got ${maxInFlight}`);
    const presence = probabilityOption(opts.presenceThreshold, 'presenceThreshold');
    const maskAt = probabilityOption(opts.maskThreshold, 'maskThreshold');
    const cache = new PipelineCache(gpu);
    const model = await PraNetModel.create(gpu, cache, weights, { size: opts.size ?? 352, ...(opts.tiling ? { tiling: opts.tiling } : {}) });
    const tilingDescription = opts.tilingDescription ?? (opts.tiling ? 'the given tiling policy' : defaultsText(gpu.adapter));
    return new FrameSegmenter(gpu, cache, model, maxInFlight, presence, maskAt, ownsDevice, tilingDescription, weights.source);
  }

  /** Frames in the pipeline now (being worked on, or waiting for a slot). */
  get inFlight(): number {
    return this.claimed;
  }

  private busySlots(): number {
    return this.sizeResources?.slots.filter((s) => s.busy).length ?? 0;
  }

  /** Segments a frame; waits while maxInFlight frames are already in the pipeline. */
  async segment(frame: FrameInput): Promise<FrameResult> {
    const start = performance.now();
    const index = this.nextIndex++;
    const problem = frameProblem(frame, index);
    if (problem) throw new Error(problem);
    this.claimed++;
    try {
      const { res, slot } = await this.acquire(frame);
      return await this.run(res, slot, frame, index, start);
    } finally {
      this.claimed--;
      this.wakeAll(); // dispose() waits for every claim to end
    }
  }

  /** Segments a frame if a slot is free; otherwise drops it (counted in `dropped`) and returns undefined. */
  trySegment(frame: FrameInput): Promise<FrameResult> | undefined {
    if (this.claimed >= this.maxInFlight) {
      this.nextIndex++;
      this.dropped++;
      return undefined;
    }
    return this.segment(frame);
  }

  /** `slot` was marked busy by acquire(); run() frees it. */
  private async run(res: SizeResources, slot: SizeResources['slots'][number], frame: FrameInput, index: number, start: number): Promise<FrameResult> {
    try {
      const device = this.gpu.device;
      const t0 = performance.now();
      let copied: CopyCheck | undefined;
      if (isRgba(frame)) device.queue.writeBuffer(slot.frame, 0, frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
      else copied = await this.copier.copy(device, frame, slot.texture!, index);
      const encoder = device.createCommandEncoder({ label: `frame ${index}` });
      if (copied) encoder.copyTextureToBuffer({ texture: slot.texture! }, { buffer: slot.frame, bytesPerRow: 4 * res.rowWords }, [res.width, res.height]);
      const uploadMs = performance.now() - t0;
      const logits = this.model.compiled.locate('output', 'lateral_map_2');
      // What is read back: the probability map at the frame's size, or the logits where the CPU resizes them.
      const result = res.post ? res.post.locate('output', 'probability') : logits;
      encodeDispatches(encoder, slot.input.dispatches, 'frame input');
      this.model.compiled.encode(encoder, { buffer: slot.staging, offset: result.bytes });
      if (res.post) {
        const postIn = res.post.locate('input', 'logits');
        encoder.copyBufferToBuffer(logits.buffer, logits.offset, postIn.buffer, postIn.offset, logits.bytes);
        res.post.encode(encoder);
      }
      encoder.copyBufferToBuffer(result.buffer, result.offset, slot.staging, 0, result.bytes);
      device.queue.submit([encoder.finish()]);
      const invalid = copied && (await settle(this.gpu, copied.validated));
      if (invalid) throw invalidCopy(invalid, frame as BrowserFrame, index);
      await mapForReading(this.gpu, slot.staging);
      const t1 = performance.now();
      let map: Float32Array;
      let flagged: boolean;
      try {
        map = result.decode(slot.staging.getMappedRange(0, result.bytes).slice(0));
        flagged = this.model.compiled.statusSet(slot.staging, result.bytes);
      } finally {
        slot.staging.unmap();
      }
      if (!res.post) map = probabilityOnCpu(map, this.model.size, res.width, res.height);
      // A NaN or overflow inside the network may still give finite probabilities (a ReLU maps NaN to 0): the
      // status word, not the map, says whether this frame's result is valid.
      if (flagged) {
        const step = await this.model.compiled.locateNonFinite((e) => encodeDispatches(e, slot.input.dispatches, 'frame input'));
        throw new Error(`frame ${index}: the network produced a non-finite value inside (${step}); the weights (${this.source}) or the GPU are faulty`);
      }
      checkFinite(map, `frame ${index}`);
      const { max, above } = presenceOf(map, this.maskAt);
      const t2 = performance.now();
      return {
        index,
        width: res.width,
        height: res.height,
        probability: map,
        maxProbability: max,
        polypPresent: max >= this.presence,
        areaFraction: above / map.length,
        timings: { uploadMs, gpuMs: t1 - t0 - uploadMs, readbackMs: t2 - t1, latencyMs: t2 - start },
      };
    } finally {
      slot.busy = false;
      this.wakeAll();
    }
  }

  /**
   * A free slot of the resources for this frame's size, marked busy before returning (so no other call can take
   * it or free it). Resources for a new size are made once the frames in flight have finished.
   */
  private async acquire(frame: FrameInput): Promise<{ res: SizeResources; slot: SizeResources['slots'][number] }> {
    const [width, height] = frameSize(frame);
    const fromTexture = !isRgba(frame);
    for (;;) {
      if (this.disposed) throw new Error('this frame segmenter has been disposed');
      if (this.building) {
        await this.building;
        continue;
      }
      const res = this.sizeResources;
      if (res && res.width === width && res.height === height && res.fromTexture === fromTexture) {
        const slot = res.slots.find((s) => !s.busy);
        if (slot) {
          slot.busy = true;
          return { res, slot };
        }
      } else if (this.busySlots() === 0) {
        return await this.resize(width, height, fromTexture);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Replaces the resources (none busy) with a new size's and gives the caller their first slot, taken before
   * any other call can look; calls arriving meanwhile wait for `building`.
   */
  private async resize(width: number, height: number, fromTexture: boolean): Promise<{ res: SizeResources; slot: SizeResources['slots'][number] }> {
    this.freeSize();
    // Kept even if dispose() came meanwhile: it waits for this call's frame, then frees them.
    const made = this.makeResources(width, height, fromTexture).then((res) => {
      this.sizeResources = res;
      const slot = res.slots[0]!;
      slot.busy = true;
      return { res, slot };
    });
    this.building = made.catch(() => undefined);
    try {
      return await made;
    } finally {
      this.building = undefined;
      this.wakeAll();
    }
  }

  /** A size's resources; on failure, whatever was made of them is freed. */
  private async makeResources(width: number, height: number, fromTexture: boolean): Promise<SizeResources> {
    const made: { destroy(): void }[] = [];
    const keep = <T extends { destroy(): void }>(r: T): T => (made.push(r), r);
    try {
      const device = this.gpu.device;
      const size = this.model.size;
      const rowWords = fromTexture ? Math.ceil((4 * width) / 256) * 64 : width;
      const limit = this.gpu.limits.maxStorageBufferBindingSize;
      if (4 * rowWords * height > limit) {
        throw new Error(
          `a ${width}x${height} frame is larger than this device takes: its ${4 * rowWords * height} bytes of pixels exceed maxStorageBufferBindingSize (${limit}); scale the frames down`,
        );
      }
      // A one-channel map is stored as vec4 pixels (16 bytes each): a frame above limit / 16 pixels (8.4 Mpx at
      // 128 MiB, a DCI 4K frame) is resized on the CPU, as a still image that large is.
      const post = width * height * 16 > limit ? undefined : keep(await CompiledGraph.compile(this.gpu, this.cache, postGraph(size, width, height)));
      const table = frameInputTable(width, height, size);
      const constant = (data: Uint32Array | Float32Array, label: string) =>
        keep(createStorageBuffer(this.gpu, data.byteLength, label, (m) => m.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))));
      const taps = constant(table.taps, 'frame taps');
      const weights = constant(table.weights, 'frame weights');
      const input = this.model.compiled.locate('input', 'image');
      const logits = this.model.compiled.locate('output', 'lateral_map_2');
      const postIn = post?.locate('input', 'logits');
      if (postIn && (logits.bytes !== postIn.bytes || logits.view.cs !== postIn.view.cs || logits.view.co !== postIn.view.co)) {
        throw new Error("frame pipeline: the network's logits and the resize's input are laid out differently (engine bug)");
      }
      const call = frameInputKernel({ width, height, rowWords }, input.view, this.gpu.limits.maxComputeWorkgroupsPerDimension);
      const readBytes = (post ? post.locate('output', 'probability') : logits).bytes;
      const slots: SizeResources['slots'] = [];
      for (let i = 0; i < this.maxInFlight; i++) {
        const frame = keep(device.createBuffer({ label: `frame ${i}`, size: 4 * rowWords * height, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST }));
        const texture = fromTexture
          ? keep(
              device.createTexture({
                label: `frame texture ${i}`,
                size: [width, height],
                format: 'rgba8unorm',
                usage: GPUTextureUsage.COPY_DST | GPUTextureUsage.COPY_SRC | GPUTextureUsage.RENDER_ATTACHMENT,
              }),
            )
          : undefined;
        const resources = {
          frame: { buffer: frame },
          taps: { buffer: taps },
          weights: { buffer: weights },
          y: { buffer: input.buffer, offset: input.offset, size: input.bytes },
        };
        const prepared = keep(await prepareDispatches(this.gpu, this.cache, [{ call, resources }]));
        const staging = keep(
          device.createBuffer({
            label: `frame read-back ${i}`,
            size: readBytes + this.model.compiled.statusBytes,
            usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
          }),
        );
        slots.push({ frame, ...(texture ? { texture } : {}), input: prepared, staging, busy: false });
      }
      this.gpu.checkErrors();
      return { width, height, fromTexture, rowWords, ...(post ? { post } : {}), taps, weights, slots };
    } catch (err) {
      for (const r of made) r.destroy();
      throw err;
    }
  }

  /** Every waiting call checks again (slots freed, or a new size's resources made). */
  private wakeAll(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  private freeSize(): void {
    if (this.sizeResources) freeResources(this.sizeResources);
    this.sizeResources = undefined;
  }

  /**
   * Frees everything (and the device, if this frame segmenter made it) once the frames in flight finish; calls
   * still waiting for a slot fail. Every call returns the same promise.
   */
  dispose(): Promise<void> {
    this.disposing ??= this.disposeNow();
    return this.disposing;
  }

  private async disposeNow(): Promise<void> {
    this.disposed = true;
    this.wakeAll(); // calls waiting for a slot now see `disposed` and fail
    while (this.claimed > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.freeSize();
    this.model.destroy();
    if (this.ownsDevice) this.gpu.destroy();
  }
}

function freeResources(r: SizeResources): void {
  for (const s of r.slots) {
    s.frame.destroy();
    s.texture?.destroy();
    s.input.destroy();
    s.staging.destroy();
  }
  r.taps.destroy();
  r.weights.destroy();
  r.post?.destroy();
}

/**
 * Frames from a source that waits for its reader (a file being decoded), segmented with up to maxInFlight in
 * the pipeline, results in order. Nothing is dropped: the source is read only as fast as frames are done.
 */
export async function* segmentFrames(segmenter: FrameSegmenter, frames: AsyncIterable<FrameInput> | Iterable<FrameInput>): AsyncGenerator<FrameResult> {
  const pending: Promise<FrameResult>[] = [];
  try {
    for await (const frame of frames) {
      if (pending.length >= segmenter.maxInFlight) yield await pending.shift()!;
      const p = segmenter.segment(frame);
      p.catch(() => undefined); // awaited in order below; a rejection must not go unhandled meanwhile
      pending.push(p);
    }
    while (pending.length > 0) yield await pending.shift()!;
  } finally {
    await Promise.allSettled(pending);
  }
}
