// What crosses between the test process and the page (page.evaluate): float arrays as base64 of their bytes,
// so every bit arrives unchanged (resize tables hold integers in float slots), and kernel calls as plain data.
// Host-neutral: used by the Node tests and bundled into the page harness.
import type { AdapterSummary } from '../../../src/gpu/context.js';
import type { KernelCall } from '../../../src/kernels/kernel.js';

const CHUNK = 0x8000;

export function toBase64(f: Float32Array | Uint8Array): string {
  const bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(text);
}

export function bytesFromBase64(b64: string): Uint8Array {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

export function floatsFromBase64(b64: string): Float32Array {
  const bytes = bytesFromBase64(b64);
  if (bytes.length % 4 !== 0) throw new Error(`base64 float data has ${bytes.length} bytes, not a multiple of 4`);
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

export type WireCall = Omit<KernelCall, 'params'> & { params: number[] };

export const callToWire = (call: KernelCall): WireCall => ({ ...call, params: Array.from(call.params) });
export const callFromWire = (w: WireCall): KernelCall => ({ ...w, params: Uint32Array.from(w.params) });

export interface WireImage {
  width: number;
  height: number;
  /** RGBA bytes, base64 */
  data: string;
}

/** Where the frame cases' media are: a same-origin clip, and an image and a clip from another origin (no CORS). */
export interface FrameCaseUrls {
  clip: string;
  crossOriginImage: string;
  crossOriginClip: string;
}

/** One browser frame through FrameSegmenter.segment (harness/frame-cases.ts), then a good frame. */
export interface FrameCaseResult {
  name: string;
  /** the frame's index in the segmenter */
  index: number;
  /** a <video>'s readyState when segment() was called */
  readyState?: number;
  /** the error's message, if it failed */
  error?: string;
  /** whether what was thrown was the browser's DOMException itself */
  domException?: boolean;
  /** the name of the error's cause (the browser's DOMException) */
  cause?: string;
  /** if it succeeded: the largest difference of its map from the good frame's (the same picture) */
  mapDiff?: number;
  /** copyExternalImageToTexture calls given the frame itself, and how many of them threw */
  directCopies?: number;
  directRefused?: number;
  /** ImageBitmaps the engine made (of the frame, or of the batch it was in), and how many were still open after */
  bitmapsMade?: number;
  bitmapsOpen?: number;
  /** frames in flight once it settled */
  inFlight: number;
  /** the largest difference of the good frame after it from the first good frame */
  afterDiff: number;
}

/** What the harness page offers the tests, as window.harnessReady. */
export interface Harness {
  adapter: AdapterSummary;
  /** imageToRgba's error for a canvas of width x height (no error: 'read'), to check its size limit */
  readCanvas(width: number, height: number): Promise<string>;
  /** runs one kernel call with NaN-poisoned outputs; inputs and results as base64 floats */
  runCall(call: WireCall, inputs: Record<string, string>, outputs: Record<string, number>): Promise<Record<string, string>>;
  /**
   * loadSegmenter(weightsUrl, { size }) then segment(image, { logits: true }); base64 floats. With `bitmap`, the
   * same pixels are also segmented as an ImageBitmap (bitmapProbability).
   */
  segment(
    weightsUrl: string,
    size: number,
    image: WireImage,
    bitmap?: boolean,
  ): Promise<{ logits: string; probability: string; normalized: string; bitmapProbability?: string; adapter: AdapterSummary }>;
  /**
   * loadFrameSegmenter(weightsUrl, { size }) then the same pixels as RGBA, ImageBitmap, RGBA, ImageBitmap (the
   * two ways a browser gives frames, alternating at one size): the four probability maps, base64 floats.
   */
  frames(weightsUrl: string, size: number, image: WireImage): Promise<string[]>;
  /** frameCases (harness/frame-cases.ts): browser frames the GPU copy refuses, each followed by a good frame */
  frameCases(weightsUrl: string, size: number, urls: FrameCaseUrls): Promise<FrameCaseResult[]>;
  /**
   * tuneThisDevice(weightsUrl, quick options) at `size`, then at `size` / 2, then loadSegmenter(weightsUrl,
   * { size }) with tuning 'auto': the stored (second) table's choice, the first's passes, where it was stored, the
   * convs each tuning measured, the convs the stored table's rules name and its earlier tunings after the
   * second, and which tiling the new
   * segmenter says it uses.
   */
  tune(
    weightsUrl: string,
    size: number,
  ): Promise<{
    chosen: string;
    passes: string[];
    convs: string[];
    where: string;
    halfSizeConvs: string[];
    storedRules: string[];
    storedEarlier: { size: number; batch: number }[];
    tilingDescription: string;
  }>;
}

declare global {
  interface Window {
    harnessReady?: Promise<Harness>;
  }
}
