// PNG pictures embedded in the page as data: URIs, so the report is one self-contained file.
import { encodePng, encodePngRgba } from '../io/png-encode.js';
import type { RgbaImage } from '../io/rgba-image.js';
import type { GrayMap } from '../metrics/gray-map.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with '=' padding (RFC 4648, section 4). */
export function base64(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    parts.push(ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + (left > 1 ? ALPHABET[(n >> 6) & 63]! : '=') + (left > 2 ? ALPHABET[n & 63]! : '='));
  }
  return parts.join('');
}

/** A picture ready for an <img>: its size and a data: URI. */
export interface EmbeddedPicture {
  width: number;
  height: number;
  src: string;
}

const pngUri = (png: Uint8Array): string => `data:image/png;base64,${base64(png)}`;

export function embedGray(map: GrayMap): EmbeddedPicture {
  return { width: map.width, height: map.height, src: pngUri(encodePng(map.data, map.width, map.height)) };
}

export function embedRgba(img: RgbaImage): EmbeddedPicture {
  return { width: img.width, height: img.height, src: pngUri(encodePngRgba(img.data, img.width, img.height)) };
}
