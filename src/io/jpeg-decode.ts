// JPEG -> RGBA as close to PIL (libjpeg-turbo) as jpeg-js allows: jpeg-js does the entropy decoding and
// IDCT; chroma upsampling and YCbCr -> RGB follow libjpeg here, leaving only IDCT rounding differences.
import jpegJs from 'jpeg-js';
import { DEFAULT_MAX_PIXELS, ImageDecodeError, type DecodeOptions } from './decode-error.js';
import { ycbcrToRgba } from './jpeg-color.js';
import { readJpegLayout, type JpegLayout } from './jpeg-markers.js';
import { componentPlane, upsampleLikeLibjpeg } from './jpeg-upsample.js';
import type { RgbaImage } from './rgba-image.js';

/** jpeg-js's own allocation cap, per allowed pixel: blocks (4 B/sample), lines, output, with headroom. */
const JPEG_JS_BYTES_PER_PIXEL = 32;

/** libjpeg's rule for a 3-component image: JFIF or Adobe transform != 0 or unlabelled ids mean YCbCr. */
function isYcbcr(layout: JpegLayout): boolean {
  if (layout.sawJfif) return true;
  if (layout.adobe) return layout.adobe.transform !== 0;
  const [a, b, c] = layout.components.map((k) => k.id);
  return !(a === 0x52 && b === 0x47 && c === 0x42); // 'R', 'G', 'B'
}

function runJpegJs(bytes: Uint8Array, layout: JpegLayout, opts: DecodeOptions, source: string) {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let input = bytes;
  if (layout.components.length === 3 && layout.adobe && layout.adobe.transform !== 0) {
    // jpeg-js converts colours itself whenever the Adobe flag is set; clear it in a copy to get raw planes.
    input = Uint8Array.prototype.slice.call(bytes); // a real copy even for a Node Buffer, whose slice() is a view
    input[layout.adobe.offset] = 0;
  }
  try {
    return jpegJs.decode(input, {
      useTArray: true,
      formatAsRGBA: false,
      colorTransform: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((maxPixels * JPEG_JS_BYTES_PER_PIXEL) / 2 ** 20),
    });
  } catch (e) {
    throw new ImageDecodeError(source, `JPEG decoding failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Decodes a JPEG whose SOI marker has been seen. 1-component images come out gray, 4-component (CMYK) via jpeg-js. */
export function decodeJpeg(bytes: Uint8Array, source: string, opts: DecodeOptions): RgbaImage {
  const layout = readJpegLayout(bytes, source, opts);
  const decoded = runJpegJs(bytes, layout, opts, source);
  const { width, height } = layout;
  if (decoded.width !== width || decoded.height !== height) {
    throw new ImageDecodeError(source, `JPEG decoded to ${decoded.width}x${decoded.height}, its header says ${width}x${height}`);
  }
  const n = width * height;
  const out = new Uint8Array(n * 4);
  const src = decoded.data;
  if (layout.components.length !== 3) {
    // jpeg-js has already expanded gray to RGB and converted CMYK to RGB.
    for (let i = 0; i < n; i++) {
      out[4 * i] = src[3 * i]!;
      out[4 * i + 1] = src[3 * i + 1]!;
      out[4 * i + 2] = src[3 * i + 2]!;
      out[4 * i + 3] = 255;
    }
    return { width, height, data: out };
  }
  const maxH = Math.max(...layout.components.map((k) => k.h));
  const maxV = Math.max(...layout.components.map((k) => k.v));
  const planes = layout.components.map((k, c) => {
    if (maxH % k.h !== 0 || maxV % k.v !== 0) {
      throw new ImageDecodeError(source, `JPEG uses fractional chroma subsampling (${k.h}x${k.v} of ${maxH}x${maxV}), which is not supported`);
    }
    const rh = maxH / k.h;
    const rv = maxV / k.v;
    const { plane, cw, ch } = componentPlane(src, width, height, 3, c, rh, rv);
    return upsampleLikeLibjpeg(plane, cw, ch, rh, rv, width, height);
  });
  if (isYcbcr(layout)) {
    ycbcrToRgba(planes[0]!, planes[1]!, planes[2]!, out);
  } else {
    for (let i = 0; i < n; i++) {
      out[4 * i] = planes[0]![i]!;
      out[4 * i + 1] = planes[1]![i]!;
      out[4 * i + 2] = planes[2]![i]!;
      out[4 * i + 3] = 255;
    }
  }
  return { width, height, data: out };
}
