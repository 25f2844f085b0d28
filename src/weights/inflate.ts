// Raw-deflate decompression of one zip entry, stopping as soon as the output would exceed the size the
// zip directory declares (so a zip bomb cannot exhaust memory).
import pako from 'pako';

/** Deflate cannot compress better than about 1032:1, so a larger declared size is a lie. */
const MAX_DEFLATE_RATIO = 1032;

export function inflateRawExact(data: Uint8Array, size: number, what: string): Uint8Array {
  if (size > data.length * MAX_DEFLATE_RATIO + 64) {
    throw new Error(`${what} declares ${size} bytes, more than ${data.length} deflated bytes can hold`);
  }
  const out = new Uint8Array(size);
  let filled = 0;
  const inflator = new pako.Inflate({ raw: true, chunkSize: 1 << 16 });
  inflator.onData = (chunk: Uint8Array) => {
    if (filled + chunk.length > size) throw new Error(`${what} inflates to more than the declared ${size} bytes`);
    out.set(chunk, filled);
    filled += chunk.length;
  };
  inflator.push(data, true);
  if (inflator.err) throw new Error(`${what}: corrupt deflate data (${inflator.msg})`);
  if (filled !== size) throw new Error(`${what} inflates to ${filled} bytes, the zip directory declares ${size} (truncated or corrupt)`);
  return out;
}
