// The one error type image decoding throws, so callers can tell bad files from bugs.

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
  }
}

/** Size limits applied before anything the file declares is allocated. */
export interface DecodeOptions {
  /** Largest width*height accepted (default DEFAULT_MAX_PIXELS). */
  maxPixels?: number;
  /**
   * How 16-bit PNG samples become 8 bits: 'pil' (default), as PIL's convert('RGB') does for the network's
   * input (gray clips at 255, colour keeps its high byte); 'scale', v * 255 / 65535 rounded for every colour
   * type (MATLAB's im2uint8), for maps and masks that are scored.
   */
  sixteenBits?: 'pil' | 'scale';
}

/** 40 megapixels: far above any endoscopy frame, and 160 MB as RGBA. */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** Throws unless a declared width x height is positive and within the pixel limit. */
export function checkDeclaredSize(width: number, height: number, opts: DecodeOptions, source: string): void {
  if (width < 1 || height < 1) throw new ImageDecodeError(source, `declares an empty image (${width}x${height})`);
  const limit = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (width * height > limit) {
    throw new ImageDecodeError(source, `declares ${width}x${height} = ${width * height} pixels, above the limit of ${limit} (DecodeOptions.maxPixels)`);
  }
}
