// Reads a .safetensors file: u64 little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {...}}, then the packed tensor bytes.
import { checkExpansion } from './budget.js';
import { ByteReader } from './bytes.js';
import { decodeElements } from './decode.js';
import { describeValue } from './describe.js';
import { checkShape, DTYPE_BYTES, numelOf, type Dtype, type StateDict } from './tensor.js';

const DTYPES: Readonly<Record<string, Dtype>> = { F32: 'f32', F16: 'f16', BF16: 'bf16', F64: 'f64', I64: 'i64' };
const MAX_HEADER_BYTES = 100_000_000;

interface Entry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEntry(name: string, info: unknown, dataBytes: number, source: string): Entry {
  const what = `${source}: tensor '${name}'`;
  if (!isObject(info)) throw new Error(`${what}: header entry is not an object`);
  const dtype = typeof info.dtype === 'string' && Object.hasOwn(DTYPES, info.dtype) ? DTYPES[info.dtype]! : undefined;
  if (!dtype) {
    const got = info.dtype === undefined ? 'has no dtype' : `dtype ${describeValue(info.dtype)} is not supported`;
    throw new Error(`${what}: ${got} (F32, F16, BF16, F64, I64)`);
  }
  if (!Array.isArray(info.shape)) throw new Error(`${what}: shape is not a list`);
  const shape = checkShape(info.shape, what);
  const offsets = info.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new Error(`${what}: data_offsets must be [begin, end] with non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataBytes) {
    throw new Error(`${what}: data_offsets [${begin}, ${end}] lie outside the ${dataBytes}-byte data section (is the file truncated?)`);
  }
  const expected = numelOf(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new Error(`${what}: data_offsets span ${end - begin} bytes, but shape [${shape.join(', ')}] of ${String(info.dtype)} needs ${expected}`);
  }
  return { name, dtype, shape, begin, end };
}

/** All tensors, in the order their bytes appear in the file. */
export function readSafetensors(bytes: Uint8Array, source: string): StateDict {
  const r = new ByteReader(bytes, source);
  const headerLen = r.u64('safetensors header length');
  if (headerLen > MAX_HEADER_BYTES) throw new Error(`${source}: safetensors header of ${headerLen} bytes is larger than ${MAX_HEADER_BYTES}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.take(headerLen, 'safetensors header')));
  } catch (e) {
    if (e instanceof SyntaxError || e instanceof TypeError) throw new Error(`${source}: safetensors header is not valid UTF-8 JSON (${e.message})`, { cause: e });
    throw e;
  }
  if (!isObject(header)) throw new Error(`${source}: safetensors header is not a JSON object`);
  if (header.__metadata__ !== undefined && !isObject(header.__metadata__)) throw new Error(`${source}: safetensors __metadata__ is not an object`);
  const dataStart = r.pos;
  const dataBytes = bytes.length - dataStart;
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, info]) => parseEntry(name, info, dataBytes, source))
    .sort((a, b) => a.begin - b.begin || a.end - b.end);
  // The format packs tensors back to back and covers the whole data section.
  let cursor = 0;
  let previous = '';
  for (const e of entries) {
    if (e.begin < cursor) throw new Error(`${source}: tensors '${previous}' and '${e.name}' overlap (byte ${e.begin} < ${cursor})`);
    if (e.begin > cursor) throw new Error(`${source}: unused bytes ${cursor}..${e.begin} before tensor '${e.name}'`);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataBytes) throw new Error(`${source}: data section has ${dataBytes} bytes, the tensors cover ${cursor}`);
  // Each tensor is its own storage here, so only the absolute limit can bite; counted as for .pth files.
  checkExpansion(entries.map((e) => ({ name: e.name, numel: numelOf(e.shape), storage: { key: e.name, numel: numelOf(e.shape), bytes: e.end - e.begin } })), source);
  const out: StateDict = new Map();
  for (const e of entries) {
    const count = numelOf(e.shape);
    out.set(e.name, { shape: e.shape, dtype: e.dtype, data: decodeElements(bytes, dataStart + e.begin, count, e.dtype) });
  }
  return out;
}
