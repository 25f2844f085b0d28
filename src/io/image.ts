// decodeImage: bytes of a PNG or JPEG file -> RGBA, with the RGB values PIL's convert('RGB') gives.
import { ImageDecodeError, type DecodeOptions } from './decode-error.js';
import { decodeJpeg } from './jpeg-decode.js';
import { decodePng } from './png-decode.js';
import { PNG_SIGNATURE } from './png-chunks.js';
import type { RgbaImage } from './rgba-image.js';

export type { RgbaImage, RgbImage } from './rgba-image.js';
export { DEFAULT_MAX_PIXELS, ImageDecodeError, type DecodeOptions } from './decode-error.js';

/** Formats we recognise only to name them in the error. */
const OTHER_FORMATS: [string, number[]][] = [
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
  ['BMP', [0x42, 0x4d]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
];

const startsWith = (b: Uint8Array, sig: readonly number[]): boolean => sig.every((v, i) => b[i] === v);

/**
 * Decodes a PNG or JPEG (sniffed from the bytes, not the name). `source` names the file in errors.
 * The RGB bytes match PIL's Image.open(...).convert('RGB'): alpha is kept in the 4th byte but never
 * composited; 16-bit samples are reduced as PIL does; JPEGs differ from PIL only by IDCT rounding.
 * EXIF orientation is ignored, as PIL's Image.open ignores it. Throws ImageDecodeError on bad data.
 */
export function decodeImage(bytes: Uint8Array, source: string, opts: DecodeOptions = {}): RgbaImage {
  if (bytes.length === 0) throw new ImageDecodeError(source, 'empty file');
  if (startsWith(bytes, PNG_SIGNATURE)) return decodePng(bytes, source, opts);
  // FF D8 (the SOI marker) is a JPEG, however short; the JPEG reader then says where it is cut or corrupt.
  if (startsWith(bytes, [0xff, 0xd8])) return decodeJpeg(bytes, source, opts);
  if (bytes.length >= 2 && bytes.length < PNG_SIGNATURE.length && bytes.every((b, i) => b === PNG_SIGNATURE[i])) {
    throw new ImageDecodeError(source, `PNG is truncated: only ${bytes.length} bytes, inside the ${PNG_SIGNATURE.length}-byte signature`);
  }
  const other = OTHER_FORMATS.find(([, sig]) => startsWith(bytes, sig));
  if (other) throw new ImageDecodeError(source, `${other[0]} images are not supported (only PNG and JPEG)`);
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new ImageDecodeError(source, `not a PNG or JPEG file (starts with ${head})`);
}
