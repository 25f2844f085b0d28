// Any weights a user may hand the engine: its own weight file (batchnorm folded, f32 or f16) or a PyTorch
// checkpoint read directly (.pth legacy or zip, .safetensors), which keeps its batchnorm layers for the
// graph's folding pass.
import {
  assertModelValues,
  decodeWeightFile,
  isWeightFile,
  loadSourceBytes,
  readModelCheckpoint,
  sourceName,
  type ProgressCallback,
  type WeightFileSource,
} from '../weights/index.js';
import type { WeightMap } from './weight-reader.js';

export interface LoadedWeights {
  weights: WeightMap;
  source: string;
  kind: 'engine' | 'checkpoint';
  /** the engine file's metadata (empty for checkpoints) */
  meta: Record<string, unknown>;
}

export function weightsFromBytes(bytes: Uint8Array, source: string): LoadedWeights {
  if (isWeightFile(bytes)) {
    const { meta, tensors } = decodeWeightFile(bytes, source);
    assertModelValues(tensors, source); // an engine file may keep batchnorm statistics too
    return { weights: tensors, source, kind: 'engine', meta };
  }
  return { weights: readModelCheckpoint(bytes, source), source, kind: 'checkpoint', meta: {} };
}

export async function loadWeights(src: WeightFileSource, onProgress?: ProgressCallback): Promise<LoadedWeights> {
  return weightsFromBytes(await loadSourceBytes(src, onProgress), sourceName(src, 'weight bytes'));
}
