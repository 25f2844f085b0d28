// The messages between the worker client (src/worker-client.ts, in the page) and the worker entry
// (src/worker.ts, which owns the device and the model). Types and small helpers only: the client imports this,
// and nothing here may pull the engine into the page's bundle.
import type { AdapterSummary } from '../gpu/context.js';
import type { PraNetConfig } from '../models/pranet-config.js';
import type { ProfileSummary } from '../profile/kernel-profile.js';
import type { SegmentInput, Segmentation, SegmenterOptions, SegmentOptions, SegmentTimings } from './segmenter.js';

/** Every message carries this, so the worker can share its message port with a host script's own messages. */
export const PROTOCOL = 'pranet-wgsl/worker/1';

export type WorkerRequest = { protocol: typeof PROTOCOL; id: number } & (
  | { kind: 'load'; weights: string | ArrayBuffer | Uint8Array; options: SegmenterOptions }
  | { kind: 'segment'; images: SegmentInput[]; options: SegmentOptions }
  | { kind: 'profile' }
  | { kind: 'dispose' }
);

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

export type WorkerReply = { protocol: typeof PROTOCOL; id: number } & (
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
