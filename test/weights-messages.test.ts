// Messages for broken checkpoints say what is wrong, with the file, the key or field and the value found.
import { expect } from 'chai';
import { convertCheckpoint } from '../src/models/convert.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { encodeWeightFile, readCheckpoint, readModelCheckpoint, readPth } from '../src/weights/index.js';
import { f32Bytes, PickleWriter, safetensorsFile, zipArchive } from './weights-helpers.js';

/** A zip checkpoint of one tensor 'w' whose storage_offset is written by `offset` (any opcodes). */
function zipWithOffset(offset: (w: PickleWriter) => PickleWriter): Uint8Array {
  const w = new PickleWriter().proto().global('collections', 'OrderedDict').emptyTuple().reduce().mark();
  w.str('w').global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', 'FloatStorage').str('0').str('cpu').int(1).tuple().binpersid();
  offset(w).intTuple([1]).intTuple([1]).newfalse();
  w.global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce().setitems().stop();
  return zipArchive([
    { name: 'a/data.pkl', data: w.bytes() },
    { name: 'a/data/0', data: f32Bytes([1]) },
  ]);
}

describe('weights: messages name the file, the field and the value', () => {
  it('integers out of range are shown, not called "int"', () => {
    const huge = zipWithOffset((w) => w.raw(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1)); // LONG1: 2^64
    expect(() => readPth(huge, 'h.pth')).to.throw(
      /^h\.pth:a\/data\.pkl at byte \d+: tensor of storage '0': storage_offset must be a non-negative integer, got 18446744073709551616$/,
    );
    const negative = zipWithOffset((w) => w.int(-3));
    expect(() => readPth(negative, 'n.pth')).to.throw(/tensor of storage '0': storage_offset must be a non-negative integer, got -3$/);
    const float = zipWithOffset((w) => w.raw(0x47, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)); // BINFLOAT 1.5
    expect(() => readPth(float, 'f.pth')).to.throw(/storage_offset must be a non-negative integer, got a float \(1\.5\)$/);
  });

  it('a negative running_var names the file, the key, the element and the value', () => {
    const data = new Uint8Array([...f32Bytes([1, 2]), ...f32Bytes([0.5, -0.25])]);
    const file = safetensorsFile(
      { 'bn.running_mean': { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, 'module.bn.running_var': { dtype: 'F32', shape: [2], data_offsets: [8, 16] } },
      data,
    );
    const msg = "m.safetensors: tensor 'bn.running_var' has a negative value -0.25 at element 1: a variance cannot be negative";
    expect(() => readModelCheckpoint(file, 'm.safetensors')).to.throw(msg);
    expect(() => weightsFromBytes(file, 'm.safetensors')).to.throw(msg);
    expect(() => convertCheckpoint(file, { source: 'm.safetensors' })).to.throw(msg);
    expect(readCheckpoint(file, 'm').size).to.equal(2); // reading alone does not judge values
    // An engine file may keep batchnorm statistics too (found by the fuzzer: the fold failed without a file name)
    const pnw = encodeWeightFile(new Map([['bn.running_var', { shape: [2], data: Float32Array.of(0.5, -0.25) }]]), { dtype: 'f32', meta: {} });
    expect(() => weightsFromBytes(pnw, 'm.pnw')).to.throw(
      "m.pnw: tensor 'bn.running_var' has a negative value -0.25 at element 1: a variance cannot be negative",
    );
  });

  it('a safetensors entry without a dtype says so (fuzzer: "dtype undefined")', () => {
    const file = safetensorsFile({ a: { shape: [1], data_offsets: [0, 4] } }, f32Bytes([1]));
    expect(() => readCheckpoint(file, 'd.safetensors')).to.throw("d.safetensors: tensor 'a': has no dtype (F32, F16, BF16, F64, I64)");
  });

  it('a zip directory entry whose extra field runs past the directory is refused by name (fuzzer: a RangeError from DataView)', () => {
    const zip = zipArchive([
      { name: 'a/data.pkl', data: new PickleWriter().proto().emptyDict().stop().bytes() },
      { name: 'a/version', data: new TextEncoder().encode('3\n') },
    ]);
    const central = zip.findIndex((_, i) => zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 1 && zip[i + 3] === 2);
    new DataView(zip.buffer).setUint16(central + 30, 0xffff, true);
    expect(() => readPth(zip, 'x.pth')).to.throw(
      /^x\.pth: truncated at byte \d+: zip entry 'a\/data\.pkl' extra field and comment needs 65535 bytes, only \d+ left$/,
    );
  });

  it('a safetensors header longer than the file is reported as such, not as an unknown format', () => {
    const file = safetensorsFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32Bytes([1]));
    const long = file.slice();
    new DataView(long.buffer).setBigUint64(0, 5000n, true);
    expect(() => readCheckpoint(long, 'l.safetensors')).to.throw(/^l\.safetensors: truncated at byte 8: safetensors header needs 5000 bytes, only \d+ left$/);
    new DataView(long.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(() => readCheckpoint(long, 'l.safetensors')).to.throw('l.safetensors: safetensors header of 1099511627776 bytes is larger than 100000000');
  });
});
