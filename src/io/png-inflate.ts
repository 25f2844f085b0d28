// Inflates a PNG's image data into exactly the bytes its header calls for and checks every row's filter
// type. upng-js inflates without an output bound (a 1 MB 1x1 PNG became 2.2 GB), so it only unfilters here.
import pako from 'pako';
import { ImageDecodeError } from './decode-error.js';
import { describePng, type PngLayout } from './png-chunks.js';

/** Adam7: first row and column of each pass, and the steps between them. */
const ADAM7 = { row: [0, 0, 4, 0, 2, 0, 1], col: [0, 4, 0, 2, 0, 1, 0], dy: [8, 8, 8, 4, 4, 2, 2], dx: [8, 8, 4, 4, 2, 2, 1] };

interface Pass {
  rows: number;
  /** Bytes per row, not counting its filter-type byte. */
  bpl: number;
}

/** The filtered stream's row groups: one for a plain image, the 7 Adam7 passes (some empty) otherwise. */
function passes(layout: PngLayout): Pass[] {
  const bits = layout.channels * layout.depth;
  const pass = (w: number, h: number): Pass => ({ rows: w > 0 ? h : 0, bpl: Math.ceil((w * bits) / 8) });
  if (!layout.interlaced) return [pass(layout.width, layout.height)];
  const count = (size: number, start: number, step: number) => (size > start ? Math.ceil((size - start) / step) : 0);
  return ADAM7.row.map((_, p) => pass(count(layout.width, ADAM7.col[p]!, ADAM7.dx[p]!), count(layout.height, ADAM7.row[p]!, ADAM7.dy[p]!)));
}

/** Throws unless every row starts with filter type 0..4 (PIL refuses the others too). */
function checkFilterTypes(data: Uint8Array, layout: PngLayout, groups: Pass[], source: string): void {
  let at = 0;
  groups.forEach((g, p) => {
    for (let r = 0; r < g.rows; r++, at += 1 + g.bpl) {
      if (data[at]! > 4) {
        const where = layout.interlaced ? `row ${r} of interlace pass ${p + 1}` : `row ${r}`;
        throw new ImageDecodeError(source, `PNG ${where} has invalid filter type ${data[at]} (0 to 4 are defined)`);
      }
    }
  });
}

/** The filtered scanlines (filter byte + row bytes, pass after pass), inflated with the header's size as a hard bound. */
export function inflateImageData(layout: PngLayout, source: string): Uint8Array {
  const groups = passes(layout);
  const size = groups.reduce((n, g) => n + g.rows * (1 + g.bpl), 0);
  const out = new Uint8Array(size);
  let filled = 0;
  const inflator = new pako.Inflate({ chunkSize: 1 << 16 });
  inflator.onData = (chunk: Uint8Array) => {
    if (filled + chunk.length > size) {
      throw new ImageDecodeError(source, `PNG image data inflates to more than the ${size} bytes its header needs (${describePng(layout)})`);
    }
    out.set(chunk, filled);
    filled += chunk.length;
  };
  layout.idat.forEach((data, i) => inflator.push(data, i === layout.idat.length - 1));
  if (inflator.err) throw new ImageDecodeError(source, `corrupt PNG image data (${inflator.msg})`);
  if (filled < size) throw new ImageDecodeError(source, `PNG image data is incomplete: ${filled} bytes, expected ${size}`);
  checkFilterTypes(out, layout, groups, source);
  return out;
}
