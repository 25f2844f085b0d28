// The part of upng-js 2.1 (no bundled types) that src/io uses.
declare module 'upng-js' {
  /** UPNG.decode's result: `data` holds the unfiltered (and de-interlaced) scanlines, `bpl` bytes each. */
  interface UpngImage {
    width: number;
    height: number;
    depth: number;
    ctype: number;
    data: Uint8Array;
  }
  interface UpngEncode {
    /**
     * Internal helper of UPNG.encode: filters `h` scanlines of `bpl` bytes (`bpp` bytes per pixel) into
     * `data` (h * (bpl + 1) bytes) and returns the zlib stream of the best filter choice. Used because
     * 2.1 has no public way to write a plain grayscale PNG (UPNG.encode picks a palette for <= 256 colours).
     */
    _filterZero(img: Uint8Array, h: number, bpp: number, bpl: number, data: Uint8Array): Uint8Array;
  }
  /** The header fields UPNG.decode's internal steps read. */
  interface UpngHeader {
    width: number;
    height: number;
    depth: number;
    ctype: number;
  }
  interface UpngDecode {
    (buffer: ArrayBuffer): UpngImage;
    /** Internal step of UPNG.decode: unfilters `h` rows of an image `w` pixels wide in place, from `off`; returns `data`. */
    _filterZero(data: Uint8Array, out: UpngHeader, off: number, w: number, h: number): Uint8Array;
    /** Internal step of UPNG.decode: unfilters the 7 Adam7 passes in `data` and returns the de-interlaced rows. */
    _readInterlace(data: Uint8Array, out: UpngHeader): Uint8Array;
  }
  const UPNG: {
    decode: UpngDecode;
    encode: UpngEncode;
    crc: { crc(bytes: Uint8Array, offset: number, length: number): number };
  };
  export default UPNG;
}
