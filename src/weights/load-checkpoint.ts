// Reads any supported checkpoint (.pth zip, .pth legacy, .safetensors) by looking at its first bytes.
import { describeBytes } from './bytes.js';
import { cleanStateDict } from './clean.js';
import { assertFinite } from './finite.js';
import { isWeightFile } from './engine-file.js';
import { isLegacyPth, isZip, readPth } from './pth.js';
import { readSafetensors } from './safetensors.js';
import type { StateDict } from './tensor.js';

export type CheckpointFormat = 'pth-zip' | 'pth-legacy' | 'safetensors';

/** A plausible header length, then '{'. The length may exceed the file: the reader then says it is truncated. */
function isSafetensors(b: Uint8Array): boolean {
  if (b.length < 9 || b[8] !== 0x7b) return false; // '{'
  const len = new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
  return len >= 2n && len <= BigInt(Number.MAX_SAFE_INTEGER);
}

export function sniffCheckpoint(bytes: Uint8Array): CheckpointFormat | undefined {
  if (isZip(bytes)) return 'pth-zip';
  if (isLegacyPth(bytes)) return 'pth-legacy';
  if (isSafetensors(bytes)) return 'safetensors';
  return undefined;
}

export function readCheckpoint(bytes: Uint8Array, source: string): StateDict {
  const format = sniffCheckpoint(bytes);
  if (format === 'pth-zip' || format === 'pth-legacy') return readPth(bytes, source);
  if (format === 'safetensors') return readSafetensors(bytes, source);
  if (isWeightFile(bytes)) throw new Error(`${source}: this is already an engine weight file (.pnw), not a PyTorch checkpoint: use it directly (--weights FILE), no conversion needed`);
  const pickle = bytes[0] === 0x80 ? ' (a pickle, but without torch\'s magic number)' : '';
  throw new Error(`${source}: unknown checkpoint format: found ${describeBytes(bytes)}${pickle}; expected a torch .pth (zip "PK\\x03\\x04" or legacy pickle 80 02 8a 0a ...) or a .safetensors file`);
}

/** Checked here, where the key is known: the batchnorm folding that would trip over it later cannot name it. */
function assertVariance(key: string, data: Float32Array, source: string): void {
  if (!/(^|\.)running_var$/.test(key)) return;
  const i = data.findIndex((v) => v < 0);
  if (i >= 0) throw new Error(`${source}: tensor '${key}' has a negative value ${data[i]} at element ${i}: a variance cannot be negative`);
}

/** Every value finite and every running_var >= 0, whatever file the tensors came from. */
export function assertModelValues(sd: ReadonlyMap<string, { data: Float32Array }>, source: string): void {
  for (const [key, t] of sd) {
    assertFinite(key, t.data, source);
    assertVariance(key, t.data, source);
  }
}

/** A checkpoint as a model takes it: read, cleaned (cleanStateDict), its values checked (assertModelValues). */
export function readModelCheckpoint(bytes: Uint8Array, source: string): StateDict {
  const sd = cleanStateDict(readCheckpoint(bytes, source));
  assertModelValues(sd, source);
  return sd;
}
