// A 16-bit PNG writer for tests (the engine writes 8-bit PNGs only): samples big-endian, rows unfiltered.
import { deflateSync } from 'node:zlib';
import { PNG_SIGNATURE } from '../../src/io/png-chunks.js';
import { pngChunk } from '../../src/io/png-encode.js';
import { concatBytes } from '../../src/util/bytes.js';

const COLOUR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const; // gray, gray + alpha, RGB, RGBA

/** A 16-bit PNG of `samples` (`channels` per pixel, row-major). */
export function encodePng16(samples: Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Uint8Array {
  const ihdr = new Uint8Array(13);
  const head = new DataView(ihdr.buffer);
  head.setUint32(0, width);
  head.setUint32(4, height);
  ihdr[8] = 16;
  ihdr[9] = COLOUR_TYPE[channels];
  const row = 1 + 2 * width * channels;
  const raw = new Uint8Array(row * height);
  const view = new DataView(raw.buffer);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) view.setUint16(y * row + 1 + 2 * i, samples[y * width * channels + i]!);
  }
  return concatBytes([new Uint8Array(PNG_SIGNATURE), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}
