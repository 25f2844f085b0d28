// A state dict of float32 tensors as the bytes of a .safetensors file, for tests that go through a reader.
import { safetensorsFile } from '../weights-helpers.js';

export function safetensorsOf(sd: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [key, t] of sd) {
    header[key] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + t.data.byteLength] };
    parts.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    at += t.data.byteLength;
  }
  const data = new Uint8Array(at);
  let to = 0;
  for (const p of parts) {
    data.set(p, to);
    to += p.length;
  }
  return safetensorsFile(header, data);
}
