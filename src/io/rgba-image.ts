// The two pixel layouts the io layer hands around.

/** An 8-bit RGBA image, row-major, 4 bytes per pixel (the layout of a canvas ImageData). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An 8-bit RGB image, row-major, 3 bytes per pixel: what PIL's convert('RGB') holds. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function checkImage(img: { width: number; height: number; data: Uint8Array }, channels: number, what: string): void {
  const { width, height, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: size must be positive integers, got ${width}x${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    const got = data instanceof Uint8Array ? `${data.length} bytes` : typeof data;
    throw new Error(`${what}: expected ${width}x${height}x${channels} = ${width * height * channels} bytes, got ${got}`);
  }
}

/** Throws unless `img` is a well-formed RgbaImage; `what` names it in the message. */
export function checkRgbaImage(img: RgbaImage, what: string): void {
  checkImage(img, 4, what);
}

/** Throws unless `img` is a well-formed RgbImage; `what` names it in the message. */
export function checkRgbImage(img: RgbImage, what: string): void {
  checkImage(img, 3, what);
}

/** Drops alpha without compositing, as PIL's convert('RGB') does. */
export function rgbFromRgba(img: RgbaImage): RgbImage {
  checkRgbaImage(img, 'rgbFromRgba');
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[3 * i] = img.data[4 * i]!;
    out[3 * i + 1] = img.data[4 * i + 1]!;
    out[3 * i + 2] = img.data[4 * i + 2]!;
  }
  return { width: img.width, height: img.height, data: out };
}
