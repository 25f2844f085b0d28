// Walks a JPEG's marker segments and entropy-coded data once, so truncated, oversized or unsupported
// files fail with a clear message before jpeg-js allocates anything (jpeg-js reads past the end of a
// truncated file without noticing). It also collects what colour handling needs.
import { checkDeclaredSize, ImageDecodeError, type DecodeOptions } from './decode-error.js';
import { ScanBudget } from './jpeg-scans.js';
import { JpegTables } from './jpeg-tables.js';

export interface JpegComponent {
  id: number;
  /** Horizontal and vertical sampling factors. */
  h: number;
  v: number;
  /** Its quantization table's id. */
  q: number;
}

export interface JpegLayout {
  width: number;
  height: number;
  components: JpegComponent[];
  progressive: boolean;
  sawJfif: boolean;
  /** The Adobe APP14 transform flag (0 none, 1 YCbCr, 2 YCCK) and the byte offset holding it. */
  adobe?: { transform: number; offset: number };
}

const SOF_NAMES: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'differential sequential',
  0xc6: 'differential progressive',
  0xc7: 'differential lossless',
  0xc9: 'arithmetic-coded sequential',
  0xca: 'arithmetic-coded progressive',
  0xcb: 'arithmetic-coded lossless',
  0xcd: 'arithmetic-coded differential sequential',
  0xce: 'arithmetic-coded differential progressive',
  0xcf: 'arithmetic-coded differential lossless',
};

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function readFrame(seg: Uint8Array, marker: number, opts: DecodeOptions, source: string): JpegLayout {
  if (seg.length < 6) throw new ImageDecodeError(source, 'JPEG frame header is too short');
  if (seg[0] !== 8) throw new ImageDecodeError(source, `JPEG has ${seg[0]}-bit samples; only 8-bit JPEGs are supported`);
  const height = u16(seg, 1);
  const width = u16(seg, 3);
  if (height === 0) throw new ImageDecodeError(source, 'JPEG defers its height to a DNL marker, which is not supported');
  checkDeclaredSize(width, height, opts, source);
  const n = seg[5]!;
  if (seg.length < 6 + 3 * n) throw new ImageDecodeError(source, 'JPEG frame header is too short for its components');
  if (n !== 1 && n !== 3 && n !== 4) throw new ImageDecodeError(source, `JPEG has ${n} colour components; 1, 3 or 4 are supported`);
  const components: JpegComponent[] = [];
  for (let i = 0; i < n; i++) {
    const hv = seg[7 + 3 * i]!;
    const h = hv >> 4;
    const v = hv & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new ImageDecodeError(source, `JPEG component ${i} has invalid sampling factors ${h}x${v}`);
    components.push({ id: seg[6 + 3 * i]!, h, v, q: seg[8 + 3 * i]! });
  }
  return { width, height, components, progressive: marker === 0xc2, sawJfif: false };
}

/** Returns the offset just past the entropy-coded data that starts at `pos` (the next real marker's 0xFF). */
function skipEntropyData(b: Uint8Array, pos: number, source: string): number {
  for (let i = pos; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1]!;
    // 0xFF00 is a stuffed byte, 0xFFD0..D7 a restart marker, 0xFFFF fill: all part of the scan.
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) continue;
    return i;
  }
  throw new ImageDecodeError(source, `JPEG is truncated: image data runs to the end of the file (${b.length} bytes) without an end marker`);
}

export function readJpegLayout(bytes: Uint8Array, source: string, opts: DecodeOptions): JpegLayout {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new ImageDecodeError(source, 'not a JPEG file (no SOI marker)');
  let frame: JpegLayout | undefined;
  let sawJfif = false;
  let adobe: JpegLayout['adobe'];
  let scans: ScanBudget | undefined;
  const tables = new JpegTables(source);
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) throw new ImageDecodeError(source, `JPEG is truncated: it ends at byte ${bytes.length} without an end marker`);
    if (bytes[pos] !== 0xff) throw new ImageDecodeError(source, `JPEG is corrupt: expected a marker at byte ${pos}`);
    while (bytes[pos] === 0xff && pos + 1 < bytes.length) pos++; // fill bytes
    const marker = bytes[pos++]!;
    const at = pos - 2;
    if (marker === 0xd9) break;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // markers without a segment
    if (marker === 0xd8 || marker === 0x00)
      throw new ImageDecodeError(source, `JPEG is corrupt: unexpected marker 0xFF${marker.toString(16).toUpperCase().padStart(2, '0')} at byte ${pos - 2}`);
    if (pos + 2 > bytes.length) throw new ImageDecodeError(source, `JPEG is truncated inside a segment header at byte ${pos}`);
    const length = u16(bytes, pos);
    if (length < 2 || pos + length > bytes.length) {
      throw new ImageDecodeError(
        source,
        `JPEG is truncated: segment 0xFF${marker.toString(16).toUpperCase()} at byte ${pos - 2} needs ${length} bytes but the file ends at byte ${bytes.length}`,
      );
    }
    const seg = bytes.subarray(pos + 2, pos + length);
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame) throw new ImageDecodeError(source, 'JPEG has more than one frame, which is not supported');
      frame = readFrame(seg, marker, opts, source);
    } else if (SOF_NAMES[marker]) {
      throw new ImageDecodeError(source, `${SOF_NAMES[marker]} JPEGs are not supported (only baseline and progressive Huffman)`);
    } else if (marker === 0xdb) {
      tables.addQuant(seg, at);
    } else if (marker === 0xc4) {
      tables.addHuffman(seg, at);
    } else if (marker === 0xe0 && seg.length >= 5 && String.fromCharCode(...seg.subarray(0, 5)) === 'JFIF\0') {
      sawJfif = true;
    } else if (marker === 0xee && seg.length >= 12 && String.fromCharCode(...seg.subarray(0, 5)) === 'Adobe') {
      adobe = { transform: seg[11]!, offset: pos + 2 + 11 };
    }
    pos += length;
    if (marker === 0xda) {
      if (!frame) throw new ImageDecodeError(source, 'JPEG has image data before its frame header');
      scans ??= new ScanBudget(frame, source);
      scans.add(seg, at);
      tables.checkScan(seg, at, frame.components, frame.progressive);
      pos = skipEntropyData(bytes, pos, source);
    }
  }
  if (!frame || !scans) throw new ImageDecodeError(source, 'JPEG has no image data (no frame header or scan)');
  return { ...frame, sawJfif, ...(adobe ? { adobe } : {}) };
}
