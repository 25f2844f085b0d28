// The messages between the worker client (src/worker-client.ts, in the page) and the worker entry
// (src/worker.ts, which owns the device and the model). Types and small helpers only: the client imports this,
// and nothing here may pull the engine into the page's bundle.
import type { AdapterSummary } from '../gpu/context.js';
import type { PraNetConfig } from '../models/pranet-config.js';
import type { ProfileSummary } from '../profile/kernel-profile.js';
import { imageListProblem, rgbaPixelsOf } from './image-input.js';
import type { RgbaPixels, SegmentInput, Segmentation, SegmenterOptions, SegmentOptions, SegmentTimings } from './segmenter.js';

/** Every message carries this, so the worker can share its message port with a host script's own messages. */
export const PROTOCOL = 'pranet-wgsl/worker/1';
/** What every version's PROTOCOL starts with: a message with another version's is a mismatch, not someone else's. */
const FAMILY = 'pranet-wgsl/worker/';

export type WorkerRequest = { protocol: typeof PROTOCOL; id: number } & (
  | { kind: 'hello' }
  | { kind: 'load'; weights: string | ArrayBuffer | Uint8Array; options: SegmenterOptions }
  | { kind: 'segment'; images: WireImage[]; options: SegmentOptions }
  | { kind: 'profile' }
  | { kind: 'dispose' }
);

/** An image as it crosses: an ImageBitmap, or RGBA pixels as exactly { width, height, data }. */
export type WireImage = ImageBitmap | RgbaPixels;

/** What the page learns about the loaded model (the Segmenter's own properties, minus the device itself). */
export interface SegmenterInfo {
  adapter: AdapterSummary;
  config: PraNetConfig;
  batchSize: number;
  source: string;
  tilingDescription: string;
}

/** An error as it crosses: Error objects clone without their class, so the class goes by name. */
export interface WireError {
  name: string;
  message: string;
  /** WeightsLoadError's source */
  source?: string;
}

/**
 * Id of the messages outside the request/reply pairs: the page's 'hello' and the worker's notices, 'ready' (its
 * module listens: sent when it starts and in answer to 'hello', so the page, which sends nothing before it,
 * learns it whether the worker started before or after the page began listening) and 'closed' (it called
 * close(): nothing pending will be answered).
 */
export const NOTICE = 0;

export type WorkerReply = { protocol: typeof PROTOCOL; id: number } & (
  | { kind: 'ready' }
  | { kind: 'closed' }
  | { kind: 'progress'; loaded: number; total: number | undefined }
  | { kind: 'loaded'; info: SegmenterInfo }
  | { kind: 'segmented'; results: Segmentation[]; timings: SegmentTimings }
  | { kind: 'profiled'; profile: ProfileSummary }
  | { kind: 'disposed' }
  | { kind: 'failed'; error: WireError }
);

export function isProtocolMessage<T extends WorkerRequest | WorkerReply>(data: unknown): data is T {
  return typeof data === 'object' && data !== null && (data as { protocol?: unknown }).protocol === PROTOCOL;
}

/** The PROTOCOL of a message from another version of pranet-wgsl; undefined for this version's and for other code's messages. */
export function otherVersion(data: unknown): string | undefined {
  const p = typeof data === 'object' && data !== null ? (data as { protocol?: unknown }).protocol : undefined;
  return typeof p === 'string' && p.startsWith(FAMILY) && p !== PROTOCOL ? p : undefined;
}

/** The distinct buffers under some typed arrays (a buffer listed twice in a transfer list is an error). */
export function buffersOf(arrays: Iterable<ArrayBufferView | undefined>): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  return [...out];
}

/** Every typed array of a result: the worker hands them over instead of copying them. */
export function resultArrays(r: Segmentation): ArrayBufferView[] {
  return [r.probability, r.normalized, r.mask, ...(r.logits ? [r.logits] : []), ...Object.values(r.lateralMaps ?? {})];
}

const isBitmap = (img: unknown): img is ImageBitmap => typeof ImageBitmap !== 'undefined' && img instanceof ImageBitmap;

/**
 * A segment request's images as they cross, checked on the page: structured cloning would refuse an <img> or a
 * detached buffer in its own words, and drop a width or height that is a getter. With `transfer`, bitmaps and
 * pixel buffers are handed over. Pixels that are a view into a larger buffer go as a copy of their own bytes
 * (sending the view would copy, or detach, the whole buffer).
 */
export function wireImages(images: readonly SegmentInput[], transfer: boolean): { images: WireImage[]; transfer: Transferable[] } {
  const listProblem = imageListProblem(images);
  if (listProblem) throw new Error(listProblem);
  const handed = new Set<Transferable>(); // each once: a repeat fails postMessage
  const out = images.map((img, i): WireImage => {
    if (isBitmap(img)) {
      // a live bitmap is never empty: 0 x 0 is one closed or transferred
      if (img.width === 0)
        throw new Error(`image ${i}: the ImageBitmap is closed (close() was called, or an earlier call with { transfer: true } handed it over)`);
      if (transfer) handed.add(img);
      return img;
    }
    const { width, height, data } = rgbaPixelsOf(img, i, 'an earlier call with { transfer: true } handed it to the worker');
    const whole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
    // a copy by constructor: slice() of a subclass (Buffer's) may return a view of the same buffer
    const sent = whole ? data : data instanceof Uint8ClampedArray ? new Uint8ClampedArray(data) : new Uint8Array(data);
    if (transfer || !whole) handed.add(sent.buffer as ArrayBuffer); // a copy made here is ours to hand over
    return { width, height, data: sent };
  });
  return { images: out, transfer: [...handed] };
}
