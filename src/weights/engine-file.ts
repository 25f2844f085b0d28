// The engine's own weight file (see docs/weight-format.md): magic, version, a JSON header, then each tensor's
// little-endian float32 or float16 values at a 64-byte aligned offset.
import { ByteReader } from './bytes.js';
import { decodeElements } from './decode.js';
import { describeValue } from './describe.js';
import { floatBitsToHalfBits, HALF_MAX, isHalfFinite } from './f16.js';
import { assertFinite } from './finite.js';
import { checkShape, DTYPE_BYTES, numelOf, type HostTensor } from './tensor.js';

/** "\x89PNW\r\n\x1a\n": non-ASCII first byte and CR/LF/EOF bytes catch text-mode and truncating transfers. */
export const WEIGHT_FILE_MAGIC = Uint8Array.of(0x89, 0x50, 0x4e, 0x57, 0x0d, 0x0a, 0x1a, 0x0a);
export const WEIGHT_FILE_VERSION = 1;
export const WEIGHT_FILE_ALIGN = 64;
const PREAMBLE_BYTES = 16; // magic, u32 version, u32 header length
const MAX_HEADER_BYTES = 64 << 20;

export type WeightFileDtype = 'f32' | 'f16';

export interface WeightFileTensorInput {
  shape: number[];
  data: Float32Array;
}

export interface DecodedWeightFile {
  meta: Record<string, unknown>;
  tensors: Map<string, HostTensor>;
}

interface HeaderTensor {
  name: string;
  dtype: WeightFileDtype;
  shape: number[];
  offset: number;
  nbytes: number;
}

interface Header {
  meta: Record<string, unknown>;
  dataBytes: number;
  tensors: HeaderTensor[];
}

const align = (n: number): number => Math.ceil(n / WEIGHT_FILE_ALIGN) * WEIGHT_FILE_ALIGN;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function isWeightFile(bytes: Uint8Array): boolean {
  return bytes.length >= WEIGHT_FILE_MAGIC.length && WEIGHT_FILE_MAGIC.every((b, i) => bytes[i] === b);
}

/** Copies the elements of `values` into `out` at `at`, little-endian whatever the host order. */
function putLittleEndian(out: Uint8Array, at: number, values: Float32Array | Uint16Array): void {
  const src = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  out.set(src, at);
  if (!HOST_LITTLE_ENDIAN) {
    const size = values.BYTES_PER_ELEMENT;
    for (let i = at; i < at + src.length; i += size) out.subarray(i, i + size).reverse();
  }
}

function toHalf(name: string, data: Float32Array): Uint16Array {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const h = floatBitsToHalfBits(bits[i]!);
    if (!isHalfFinite(h)) {
      throw new Error(`encodeWeightFile: tensor '${name}' value ${data[i]} at element ${i} overflows float16 (largest finite is ${HALF_MAX})`);
    }
    out[i] = h;
  }
  return out;
}

/** Builds a weight file. Values must be finite (and, for f16, within float16 range). */
export function encodeWeightFile(
  tensors: Map<string, WeightFileTensorInput>,
  opts: { dtype: WeightFileDtype; meta: object },
): Uint8Array {
  const { dtype, meta } = opts;
  if (dtype !== 'f32' && dtype !== 'f16') throw new Error(`encodeWeightFile: dtype '${String(dtype)}' is not f32 or f16`);
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('encodeWeightFile: meta must be a plain object');
  const entries: HeaderTensor[] = [];
  const payloads: (Float32Array | Uint16Array)[] = [];
  let cursor = 0;
  for (const [name, t] of tensors) {
    if (name === '') throw new Error('encodeWeightFile: a tensor has an empty name');
    const shape = checkShape(t.shape, `encodeWeightFile: tensor '${name}'`);
    if (t.data.length !== numelOf(shape)) {
      throw new Error(`encodeWeightFile: tensor '${name}' has ${t.data.length} values, shape [${shape.join(', ')}] needs ${numelOf(shape)}`);
    }
    assertFinite(name, t.data, 'encodeWeightFile');
    const payload = dtype === 'f16' ? toHalf(name, t.data) : t.data;
    entries.push({ name, dtype, shape: [...shape], offset: cursor, nbytes: payload.byteLength });
    payloads.push(payload);
    cursor = align(cursor + payload.byteLength);
  }
  const header: Header = { meta: meta as Record<string, unknown>, dataBytes: cursor, tensors: entries };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align(PREAMBLE_BYTES + json.length);
  const out = new Uint8Array(dataStart + cursor);
  out.set(WEIGHT_FILE_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, WEIGHT_FILE_VERSION, true);
  view.setUint32(12, json.length, true);
  out.set(json, PREAMBLE_BYTES);
  entries.forEach((e, i) => putLittleEndian(out, dataStart + e.offset, payloads[i]!));
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHeader(json: unknown, dataBytes: number, source: string): Header {
  if (!isObject(json) || !isObject(json.meta) || !Array.isArray(json.tensors) || !Number.isSafeInteger(json.dataBytes)) {
    throw new Error(`${source}: weight file header must be {meta: object, dataBytes: integer, tensors: list}`);
  }
  if (json.dataBytes !== dataBytes) {
    const why = (json.dataBytes as number) > dataBytes ? 'the file is truncated' : 'the file has trailing bytes';
    throw new Error(`${source}: header declares ${json.dataBytes as number} data bytes, the file holds ${dataBytes}: ${why}`);
  }
  const names = new Set<string>();
  let end = 0;
  const tensors = json.tensors.map((t: unknown, i: number): HeaderTensor => {
    if (!isObject(t) || typeof t.name !== 'string' || t.name === '' || !Array.isArray(t.shape)) {
      throw new Error(`${source}: header tensor ${i} needs a non-empty name and a shape list`);
    }
    const what = `${source}: tensor '${t.name}'`;
    if (names.has(t.name)) throw new Error(`${what} appears twice`);
    names.add(t.name);
    if (t.dtype !== 'f32' && t.dtype !== 'f16') throw new Error(`${what}: ${t.dtype === undefined ? 'has no dtype' : `dtype ${describeValue(t.dtype)}`}; expected f32 or f16`);
    const shape = checkShape(t.shape, what);
    const { offset, nbytes } = t;
    for (const [field, v] of [['offset', offset], ['nbytes', nbytes]] as const) {
      if (!Number.isSafeInteger(v)) throw new Error(`${what}: ${field} must be an integer, got ${v === undefined ? 'none' : describeValue(v)}`);
    }
    if ((offset as number) < end || (offset as number) % WEIGHT_FILE_ALIGN !== 0) {
      throw new Error(`${what}: offset ${offset as number} must be a multiple of ${WEIGHT_FILE_ALIGN} after the previous tensor's end (${end})`);
    }
    const expected = numelOf(shape) * DTYPE_BYTES[t.dtype];
    if (nbytes !== expected) throw new Error(`${what}: ${nbytes as number} bytes, but shape [${shape.join(', ')}] of ${t.dtype} needs ${expected}`);
    end = (offset as number) + expected;
    if (end > dataBytes) throw new Error(`${what}: bytes ${offset as number}..${end} lie outside the ${dataBytes}-byte data section`);
    return { name: t.name, dtype: t.dtype, shape, offset: offset as number, nbytes: expected };
  });
  return { meta: json.meta, dataBytes, tensors };
}

/** Parses and validates a whole weight file held in memory. */
export function decodeWeightFile(bytes: Uint8Array, source: string): DecodedWeightFile {
  if (!isWeightFile(bytes)) throw new Error(`${source}: not a pranet-wgsl weight file (wrong magic bytes)`);
  const r = new ByteReader(bytes, source, WEIGHT_FILE_MAGIC.length);
  const version = r.u32('weight file version');
  if (version !== WEIGHT_FILE_VERSION) throw new Error(`${source}: weight file version ${version}, this reader supports ${WEIGHT_FILE_VERSION}`);
  const headerLen = r.u32('weight file header length');
  if (headerLen > MAX_HEADER_BYTES) throw new Error(`${source}: weight file header of ${headerLen} bytes is implausibly large`);
  const headerBytes = r.take(headerLen, 'weight file header');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof TypeError) throw new Error(`${source}: weight file header is not valid UTF-8 JSON (${e.message})`, { cause: e });
    throw e;
  }
  const dataStart = align(PREAMBLE_BYTES + headerLen);
  if (dataStart > bytes.length) throw new Error(`${source}: truncated: the data section should start at byte ${dataStart}, the file has ${bytes.length} bytes`);
  const header = parseHeader(json, bytes.length - dataStart, source);
  const tensors = new Map<string, HostTensor>();
  for (const t of header.tensors) {
    const data = decodeElements(bytes, dataStart + t.offset, numelOf(t.shape), t.dtype);
    assertFinite(t.name, data, source);
    tensors.set(t.name, { shape: t.shape, dtype: t.dtype, data });
  }
  return { meta: header.meta, tensors };
}
