// PNG -> RGBA with PIL's convert('RGB') colour values. png-inflate.ts inflates (bounded), upng-js
// unfilters and de-interlaces; the conversion of samples to 8 bits is done here because PIL's rules differ
// from upng-js's toRGBA8 (which also misreads sub-byte grayscale rows whose width is not a multiple of 8).
import UPNG from 'upng-js';
import type { DecodeOptions } from './decode-error.js';
import { readPngLayout, type PngLayout } from './png-chunks.js';
import { inflateImageData } from './png-inflate.js';
import type { RgbaImage } from './rgba-image.js';

/** Reads sample `i` of a scanline holding `depth`-bit samples (PNG packs sub-byte samples MSB first). */
function sampleAt(row: Uint8Array, o: number, i: number, depth: number): number {
  switch (depth) {
    case 16:
      return (row[o + 2 * i]! << 8) | row[o + 2 * i + 1]!;
    case 8:
      return row[o + i]!;
    default: {
      const bit = i * depth;
      return (row[o + (bit >> 3)]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }
  }
}

/**
 * A sample as PIL's convert('RGB') turns it into 8 bits. Sub-byte gray is scaled to 0..255 (PIL modes
 * "1" and "L;2"/"L;4"). 16-bit gray opens as PIL mode "I" and converting that to RGB clips at 255
 * (it does not scale). Every other 16-bit sample keeps its high byte (PIL rawmodes "RGB;16B" etc.).
 * With `scale`, every 16-bit sample is scaled instead (DecodeOptions.sixteenBits).
 */
function to8(v: number, depth: number, gray: boolean, scale = false): number {
  if (depth === 16) return scale ? Math.round((v * 255) / 65535) : gray ? Math.min(v, 255) : v >> 8;
  if (depth === 8) return v;
  return v * (255 / ((1 << depth) - 1));
}

function convert(layout: PngLayout, raw: Uint8Array, scale: boolean): Uint8Array {
  const { width: w, height: h, depth, ctype, channels, palette, trns } = layout;
  const bpl = Math.ceil((w * channels * depth) / 8);
  const out = new Uint8Array(w * h * 4);
  const nPal = palette ? palette.length / 3 : 0;
  // tRNS for gray/RGB names one colour (as full-depth samples) that is fully transparent.
  const key =
    trns && ctype === 0 && trns.length >= 2
      ? [(trns[0]! << 8) | trns[1]!]
      : trns && ctype === 2 && trns.length >= 6
        ? [0, 2, 4].map((k) => (trns[k]! << 8) | trns[k + 1]!)
        : undefined;
  const s = [0, 0, 0, 0];
  for (let y = 0; y < h; y++) {
    const o = y * bpl;
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < channels; c++) s[c] = sampleAt(raw, o, x * channels + c, depth);
      const q = 4 * (y * w + x);
      if (ctype === 3) {
        const i = s[0]!;
        // PIL's palette beyond the PLTE entries is its default gray ramp: index i -> (i, i, i).
        out[q] = i < nPal ? palette![3 * i]! : i;
        out[q + 1] = i < nPal ? palette![3 * i + 1]! : i;
        out[q + 2] = i < nPal ? palette![3 * i + 2]! : i;
        out[q + 3] = trns && i < trns.length ? trns[i]! : 255;
      } else if (ctype === 0 || ctype === 4) {
        const g = to8(s[0]!, depth, ctype === 0, scale);
        out[q] = out[q + 1] = out[q + 2] = g;
        out[q + 3] = ctype === 4 ? to8(s[1]!, depth, false, scale) : key && s[0] === key[0] ? 0 : 255;
      } else {
        for (let c = 0; c < 3; c++) out[q + c] = to8(s[c]!, depth, false, scale);
        const keyed = key !== undefined && s[0] === key[0] && s[1] === key[1] && s[2] === key[2];
        out[q + 3] = ctype === 6 ? to8(s[3]!, depth, false, scale) : keyed ? 0 : 255;
      }
    }
  }
  return out;
}

/** Decodes a PNG whose signature has been seen. Alpha is kept in the result but never mixed into RGB. */
export function decodePng(bytes: Uint8Array, source: string, opts: DecodeOptions): RgbaImage {
  const layout = readPngLayout(bytes, source, opts);
  const filtered = inflateImageData(layout, source);
  // What UPNG.decode does after inflating: unfilter in place, or unfilter and de-interlace into a new array.
  const header = { width: layout.width, height: layout.height, depth: layout.depth, ctype: layout.ctype };
  const raw = layout.interlaced ? UPNG.decode._readInterlace(filtered, header) : UPNG.decode._filterZero(filtered, header, 0, layout.width, layout.height);
  return { width: layout.width, height: layout.height, data: convert(layout, raw, opts.sixteenBits === 'scale') };
}
