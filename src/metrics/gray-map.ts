/** A single-channel 8-bit image (0..255), row-major, one byte per pixel. */
export interface GrayMap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Throws unless `map` is a well-formed GrayMap; `what` names it in the message. */
export function checkGrayMap(map: GrayMap, what: string): void {
  const { width, height, data } = map;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: size must be positive integers, got ${width}x${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height) {
    throw new Error(
      `${what}: expected a Uint8Array of ${width}*${height} = ${width * height} gray values, ` +
        `got ${data instanceof Uint8Array ? `length ${data.length}` : typeof data}`,
    );
  }
}
