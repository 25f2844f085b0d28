// Browser only: any image a page holds (a file from <input type=file> or a drop, an <img>, a canvas, an
// ImageBitmap, ImageData) -> RGBA bytes, decoded by the browser itself so no JavaScript decoder ships in the
// bundle. The browser's JPEG decoder rounds its IDCT and chroma upsampling a little differently from PIL's,
// so pixels may differ from decodeImage() by a few levels; PNGs without alpha decode identically.
import { DEFAULT_MAX_PIXELS } from './decode-error.js';
import type { RgbaImage } from './rgba-image.js';

export type BrowserImageSource = ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | ImageData | Blob;

type Drawable = ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas;

/**
 * A real size within decodeImage's limit: above 16384^2 pixels Chromium's 2D canvas silently draws and reads
 * zeros, so a larger image would come back blank, and be segmented as such.
 */
function checkSize(width: number, height: number, what: string): void {
  if (!(width >= 1 && height >= 1)) throw new Error(`imageToRgba: ${what} has size ${width}x${height}; it is empty or not loaded yet`);
  if (width * height > DEFAULT_MAX_PIXELS)
    throw new Error(`imageToRgba: ${what} is ${width}x${height} = ${width * height} pixels, above the limit of ${DEFAULT_MAX_PIXELS}`);
}

function fromImageData(img: ImageData): RgbaImage {
  checkSize(img.width, img.height, 'the ImageData');
  // A copy: the caller may reuse its ImageData, and the engine expects a plain Uint8Array.
  return { width: img.width, height: img.height, data: new Uint8Array(img.data) };
}

/** Draws `source` unscaled onto a scratch canvas and reads its pixels back. */
function readPixels(source: Drawable, width: number, height: number, what: string): RgbaImage {
  const canvas =
    typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('imageToRgba: this browser cannot create a 2D canvas to read pixels from');
  ctx.drawImage(source, 0, 0);
  try {
    return fromImageData(ctx.getImageData(0, 0, width, height));
  } catch (err) {
    // A cross-origin image without CORS taints the canvas; its pixels cannot be read.
    throw new Error(`imageToRgba: cannot read the pixels of ${what} (${(err as Error).message}); a cross-origin image needs CORS (crossorigin="anonymous")`, {
      cause: err,
    });
  }
}

/**
 * The RGBA pixels of an image, at its natural size. Blobs (files) are decoded with createImageBitmap without
 * colour-space conversion, as PIL ignores embedded colour profiles; alpha is not composited (but a canvas
 * stores premultiplied alpha, so the colour of semi-transparent pixels loses precision).
 */
export async function imageToRgba(source: BrowserImageSource): Promise<RgbaImage> {
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) return fromImageData(source);
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    const what = `${source instanceof File ? `'${source.name}'` : 'the blob'} (${source.type || 'unknown type'}, ${source.size} bytes)`;
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(source, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    } catch (err) {
      throw new Error(`imageToRgba: the browser cannot decode ${what} as an image (${(err as Error).message})`, { cause: err });
    }
    try {
      checkSize(bitmap.width, bitmap.height, what);
      return readPixels(bitmap, bitmap.width, bitmap.height, what);
    } finally {
      bitmap.close();
    }
  }
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    const what = `the <img> ${source.currentSrc || source.src}`;
    try {
      await source.decode();
    } catch (err) {
      throw new Error(`imageToRgba: ${what} did not load (${(err as Error).message})`, { cause: err });
    }
    checkSize(source.naturalWidth, source.naturalHeight, what);
    return readPixels(source, source.naturalWidth, source.naturalHeight, what);
  }
  const drawable = source as Drawable & { width: number; height: number };
  checkSize(drawable.width, drawable.height, 'the image');
  return readPixels(drawable, drawable.width, drawable.height, `the ${drawable.constructor.name}`);
}
