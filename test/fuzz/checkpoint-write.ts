// Serialises the fuzzer's checkpoints as legacy .pth, zip .pth, .safetensors and .pnw, whatever their
// (possibly inconsistent) structure says, and lists the integer fields of each container for mutation.
import { WEIGHT_FILE_MAGIC } from '../../src/weights/engine-file.js';
import { legacyPth, PickleWriter, zipArchive } from '../weights-helpers.js';
import { concatBytes } from '../../src/util/bytes.js';
import type { Checkpoint, CkTensor } from './checkpoint-model.js';
import type { Field } from './fields.js';
import { jsonText } from './json-mutate.js';
import type { Rand } from './rand.js';

export interface Written {
  bytes: Uint8Array;
  fields: Field[];
}

/** Any integer, as pickle writes it: BININT within 32 bits, LONG1 beyond. */
function int(w: PickleWriter, n: number): PickleWriter {
  if (n >= -(2 ** 31) && n < 2 ** 31) return n >= 0 && n < 256 ? w.raw(0x4b, n) : w.raw(0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  let v = BigInt(n);
  const bytes: number[] = [];
  do {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  } while (v !== 0n && v !== -1n);
  if ((bytes.at(-1)! & 0x80) !== (n < 0 ? 0x80 : 0)) bytes.push(n < 0 ? 0xff : 0);
  return w.raw(0x8a, bytes.length, ...bytes);
}

function ints(w: PickleWriter, xs: number[]): PickleWriter {
  w.mark();
  xs.forEach((x) => int(w, x));
  return w.tuple();
}

/** The state dict as torch pickles it: an OrderedDict of _rebuild_tensor_v2 calls on persistent storages. */
export function stateDictPickle(ck: Checkpoint, format: 'legacy' | 'zip'): Uint8Array {
  const w = new PickleWriter().proto();
  if (ck.wrapped) w.emptyDict().str('state_dict');
  w.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  for (const t of ck.tensors) {
    w.str(t.key).global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark().str('storage').global('torch', t.cls).str(t.storage).str('cpu');
    int(w, t.numel);
    if (format === 'legacy') w.none();
    w.tuple().binpersid();
    int(w, t.offset);
    ints(w, t.shape);
    ints(w, t.stride);
    w.newfalse().global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }
  w.setitems();
  if (ck.wrapped) w.setitems();
  return w.stop().bytes();
}

const storageBytes = (ck: Checkpoint) => [...ck.storages].filter(([k]) => ck.tensors.some((t) => t.storage === k));

export function writeLegacy(ck: Checkpoint, pickle = stateDictPickle(ck, 'legacy')): Written {
  const storages = storageBytes(ck).map(([key, data]) => ({ key, data, count: ck.tensors.find((t) => t.storage === key)!.numel }));
  const bytes = legacyPth(
    pickle,
    storages.map((s) => ({ ...s, count: Math.max(0, s.count) })),
  );
  const fields: Field[] = [];
  let at = bytes.length - storages.reduce((n, s) => n + 8 + s.data.length, 0);
  for (const s of storages) {
    fields.push({ name: `storage ${s.key} count`, at, width: 8 });
    at += 8 + s.data.length;
  }
  return { bytes, fields };
}

/** Local headers, central directory entries and the end record of a zip made by zipArchive. */
function zipFields(b: Uint8Array): Field[] {
  const fields: Field[] = [];
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at + 4 <= b.length; at++) {
    const sig = view.getUint32(at, true);
    if (sig === 0x04034b50) {
      for (const [off, w, n] of [
        [6, 2, 'flags'],
        [8, 2, 'method'],
        [18, 4, 'compressed size'],
        [22, 4, 'size'],
        [26, 2, 'name length'],
        [28, 2, 'extra length'],
      ] as const)
        fields.push({ name: `local ${n}`, at: at + off, width: w });
    } else if (sig === 0x02014b50) {
      for (const [off, w, n] of [
        [10, 2, 'method'],
        [20, 4, 'compressed size'],
        [24, 4, 'size'],
        [28, 2, 'name length'],
        [30, 2, 'extra length'],
        [32, 2, 'comment length'],
        [34, 2, 'disk'],
        [42, 4, 'local offset'],
      ] as const)
        fields.push({ name: `central ${n}`, at: at + off, width: w });
    } else if (sig === 0x06054b50) {
      for (const [off, w, n] of [
        [4, 2, 'disk'],
        [8, 2, 'entries here'],
        [10, 2, 'entries'],
        [12, 4, 'directory size'],
        [16, 4, 'directory offset'],
        [20, 2, 'comment length'],
      ] as const)
        fields.push({ name: `end ${n}`, at: at + off, width: w });
    }
  }
  return fields;
}

export function writeZip(r: Rand, ck: Checkpoint, pickle = stateDictPickle(ck, 'zip')): Written {
  const deflate = r.chance(0.3);
  const bytes = zipArchive(
    [
      { name: 'archive/data.pkl', data: pickle, deflate },
      { name: 'archive/byteorder', data: new TextEncoder().encode('little') },
      ...storageBytes(ck).map(([key, data]) => ({ name: `archive/data/${key}`, data, deflate })),
      { name: 'archive/version', data: new TextEncoder().encode('3\n') },
    ],
    { zip64: r.chance(0.15) },
  );
  return { bytes, fields: zipFields(bytes) };
}

const SAFETENSORS_DTYPES: Record<string, string> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  BFloat16Storage: 'BF16',
};
const PNW_DTYPES: Record<string, string> = { FloatStorage: 'f32', HalfStorage: 'f16' };

/** Each tensor's bytes in its storage, laid out one after the other. */
function packed(ck: Checkpoint, align: number): { data: Uint8Array; places: { t: CkTensor; begin: number; end: number }[] } {
  const parts: Uint8Array[] = [];
  const places: { t: CkTensor; begin: number; end: number }[] = [];
  let at = 0;
  for (const t of ck.tensors) {
    const data = ck.storages.get(t.storage) ?? new Uint8Array(0);
    places.push({ t, begin: at, end: at + data.length });
    const padded = new Uint8Array(Math.ceil(data.length / align) * align);
    padded.set(data);
    parts.push(padded);
    at += padded.length;
  }
  return { data: concatBytes(parts), places };
}

export function safetensorsHeader(ck: Checkpoint): { header: Record<string, unknown>; data: Uint8Array } {
  const { data, places } = packed(ck, 1);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (const { t, begin, end } of places) header[t.key] = { dtype: SAFETENSORS_DTYPES[t.cls] ?? t.cls, shape: t.shape, data_offsets: [begin, end] };
  return { header, data };
}

export function writeSafetensors(header: unknown, data: Uint8Array): Written {
  const json = new TextEncoder().encode(jsonText(header));
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return { bytes, fields: [{ name: 'header length', at: 0, width: 8 }] };
}

export function pnwHeader(ck: Checkpoint): { header: Record<string, unknown>; data: Uint8Array } {
  const { data, places } = packed(ck, 64);
  const tensors = places.map(({ t, begin, end }) => ({ name: t.key, dtype: PNW_DTYPES[t.cls] ?? t.cls, shape: t.shape, offset: begin, nbytes: end - begin }));
  return { header: { meta: { model: 'PraNet', batchnormFolded: true }, dataBytes: data.length, tensors }, data };
}

export function writePnw(header: unknown, data: Uint8Array): Written {
  const json = new TextEncoder().encode(jsonText(header));
  const start = Math.ceil((16 + json.length) / 64) * 64;
  const out = new Uint8Array(start + data.length);
  out.set(WEIGHT_FILE_MAGIC);
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, json.length, true);
  out.set(json, 16);
  out.set(data, start);
  return {
    bytes: out,
    fields: [
      { name: 'version', at: 8, width: 4 },
      { name: 'header length', at: 12, width: 4 },
    ],
  };
}
