// Checks a PNG's chunk structure before upng-js sees it: upng-js trusts lengths, skips CRCs, and returns
// partial pixels for a truncated file, so every "is this file whole and sane" question is answered here.
import UPNG from 'upng-js';
import { checkDeclaredSize, ImageDecodeError, type DecodeOptions } from './decode-error.js';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Colour types by number, with their sample counts and allowed bit depths (PNG spec table 11.1). */
const COLOR_TYPES: Record<number, { name: string; channels: number; depths: number[] }> = {
  0: { name: 'grayscale', channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'RGB', channels: 3, depths: [8, 16] },
  3: { name: 'palette', channels: 1, depths: [1, 2, 4, 8] },
  4: { name: 'grayscale+alpha', channels: 2, depths: [8, 16] },
  6: { name: 'RGBA', channels: 4, depths: [8, 16] },
};

export interface PngLayout {
  width: number;
  height: number;
  depth: number;
  ctype: number;
  /** Samples per pixel (1 for palette indices). */
  channels: number;
  interlaced: boolean;
  /** PLTE entries as RGB triples (palette images only). */
  palette?: Uint8Array;
  /** The raw tRNS chunk, if any. */
  trns?: Uint8Array;
  /** The IDAT chunks' data, in order: one zlib stream. */
  idat: Uint8Array[];
}

/** "WxH, D-bit colour type[, interlaced]", for messages. */
export function describePng(layout: PngLayout): string {
  const interlace = layout.interlaced ? ', interlaced' : '';
  return `${layout.width}x${layout.height}, ${layout.depth}-bit ${COLOR_TYPES[layout.ctype]!.name}${interlace}`;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function chunkType(b: Uint8Array, o: number): string | undefined {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = b[o + i]!;
    const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!letter) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

function readIhdr(data: Uint8Array, opts: DecodeOptions, source: string): PngLayout {
  if (data.length !== 13) throw new ImageDecodeError(source, `PNG IHDR chunk has ${data.length} bytes, expected 13`);
  const width = u32(data, 0);
  const height = u32(data, 4);
  const depth = data[8]!;
  const ctype = data[9]!;
  if (width > 0x7fffffff || height > 0x7fffffff) {
    throw new ImageDecodeError(source, `PNG declares an invalid size ${width}x${height}`);
  }
  checkDeclaredSize(width, height, opts, source);
  const ct = COLOR_TYPES[ctype];
  if (!ct) throw new ImageDecodeError(source, `PNG has invalid colour type ${ctype}`);
  if (!ct.depths.includes(depth)) {
    throw new ImageDecodeError(source, `PNG ${ct.name} image has invalid bit depth ${depth} (allowed: ${ct.depths.join(', ')})`);
  }
  if (data[10] !== 0 || data[11] !== 0) {
    throw new ImageDecodeError(source, `PNG uses unknown compression method ${data[10]} or filter method ${data[11]}`);
  }
  if (data[12]! > 1) throw new ImageDecodeError(source, `PNG has unknown interlace method ${data[12]}`);
  const interlaced = data[12] === 1;
  // upng-js 2.1 places the bits of 1-bit interlaced pixels wrongly, so refuse rather than return wrong pixels.
  if (interlaced && depth === 1) {
    throw new ImageDecodeError(source, 'interlaced 1-bit PNGs are not supported (upng-js decodes them wrongly)');
  }
  return { width, height, depth, ctype, channels: ct.channels, interlaced, idat: [] };
}

/**
 * Walks every chunk up to IEND, checking lengths and CRCs, and returns what decoding needs. Throws an
 * ImageDecodeError for anything truncated, corrupt, oversized or unsupported.
 */
export function readPngLayout(bytes: Uint8Array, source: string, opts: DecodeOptions): PngLayout {
  for (let i = 0; i < PNG_SIGNATURE.length; i++) {
    if (bytes[i] !== PNG_SIGNATURE[i]) throw new ImageDecodeError(source, 'not a PNG file (bad signature)');
  }
  let layout: PngLayout | undefined;
  let offset: number = PNG_SIGNATURE.length;
  for (;;) {
    if (offset + 8 > bytes.length) {
      throw new ImageDecodeError(source, `PNG is truncated: it ends at byte ${bytes.length} without an IEND chunk`);
    }
    const length = u32(bytes, offset);
    const type = chunkType(bytes, offset + 4);
    if (type === undefined) throw new ImageDecodeError(source, `PNG has a corrupt chunk header at byte ${offset}`);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw new ImageDecodeError(
        source,
        `PNG is truncated: chunk ${type} at byte ${offset} needs ${length} data bytes but the file ends at byte ${bytes.length}`,
      );
    }
    const stored = u32(bytes, end - 4);
    if (stored !== UPNG.crc.crc(bytes, offset + 4, length + 4) >>> 0) {
      throw new ImageDecodeError(source, `PNG chunk ${type} at byte ${offset} fails its CRC check (corrupt file)`);
    }
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (!layout && type !== 'IHDR') throw new ImageDecodeError(source, `PNG starts with chunk ${type} instead of IHDR`);
    if (type === 'IHDR') {
      if (layout) throw new ImageDecodeError(source, 'PNG has two IHDR chunks');
      layout = readIhdr(data, opts, source);
    } else if (type === 'PLTE') {
      if (data.length % 3 !== 0 || data.length === 0 || data.length > 768) {
        throw new ImageDecodeError(source, `PNG palette has ${data.length} bytes, expected 3 to 768 in RGB triples`);
      }
      layout!.palette = data;
    } else if (type === 'tRNS') {
      layout!.trns = data;
    } else if (type === 'IDAT') {
      layout!.idat.push(data);
    } else if (type === 'IEND') {
      break;
    } else if (type.charCodeAt(0) < 0x61) {
      // An uppercase first letter marks a chunk a decoder must understand.
      throw new ImageDecodeError(source, `PNG has unknown critical chunk ${type}`);
    }
    offset = end;
  }
  if (layout!.idat.length === 0) throw new ImageDecodeError(source, 'PNG has no image data (no IDAT chunk)');
  if (layout!.ctype === 3 && !layout!.palette) throw new ImageDecodeError(source, 'palette PNG has no PLTE chunk');
  return layout!;
}
