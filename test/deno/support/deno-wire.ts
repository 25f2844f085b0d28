// What the Node side hands the Deno harness (test/deno/harness.ts) and what it prints back.
import type { AdapterSummary } from '../../../src/gpu/context.js';

export interface DenoRequest {
  /** the weight file to load */
  weights: string;
  /** the image as raw RGBA bytes in a file */
  image: { rgba: string; width: number; height: number };
  /** indices into kernelCases() to run */
  cases: number[];
  /** the folder the harness writes logits.f32, probability.f32 and case-<i>.f32 into */
  out: string;
}

export interface DenoReport {
  adapter: AdapterSummary;
  features: string[];
  /** device, weight decoding, graph build (pipelines created), first and second segment() in milliseconds */
  coldStart: { deviceMs: number; weightsMs: number; buildMs: number; firstRunMs: number; secondRunMs: number };
  /** the kernel cases, all together */
  kernelsMs: number;
}
