// .safetensors files built by hand from the format description, with values worked out by hand.
import { expect } from 'chai';
import { readCheckpoint, readSafetensors, sniffCheckpoint } from '../src/weights/index.js';
import { safetensorsFile } from './weights-helpers.js';

function le(bytes: number[][]): Uint8Array {
  return Uint8Array.from(bytes.flat());
}

// 1.5f32 = 0x3fc00000, -2.0f16 = 0xc000, 1.0bf16 = 0x3f80, 0.25f64 = 0x3fd0000000000000, -7 as i64
const DATA = le([
  [0x00, 0x00, 0xc0, 0x3f],
  [0x00, 0x00, 0x80, 0xbf], // f32 [1.5, -1]
  [0x00, 0xc0],
  [0x00, 0x3c], // f16 [-2, 1]
  [0x80, 0x3f], // bf16 [1]
  [0, 0, 0, 0, 0, 0, 0xd0, 0x3f], // f64 [0.25]
  [0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // i64 [-7]
]);

const HEADER = {
  __metadata__: { format: 'pt' },
  // listed out of byte order on purpose: the reader returns tensors in byte order
  i: { dtype: 'I64', shape: [], data_offsets: [22, 30] },
  a: { dtype: 'F32', shape: [2, 1], data_offsets: [0, 8] },
  h: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
  b: { dtype: 'BF16', shape: [1], data_offsets: [12, 14] },
  d: { dtype: 'F64', shape: [1, 1], data_offsets: [14, 22] },
};

describe('weights: safetensors', () => {
  it('decodes every supported dtype, in byte order, ignoring __metadata__', () => {
    const file = safetensorsFile(HEADER, DATA);
    expect(sniffCheckpoint(file)).to.equal('safetensors');
    const sd = readCheckpoint(file, 'm.safetensors');
    expect([...sd.keys()]).to.deep.equal(['a', 'h', 'b', 'd', 'i']);
    const got = Object.fromEntries([...sd].map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: [...t.data] }]));
    expect(got).to.deep.equal({
      a: { dtype: 'f32', shape: [2, 1], data: [1.5, -1] },
      h: { dtype: 'f16', shape: [2], data: [-2, 1] },
      b: { dtype: 'bf16', shape: [1], data: [1] },
      d: { dtype: 'f64', shape: [1, 1], data: [0.25] },
      i: { dtype: 'i64', shape: [], data: [-7] },
    });
  });

  it('reads tensors at offsets that are not 4-byte aligned', () => {
    const data = le([
      [0x00, 0x3c],
      [0x00, 0x00, 0xc0, 0x3f],
    ]);
    const header = { h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] }, a: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } };
    expect([...readSafetensors(safetensorsFile(header, data), 'x').get('a')!.data]).to.deep.equal([1.5]);
  });

  const bad =
    (patch: Record<string, unknown>, data = DATA): (() => unknown) =>
    () =>
      readSafetensors(safetensorsFile({ ...HEADER, ...patch }, data), 'bad.safetensors');

  it('rejects overlapping, out-of-range, mis-sized and gapped offsets', () => {
    expect(bad({ h: { dtype: 'F16', shape: [2], data_offsets: [6, 10] } })).to.throw("bad.safetensors: tensors 'a' and 'h' overlap (byte 6 < 8)");
    expect(bad({ i: { dtype: 'I64', shape: [], data_offsets: [30, 38] } })).to.throw(
      "bad.safetensors: tensor 'i': data_offsets [30, 38] lie outside the 30-byte data section",
    );
    expect(bad({ i: { dtype: 'I64', shape: [2], data_offsets: [22, 30] } })).to.throw("tensor 'i': data_offsets span 8 bytes, but shape [2] of I64 needs 16");
    expect(bad({ i: { dtype: 'I64', shape: [], data_offsets: [23, 30] } })).to.throw(/span 7 bytes/);
    expect(bad({ b: undefined })).to.throw("bad.safetensors: unused bytes 12..14 before tensor 'd'");
    expect(bad({}, new Uint8Array([...DATA, 0]))).to.throw('data section has 31 bytes, the tensors cover 30');
    expect(bad({ a: { dtype: 'F32', shape: [2, 1], data_offsets: [8, 0] } })).to.throw(/data_offsets \[8, 0\] lie outside/);
    expect(bad({ a: { dtype: 'F32', shape: [2, 1], data_offsets: [0, -8] } })).to.throw(/non-negative integers/);
  });

  it('rejects unsupported dtypes and malformed headers', () => {
    expect(bad({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } })).to.throw('bad.safetensors: tensor \'a\': dtype "U8" is not supported');
    expect(bad({ a: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 8] } })).to.throw(/not a non-negative integer/);
    expect(bad({ a: 7 })).to.throw(/header entry is not an object/);
    expect(bad({ __metadata__: 'x' })).to.throw(/__metadata__ is not an object/);
    const file = safetensorsFile(HEADER, DATA);
    expect(() => readSafetensors(file.subarray(0, 20), 't.safetensors')).to.throw(
      /t\.safetensors: truncated at byte 8: safetensors header needs \d+ bytes, only 12 left/,
    );
    expect(() => readSafetensors(file.subarray(0, file.length - 1), 't.safetensors')).to.throw(/outside the 29-byte data section \(is the file truncated\?\)/);
    const broken = file.slice();
    broken[8] = 0x5b; // '[' instead of '{': the header is no longer valid JSON
    expect(() => readSafetensors(broken, 'j.safetensors')).to.throw(/j\.safetensors: safetensors header is not valid UTF-8 JSON/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => readSafetensors(huge, 'h.safetensors')).to.throw(/header of 1099511627776 bytes is larger than/);
  });
});
