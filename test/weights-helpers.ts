// Hand-built files for the weights tests: a tiny pickle writer, legacy .pth and zip archives made from it,
// and safetensors files. Written from the format descriptions, so a bug in the readers does not hide here.
import { deflateRawSync } from 'node:zlib';
import { concatBytes } from '../src/util/bytes.js';

const utf8 = new TextEncoder();

export class PickleWriter {
  private readonly out: number[] = [];
  /** Byte offset the next opcode will have (to check error messages). */
  get pos(): number {
    return this.out.length;
  }
  raw(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  private u32(n: number): this {
    return this.raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  proto(v = 2): this {
    return this.raw(0x80, v);
  }
  global(module: string, name: string): this {
    return this.raw(0x63, ...utf8.encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = utf8.encode(s);
    return this.raw(0x58)
      .u32(b.length)
      .raw(...b);
  }
  shortStr(s: string): this {
    const b = utf8.encode(s);
    return this.raw(0x8c, b.length, ...b);
  }
  int(n: number): this {
    return n >= 0 && n < 256 ? this.raw(0x4b, n) : this.raw(0x4a).u32(n);
  }
  intTuple(xs: number[]): this {
    this.mark();
    xs.forEach((x) => this.int(x));
    return this.tuple();
  }
  mark(): this {
    return this.raw(0x28);
  }
  tuple(): this {
    return this.raw(0x74);
  }
  emptyTuple(): this {
    return this.raw(0x29);
  }
  emptyDict(): this {
    return this.raw(0x7d);
  }
  emptyList(): this {
    return this.raw(0x5d);
  }
  appends(): this {
    return this.raw(0x65);
  }
  setitems(): this {
    return this.raw(0x75);
  }
  reduce(): this {
    return this.raw(0x52);
  }
  binpersid(): this {
    return this.raw(0x51);
  }
  none(): this {
    return this.raw(0x4e);
  }
  newfalse(): this {
    return this.raw(0x89);
  }
  stop(): this {
    return this.raw(0x2e);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export interface TensorSpec {
  key: string;
  storage: string;
  /** torch storage class name, e.g. FloatStorage */
  cls?: string;
  numel: number;
  offset?: number;
  shape: number[];
  stride: number[];
}

/** Pushes a state dict the way torch pickles it: an OrderedDict of _rebuild_tensor_v2 calls. */
export function stateDictValue(w: PickleWriter, tensors: TensorSpec[], format: 'legacy' | 'zip'): PickleWriter {
  w.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  for (const t of tensors) {
    w.str(t.key).global('torch._utils', '_rebuild_tensor_v2').mark();
    w.mark()
      .str('storage')
      .global('torch', t.cls ?? 'FloatStorage')
      .str(t.storage)
      .str('cpu')
      .int(t.numel);
    if (format === 'legacy') w.none();
    w.tuple().binpersid();
    w.int(t.offset ?? 0)
      .intTuple(t.shape)
      .intTuple(t.stride)
      .newfalse();
    w.global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
  }
  return w.setitems();
}

/** A whole pickle holding just a state dict. */
export function stateDictPickle(tensors: TensorSpec[], format: 'legacy' | 'zip'): PickleWriter {
  return stateDictValue(new PickleWriter().proto(), tensors, format).stop();
}

export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function i64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return b;
}

export const LEGACY_MAGIC_PICKLE = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);

function sysInfoPickle(): Uint8Array {
  const w = new PickleWriter().proto().emptyDict().mark();
  w.str('protocol_version').int(1001).str('little_endian').raw(0x88).str('type_sizes');
  w.emptyDict().mark().str('short').int(2).str('int').int(4).str('long').int(4).setitems();
  return w.setitems().stop().bytes();
}

export interface StorageSpec {
  key: string;
  /** Element count written before the data (defaults to the data's element count). */
  count?: number;
  data: Uint8Array;
  elementSize?: number;
}

/** A legacy torch.save file: magic, protocol, sys info, `main` pickle, key list, then counted storages. */
export function legacyPth(main: Uint8Array, storages: StorageSpec[]): Uint8Array {
  const keys = new PickleWriter().proto().emptyList().mark();
  storages.forEach((s) => keys.str(s.key));
  keys.appends().stop();
  const data = storages.flatMap((s) => [i64(s.count ?? s.data.length / (s.elementSize ?? 4)), s.data]);
  const protocol = new PickleWriter().proto().raw(0x4d, 0xe9, 0x03).stop().bytes(); // BININT2 1001
  return concatBytes([LEGACY_MAGIC_PICKLE, protocol, sysInfoPickle(), main, keys.bytes(), ...data]);
}

export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

// ---- zip ----

let crcTable: Uint32Array | undefined;
export function testCrc32(b: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~0;
  for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipFileSpec {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Size written in the directory, if it should lie. */
  declaredSize?: number;
  /** Bytes stored as the entry's deflated data as they are (a hostile or corrupt stream); implies deflate. */
  compressed?: Uint8Array;
}

class Bytes {
  readonly parts: number[] = [];
  u16(n: number): this {
    this.parts.push(n & 0xff, (n >>> 8) & 0xff);
    return this;
  }
  u32(n: number): this {
    return this.u16(n & 0xffff).u16(n >>> 16);
  }
  u64(n: number): this {
    return this.u32(n % 2 ** 32).u32(Math.floor(n / 2 ** 32));
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  } // no spread: b may hold megabytes
}

/**
 * A zip archive with the given entries. With `zip64`, every size and offset in the central directory is
 * 0xFFFFFFFF and the real values sit in zip64 extra fields, followed by zip64 end records, as a writer does
 * for archives over 4 GiB.
 */
export function zipArchive(files: ZipFileSpec[], opts: { zip64?: boolean } = {}): Uint8Array {
  const body = new Bytes();
  const central = new Bytes();
  for (const f of files) {
    const deflate = f.deflate || f.compressed !== undefined;
    const stored = f.compressed ?? (f.deflate ? new Uint8Array(deflateRawSync(f.data)) : f.data);
    const size = f.declaredSize ?? f.data.length;
    const name = utf8.encode(f.name);
    const offset = body.parts.length;
    const crc = testCrc32(f.data);
    body
      .u32(0x04034b50)
      .u16(20)
      .u16(0)
      .u16(deflate ? 8 : 0)
      .u16(0)
      .u16(0)
      .u32(crc)
      .u32(stored.length)
      .u32(size);
    body.u16(name.length).u16(0).bytes(name).bytes(stored);
    central
      .u32(0x02014b50)
      .u16(45)
      .u16(45)
      .u16(0)
      .u16(deflate ? 8 : 0)
      .u16(0)
      .u16(0)
      .u32(crc);
    if (opts.zip64) {
      central.u32(0xffffffff).u32(0xffffffff).u16(name.length).u16(28).u16(0).u16(0).u16(0).u32(0).u32(0xffffffff);
      central.bytes(name).u16(0x0001).u16(24).u64(size).u64(stored.length).u64(offset);
    } else {
      central.u32(stored.length).u32(size).u16(name.length).u16(0).u16(0).u16(0).u16(0).u32(0).u32(offset).bytes(name);
    }
  }
  const cdOffset = body.parts.length;
  const cdSize = central.parts.length;
  const end = new Bytes();
  if (opts.zip64) {
    const recordAt = cdOffset + cdSize;
    end.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(files.length).u64(files.length).u64(cdSize).u64(cdOffset);
    end.u32(0x07064b50).u32(0).u64(recordAt).u32(1);
    end.u32(0x06054b50).u16(0).u16(0).u16(0xffff).u16(0xffff).u32(0xffffffff).u32(0xffffffff).u16(0);
  } else {
    end.u32(0x06054b50).u16(0).u16(0).u16(files.length).u16(files.length).u32(cdSize).u32(cdOffset).u16(0);
  }
  return Uint8Array.from([...body.parts, ...central.parts, ...end.parts]);
}

// ---- safetensors ----

export function safetensorsFile(header: unknown, data: Uint8Array): Uint8Array {
  const json = utf8.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A zip .pth whose pickle names os.system: what the reader must refuse before anything else sees the file. */
export function forbiddenGlobalPth(): Uint8Array {
  const pkl = new PickleWriter().proto().global('os', 'system').stop().bytes();
  return zipArchive([
    { name: 'archive/data.pkl', data: pkl },
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
  ]);
}
