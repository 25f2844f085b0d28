// A minimal zip reader: the central directory (with zip64), stored and deflated entries, CRC checked.
// Sizes come from the central directory because torch's writer puts zeros in the local headers.
import { ByteReader } from './bytes.js';
import { crc32 } from './crc32.js';
import { inflateRawExact } from './inflate.js';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** Largest entry inflated by default: the largest storage a tensor may have (2^28 elements of 8 bytes). */
export const MAX_ZIP_ENTRY_BYTES = 2 ** 31;

const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Directory {
  count: number;
  size: number;
  offset: number;
  /** Where the directory must end: the zip64 record or the end record. */
  limit: number;
}

/** Finds the end-of-central-directory record (and its zip64 form when present). */
function findDirectory(bytes: Uint8Array, source: string): Directory {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - MAX_COMMENT); p--) {
    if (view.getUint32(p, true) === SIG_EOCD && p + 22 + view.getUint16(p + 20, true) === bytes.length) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${source}: no zip end-of-central-directory record: the file is truncated or not a zip archive`);
  const r = new ByteReader(bytes, source, eocd + 4);
  const disk = r.u16('zip disk number');
  const cdDisk = r.u16('zip directory disk');
  r.u16('zip entries on disk');
  let count = r.u16('zip entry count');
  let size = r.u32('zip directory size');
  let offset = r.u32('zip directory offset');
  if (disk !== 0 || cdDisk !== 0) throw new Error(`${source}: multi-disk zip archives are not supported`);
  let limit = eocd;
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === SIG_ZIP64_LOCATOR) {
    const loc = new ByteReader(bytes, source, eocd - 16);
    loc.u32('zip64 locator disk');
    const recordAt = loc.u64('zip64 end record offset');
    const z = new ByteReader(bytes, source, recordAt, eocd - 20);
    if (z.u32('zip64 end record signature') !== SIG_ZIP64_EOCD) {
      throw new Error(`${source}: zip64 locator points at byte ${recordAt}, where there is no zip64 end record`);
    }
    z.pos += 8 + 2 + 2 + 4 + 4 + 8; // record size, versions, disk numbers, entries on this disk
    count = z.u64('zip64 entry count');
    size = z.u64('zip64 directory size');
    offset = z.u64('zip64 directory offset');
    limit = recordAt;
  }
  if (offset + size > limit) {
    throw new Error(`${source}: zip directory (bytes ${offset}..${offset + size}) overruns the end record at byte ${limit}`);
  }
  return { count, size, offset, limit };
}

/** Replaces 0xFFFFFFFF fields of a central directory entry with their zip64 extra-field values. */
function applyZip64Extra(e: ZipEntry, extra: ByteReader, source: string): void {
  while (extra.remaining >= 4) {
    const id = extra.u16('zip extra field id');
    const len = extra.u16('zip extra field length');
    const field = new ByteReader(extra.bytes, source, extra.pos, extra.pos + len);
    extra.take(len, 'zip extra field');
    if (id !== 0x0001) continue;
    if (e.size === 0xffffffff) e.size = field.u64(`zip64 size of '${e.name}'`);
    if (e.compressedSize === 0xffffffff) e.compressedSize = field.u64(`zip64 compressed size of '${e.name}'`);
    if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = field.u64(`zip64 header offset of '${e.name}'`);
  }
}

/** All entries of the archive, by name. */
export function readZipDirectory(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const dir = findDirectory(bytes, source);
  const r = new ByteReader(bytes, source, dir.offset, dir.offset + dir.size);
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < dir.count; i++) {
    const at = r.pos;
    if (r.u32('zip directory entry signature') !== SIG_CENTRAL) {
      throw new Error(`${source}: zip directory entry ${i} at byte ${at} has a bad signature`);
    }
    r.pos += 4; // versions
    const flags = r.u16('zip entry flags');
    const method = r.u16('zip entry method');
    r.pos += 4; // time, date
    const crc = r.u32('zip entry crc');
    const compressedSize = r.u32('zip entry compressed size');
    const size = r.u32('zip entry size');
    const nameLen = r.u16('zip entry name length');
    const extraLen = r.u16('zip entry extra length');
    const commentLen = r.u16('zip entry comment length');
    r.pos += 8; // disk, attributes
    const localHeaderOffset = r.u32('zip entry header offset');
    let name: string;
    try {
      name = utf8.decode(r.take(nameLen, 'zip entry name'));
    } catch (e) {
      if (e instanceof TypeError) throw new Error(`${source}: zip entry ${i} at byte ${at} has a name that is not UTF-8`, { cause: e });
      throw e;
    }
    const entry: ZipEntry = { name, method, flags, crc32: crc, compressedSize, size, localHeaderOffset };
    r.need(extraLen + commentLen, `zip entry '${name}' extra field and comment`);
    applyZip64Extra(entry, new ByteReader(bytes, source, r.pos, r.pos + extraLen), source);
    r.pos += extraLen + commentLen;
    if (entries.has(name)) throw new Error(`${source}: zip entry '${name}' appears twice`);
    entries.set(name, entry);
  }
  checkNoSharedBytes(bytes, entries, dir.offset, source);
  return entries;
}

/** Offset of an entry's data, after its local header. */
function dataOffset(bytes: Uint8Array, entry: ZipEntry, source: string): number {
  const r = new ByteReader(bytes, source, entry.localHeaderOffset);
  if (r.u32(`local header of '${entry.name}'`) !== SIG_LOCAL) {
    throw new Error(`${source}: zip entry '${entry.name}': no local header at byte ${entry.localHeaderOffset}`);
  }
  r.pos += 22;
  const nameLen = r.u16(`local header of '${entry.name}'`);
  const extraLen = r.u16(`local header of '${entry.name}'`);
  return r.pos + nameLen + extraLen;
}

/**
 * Entries that overlap (or run into the directory) would let one compressed stream be inflated many times,
 * past the per-entry ratio check; a zip writer never produces them.
 */
function checkNoSharedBytes(bytes: Uint8Array, entries: Map<string, ZipEntry>, directoryAt: number, source: string): void {
  const spans = [...entries.values()]
    .map((e) => ({ name: e.name, start: e.localHeaderOffset, end: dataOffset(bytes, e, source) + e.compressedSize }))
    .sort((a, b) => a.start - b.start);
  let previous: (typeof spans)[number] | undefined;
  for (const s of spans) {
    if (s.end > directoryAt) {
      throw new Error(`${source}: zip entry '${s.name}' (bytes ${s.start}..${s.end}) runs into the zip directory at byte ${directoryAt}`);
    }
    if (previous && s.start < previous.end) {
      throw new Error(
        `${source}: zip entries '${previous.name}' (bytes ${previous.start}..${previous.end}) and '${s.name}' (bytes ${s.start}..${s.end}) overlap; the entries of a zip never share bytes`,
      );
    }
    previous = s;
  }
}

/**
 * The uncompressed bytes of one entry (a view into `bytes` when it is stored). `maxSize` is checked before
 * anything is allocated.
 */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry, source: string, maxSize = MAX_ZIP_ENTRY_BYTES): Uint8Array {
  const what = `${source}: zip entry '${entry.name}'`;
  if (entry.flags & 1) throw new Error(`${what} is encrypted`);
  if (entry.size > maxSize) throw new Error(`${what} declares ${entry.size} bytes uncompressed, more than the limit of ${maxSize} bytes for it`);
  const r = new ByteReader(bytes, source, dataOffset(bytes, entry, source));
  const raw = r.take(entry.compressedSize, `data of '${entry.name}'`);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new Error(`${what} is stored with ${entry.compressedSize} bytes but declares ${entry.size}`);
    data = raw;
  } else if (entry.method === 8) {
    data = inflateRawExact(raw, entry.size, what);
  } else {
    throw new Error(`${what} uses compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
  }
  const actual = crc32(data);
  if (actual !== entry.crc32) {
    throw new Error(`${what} fails its CRC check (0x${actual.toString(16)} instead of 0x${entry.crc32.toString(16)}): the file is corrupt`);
  }
  return data;
}
