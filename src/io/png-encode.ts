// 8-bit grayscale and RGBA PNG writers. The chunks are written here; filtering and deflate come from
// upng-js. A real grayscale file matters: MATLAB's imread (PraNet's evaluation) returns palette
// indices, not gray values, for the palette PNG that UPNG.encode would pick for a gray map.
import UPNG from 'upng-js';
import { concatBytes } from '../util/bytes.js';
import { PNG_SIGNATURE } from './png-chunks.js';

/** One PNG chunk: length, type, data and CRC. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, UPNG.crc.crc(out, 4, 4 + data.length) >>> 0);
  return out;
}

function encode(pixels: Uint8Array, width: number, height: number, channels: 1 | 4, what: string): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new Error(`${what}: invalid size ${width}x${height}`);
  }
  if (pixels.length !== width * height * channels) {
    throw new Error(`${what}: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${pixels.length}`);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 6; // colour type: gray or RGBA
  const bpl = width * channels;
  const idat = UPNG.encode._filterZero(pixels, height, channels, bpl, new Uint8Array(height * (bpl + 1)));
  return concatBytes([new Uint8Array(PNG_SIGNATURE), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
}

/** An 8-bit grayscale PNG (colour type 0) of `gray`, one byte per pixel, row-major. */
export function encodePng(gray: Uint8Array, width: number, height: number): Uint8Array {
  return encode(gray, width, height, 1, 'encodePng');
}

/** An 8-bit RGBA PNG (colour type 6) of `rgba`, four bytes per pixel, row-major. */
export function encodePngRgba(rgba: Uint8Array, width: number, height: number): Uint8Array {
  return encode(rgba, width, height, 4, 'encodePngRgba');
}
