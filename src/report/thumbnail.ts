// Small pictures for the report: a box-filter resize (each output pixel is the mean of the source pixels
// under it) and the thumbnails of one scored image.
import type { RgbaImage } from '../io/rgba-image.js';
import type { GrayMap } from '../metrics/gray-map.js';

/** Thumbnail width in the report, in pixels. */
export const THUMBNAIL_WIDTH = 200;

/** Size of a `targetWidth`-wide thumbnail of a width x height picture, keeping the aspect ratio. */
export function thumbnailSize(width: number, height: number, targetWidth = THUMBNAIL_WIDTH): { width: number; height: number } {
  return { width: targetWidth, height: Math.max(1, Math.round((height * targetWidth) / width)) };
}

/** Source index range [lo, hi) that output index `o` covers; at least one pixel, so enlarging picks the nearest. */
function span(o: number, inLen: number, outLen: number): [number, number] {
  const lo = Math.min(Math.floor((o * inLen) / outLen), inLen - 1);
  return [lo, Math.max(lo + 1, Math.floor(((o + 1) * inLen) / outLen))];
}

/** Resizes `channels`-interleaved 8-bit pixels to outW x outH by averaging the source box under each output pixel. */
export function boxResize(data: Uint8Array, width: number, height: number, channels: number, outW: number, outH: number): Uint8Array {
  if (data.length !== width * height * channels) {
    throw new Error(`boxResize: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${data.length}`);
  }
  for (const [name, v] of [
    ['width', width],
    ['height', height],
    ['outW', outW],
    ['outH', outH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`boxResize: ${name} must be a positive integer, got ${v}`);
  }
  const out = new Uint8Array(outW * outH * channels);
  const sums = new Float64Array(channels);
  for (let oy = 0; oy < outH; oy++) {
    const [y0, y1] = span(oy, height, outH);
    for (let ox = 0; ox < outW; ox++) {
      const [x0, x1] = span(ox, width, outW);
      sums.fill(0);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * width + x) * channels;
          for (let c = 0; c < channels; c++) sums[c]! += data[i + c]!;
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const o = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = Math.round(sums[c]! / count);
    }
  }
  return out;
}

export function grayThumbnail(map: GrayMap, size = thumbnailSize(map.width, map.height)): GrayMap {
  return { ...size, data: boxResize(map.data, map.width, map.height, 1, size.width, size.height) };
}

export function rgbaThumbnail(img: RgbaImage, size = thumbnailSize(img.width, img.height)): RgbaImage {
  return { ...size, data: boxResize(img.data, img.width, img.height, 4, size.width, size.height) };
}

/** The GT as the metrics see it: white where gray > 128, black elsewhere. */
export function binaryGt(gt: GrayMap): GrayMap {
  return { width: gt.width, height: gt.height, data: gt.data.map((g) => (g > 128 ? 255 : 0)) };
}

/** Thumbnails of one scored image: the map and the binary GT, both shrunk from the GT size. */
export interface ScoredThumbnails {
  map: GrayMap;
  gt: GrayMap;
}

/** `map` must already be at the GT's size (as scored). */
export function scoredThumbnails(map: GrayMap, gt: GrayMap): ScoredThumbnails {
  return { map: grayThumbnail(map), gt: grayThumbnail(binaryGt(gt)) };
}
