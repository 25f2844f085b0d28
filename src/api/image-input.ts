// The rules for segment()'s inputs and their messages, in one place for the engine (./segmenter.ts) and the
// worker client, which checks on the page before anything is sent or handed over (./worker-protocol.ts). No
// engine code here: the worker client must stay small.
import type { RgbaPixels } from './segmenter.js';

/** What is wrong with what segmentBatch was given as its list of images, or undefined. */
export function imageListProblem(images: unknown): string | undefined {
  return Array.isArray(images) ? undefined : `segmentBatch takes an array of images, got ${images === null ? 'null' : typeof images}`;
}

/**
 * Image `index` as RGBA pixels, or an error naming what is wrong. `detachedWhy`, where a caller can name it, is
 * how a pixel buffer came to be detached: that is said before the size check, which would read 0 bytes.
 */
export function rgbaPixelsOf(img: unknown, index: number, detachedWhy?: string): RgbaPixels {
  const { width, height, data } = (img ?? {}) as Partial<RgbaPixels>;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || width === undefined || height === undefined) {
    const what =
      img === null || typeof img !== 'object'
        ? (JSON.stringify(img) ?? String(img))
        : `an ${(img as { constructor?: { name?: string } }).constructor?.name ?? 'object'} without width, height and RGBA data`;
    throw new Error(`image ${index}: expected RGBA pixels ({ width, height, data: Uint8Array }), ImageData or an ImageBitmap, got ${what}`);
  }
  if (detachedWhy !== undefined && (data.buffer as { detached?: boolean }).detached === true) {
    throw new Error(`image ${index}: its pixel buffer is detached (${detachedWhy}); pass a copy`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 4) {
    throw new Error(`image ${index}: expected RGBA pixels (width * height * 4 bytes), got ${width}x${height} with ${data.length} bytes`);
  }
  return { width, height, data };
}
