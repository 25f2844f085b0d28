// Structure-aware mutations of PNG (chunks, IHDR fields, the inflated scanlines, CRCs) and JPEG files
// (marker segments, frame/scan/table fields, entropy-coded data).
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { concatBytes } from '../../src/util/bytes.js';
import { type Field, mutateField } from './fields.js';
import type { Rand } from './rand.js';

interface Piece {
  /** PNG chunk type or JPEG marker, for recipes */
  kind: string;
  start: number;
  end: number;
}

const ascii = (b: Uint8Array, at: number, n: number) => String.fromCharCode(...b.subarray(at, at + n));
const be32 = (b: Uint8Array, at: number) => (b[at]! * 2 ** 24 + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!) >>> 0;

function pngChunks(b: Uint8Array): { chunks: Piece[]; fields: Field[] } {
  const chunks: Piece[] = [];
  const fields: Field[] = [];
  let at = 8;
  while (at + 12 <= b.length) {
    const len = be32(b, at);
    const type = ascii(b, at + 4, 4);
    const end = Math.min(b.length, at + 12 + len);
    chunks.push({ kind: type, start: at, end });
    fields.push({ name: `${type} length`, at, width: 4, bigEndian: true });
    if (type === 'IHDR') {
      fields.push({ name: 'width', at: at + 8, width: 4, bigEndian: true }, { name: 'height', at: at + 12, width: 4, bigEndian: true });
      for (const [i, n] of ['bit depth', 'colour type', 'compression', 'filter method', 'interlace'].entries())
        fields.push({ name: n, at: at + 16 + i, width: 1 });
    }
    at = end;
  }
  return { chunks, fields };
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Every chunk's CRC recomputed, so a mutation gets past the checksum to the code behind it. */
function fixCrcs(b: Uint8Array): void {
  for (const c of pngChunks(b).chunks) {
    if (c.end - c.start < 12 || c.start + 12 + be32(b, c.start) !== c.end) continue;
    new DataView(b.buffer, b.byteOffset).setUint32(c.end - 4, crc32(b.subarray(c.start + 4, c.end - 4)));
  }
}

/** The IDAT stream inflated, changed (filter bytes, samples, length) and deflated back into one or more IDATs. */
function mutateScanlines(r: Rand, b: Uint8Array, chunks: Piece[]): { bytes: Uint8Array; what: string } {
  const idats = chunks.filter((c) => c.kind === 'IDAT');
  if (idats.length === 0) return { bytes: b, what: 'no IDAT' };
  let raw: Uint8Array;
  try {
    raw = inflateSync(concatBytes(idats.map((c) => b.subarray(c.start + 8, c.end - 4))), { maxOutputLength: 1 << 24 });
  } catch {
    return { bytes: b, what: 'IDAT does not inflate' };
  }
  const out = Uint8Array.from(raw);
  const at = r.int(0, Math.max(0, out.length - 1));
  const op = r.int(0, 3);
  let changed: Uint8Array = out;
  let what: string;
  if (op === 0) {
    out[at] = r.int(0, 6);
    what = `scanline byte ${at} = ${out[at]}`;
  } else if (op === 1) {
    changed = out.subarray(0, at);
    what = `scanlines cut to ${at}`;
  } else if (op === 2) {
    changed = concatBytes([out, new Uint8Array(r.pick([1, 100, 100000]))]);
    what = `scanlines extended by ${changed.length - out.length}`;
  } else {
    for (let i = at; i < Math.min(out.length, at + 64); i++) out[i] = r.int(0, 255);
    what = `scanlines randomised at ${at}`;
  }
  const zlib = deflateSync(changed);
  const parts = r.chance(0.5) ? [zlib] : [zlib.subarray(0, zlib.length >> 1), zlib.subarray(zlib.length >> 1)];
  const first = idats[0]!;
  const rest = chunks.filter((c) => c.kind !== 'IDAT' && c.start > first.start).map((c) => b.subarray(c.start, c.end));
  const before = b.subarray(0, first.start);
  return { bytes: concatBytes([before, ...parts.map((p) => pngChunk('IDAT', p)), ...rest]), what };
}

export function mutatePng(r: Rand, b: Uint8Array): { bytes: Uint8Array; what: string } {
  const { chunks, fields } = pngChunks(b);
  const op = r.int(0, 4);
  let result: { bytes: Uint8Array; what: string };
  if (op === 0 || chunks.length === 0) {
    const out = b.slice();
    result = { bytes: out, what: mutateField(r, out, fields) };
  } else if (op === 1) {
    result = mutateScanlines(r, b, chunks);
  } else {
    const c = r.pick(chunks);
    const piece = b.subarray(c.start, c.end);
    if (op === 2) result = { bytes: concatBytes([b.subarray(0, c.start), b.subarray(c.end)]), what: `drop ${c.kind}` };
    else if (op === 3) result = { bytes: concatBytes([b.subarray(0, c.end), piece, b.subarray(c.end)]), what: `repeat ${c.kind}` };
    else {
      const type = r.pick(['PLTE', 'tRNS', 'IHDR', 'IEND', 'abCD', 'Zzzz', 'sBIT', 'gAMA']);
      const data = Uint8Array.from({ length: r.pick([0, 1, 3, 13, 768, 1000]) }, () => r.int(0, 255));
      result = { bytes: concatBytes([b.subarray(0, c.start), pngChunk(type, data), b.subarray(c.start)]), what: `insert ${type} before ${c.kind}` };
    }
  }
  if (r.chance(0.9)) fixCrcs(result.bytes);
  return result;
}

/** JPEG marker segments up to EOI; a scan's piece runs to the next marker that is not RSTn or stuffing. */
function jpegSegments(b: Uint8Array): { segments: Piece[]; fields: Field[] } {
  const segments: Piece[] = [];
  const fields: Field[] = [];
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker === 0xd9) {
      segments.push({ kind: 'EOI', start: at, end: at + 2 });
      break;
    }
    const len = (b[at + 2]! << 8) | b[at + 3]!;
    let end = Math.min(b.length, at + 2 + len);
    const kind = `FF${marker.toString(16).toUpperCase()}`;
    fields.push({ name: `${kind} length`, at: at + 2, width: 2, bigEndian: true });
    const body = at + 4;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      fields.push(
        { name: 'precision', at: body, width: 1 },
        { name: 'height', at: body + 1, width: 2, bigEndian: true },
        { name: 'width', at: body + 3, width: 2, bigEndian: true },
        { name: 'components', at: body + 5, width: 1 },
        { name: 'frame marker', at: at + 1, width: 1 },
      );
      for (let c = 0; c < 4; c++)
        for (const [i, n] of ['id', 'sampling', 'quant table'].entries()) fields.push({ name: `component ${c} ${n}`, at: body + 6 + 3 * c + i, width: 1 });
    } else if (marker === 0xc4) {
      fields.push({ name: 'huffman class/id', at: body, width: 1 });
      for (let i = 0; i < 16; i++) fields.push({ name: `huffman count ${i + 1}`, at: body + 1 + i, width: 1 });
    } else if (marker === 0xdb) {
      fields.push({ name: 'quant precision/id', at: body, width: 1 });
    } else if (marker === 0xdd) {
      fields.push({ name: 'restart interval', at: body, width: 2, bigEndian: true });
    } else if (marker === 0xda) {
      const ns = b[body] ?? 0;
      fields.push({ name: 'scan components', at: body, width: 1 });
      for (let c = 0; c < 4; c++)
        fields.push({ name: `scan component ${c} id`, at: body + 1 + 2 * c, width: 1 }, { name: `scan component ${c} tables`, at: body + 2 + 2 * c, width: 1 });
      for (const [i, n] of ['Ss', 'Se', 'Ah/Al'].entries()) fields.push({ name: n, at: body + 1 + 2 * ns + i, width: 1 });
      while (end + 1 < b.length && !(b[end] === 0xff && b[end + 1] !== 0 && (b[end + 1]! < 0xd0 || b[end + 1]! > 0xd7))) end++;
    }
    segments.push({ kind, start: at, end });
    at = end;
  }
  return { segments, fields };
}

export function mutateJpeg(r: Rand, b: Uint8Array): { bytes: Uint8Array; what: string } {
  const { segments, fields } = jpegSegments(b);
  const op = r.int(0, 4);
  if (op <= 1 || segments.length === 0) {
    const out = b.slice();
    return { bytes: out, what: mutateField(r, out, fields) };
  }
  const s = r.pick(segments);
  const piece = b.subarray(s.start, s.end);
  if (op === 2) return { bytes: concatBytes([b.subarray(0, s.start), b.subarray(s.end)]), what: `drop ${s.kind}` };
  if (op === 3) {
    const times = r.pick([2, 3, 50]);
    return {
      bytes: concatBytes([b.subarray(0, s.end), ...Array.from({ length: times - 1 }, () => piece), b.subarray(s.end)]),
      what: `repeat ${s.kind} x${times}`,
    };
  }
  // Entropy-coded data: markers where none belong, or random bytes.
  const scans = segments.filter((x) => x.kind === 'FFDA');
  const scan = scans.length > 0 ? r.pick(scans) : s;
  const at = r.int(scan.start + 4, Math.max(scan.start + 4, scan.end - 1));
  const insert = r.pick([Uint8Array.of(0xff, 0xd0 + r.int(0, 7)), Uint8Array.of(0xff, 0xd9), Uint8Array.of(0xff, 0xff, 0xff), Uint8Array.of(r.int(0, 255))]);
  return {
    bytes: concatBytes([b.subarray(0, at), insert, b.subarray(at)]),
    what: `insert ${Array.from(insert, (x) => x.toString(16)).join(' ')} into ${scan.kind} at ${at}`,
  };
}
