// NumPy .npy files (format versions 1.0-3.0) for float32 / float64 arrays in C order, little-endian.

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

export interface NpyArray {
  data: Float32Array | Float64Array;
  shape: number[];
}

function checkShape(shape: readonly number[], count: number, what: string): void {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${what}: invalid shape [${shape.join(', ')}]`);
  const n = shape.reduce((a, d) => a * d, 1);
  if (n !== count) throw new Error(`${what}: shape [${shape.join(', ')}] holds ${n} values, data has ${count}`);
}

/** A version 1.0 .npy of float32 data ('<f4', C order), header padded so the data starts at a multiple of 64. */
export function encodeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  checkShape(shape, data.length, 'encodeNpy');
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64; // magic+version+length = 10, then "\n"
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new Error(`encodeNpy: shape [${shape.join(', ')}] makes too long a header for format 1.0`);
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(total + 4 * i, data[i]!, true);
  return out;
}

/** Reads one key's value text from the header's Python dict literal. */
function headerField(header: string, key: string, pattern: string, source: string): RegExpMatchArray {
  const m = header.match(new RegExp(`['"]${key}['"]\\s*:\\s*${pattern}`));
  if (!m) throw new Error(`${source}: .npy header has no valid '${key}' entry: ${header.trim()}`);
  return m;
}

/** Parses a .npy file holding '<f4' or '<f8' data in C order. `source` names the file in errors. */
export function decodeNpy(bytes: Uint8Array, source: string): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${source}: not a .npy file (bad magic)`);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new Error(`${source}: unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw new Error(`${source}: .npy file is truncated in its header`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) throw new Error(`${source}: .npy header declares ${headerLen} bytes but the file is truncated`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
  const descr = headerField(header, 'descr', `['"]([^'"]*)['"]`, source)[1]!;
  if (descr !== '<f4' && descr !== '<f8') throw new Error(`${source}: .npy dtype '${descr}' is not supported (only '<f4' and '<f8')`);
  if (headerField(header, 'fortran_order', '(True|False)', source)[1] === 'True') {
    throw new Error(`${source}: .npy array is in Fortran order; only C order is supported`);
  }
  const dims = headerField(header, 'shape', '\\(([^)]*)\\)', source)[1]!;
  const shape = dims
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '')
    .map((d) => {
      if (!/^\d+$/.test(d)) throw new Error(`${source}: .npy shape (${dims}) is not a tuple of integers`);
      return Number(d);
    });
  const count = shape.reduce((a, d) => a * d, 1);
  const size = descr === '<f4' ? 4 : 8;
  if (bytes.length - dataStart !== count * size) {
    throw new Error(`${source}: .npy shape (${dims}) of ${descr} needs ${count * size} data bytes, file has ${bytes.length - dataStart}`);
  }
  if (size === 4) {
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
    return { data, shape };
  }
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat64(dataStart + 8 * i, true);
  return { data, shape };
}
