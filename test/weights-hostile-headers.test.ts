// JSON headers (safetensors, .pnw) whose values nest thousands deep, and shapes (in .pth files too) that pass
// the element limit only through a zero: each is refused with the file, the tensor and the field, described
// by type and bounded in length, never a RangeError from formatting the value.
import { expect } from 'chai';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { readCheckpoint, readSafetensors, WEIGHT_FILE_MAGIC } from '../src/weights/index.js';
import { f32Bytes, legacyPth, stateDictPickle } from './weights-helpers.js';

const utf8 = new TextEncoder();
/** A JSON list nested `depth` deep: far past what a recursive join or JSON.stringify survives (about 5,000). */
const nest = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

function safetensorsText(json: string): Uint8Array {
  const h = utf8.encode(json);
  const out = new Uint8Array(8 + h.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

function pnwText(json: string): Uint8Array {
  const h = utf8.encode(json);
  const out = new Uint8Array(Math.ceil((16 + h.length) / 64) * 64);
  out.set(WEIGHT_FILE_MAGIC);
  new DataView(out.buffer).setUint32(8, 1, true);
  new DataView(out.buffer).setUint32(12, h.length, true);
  out.set(h, 16);
  return out;
}

const st = (fields: string) => safetensorsText(`{"w":{${fields}}}`);
const pnw = (fields: string) => pnwText(`{"meta":{},"dataBytes":0,"tensors":[{"name":"w",${fields}}]}`);

describe('weights: hostile JSON header values', () => {
  for (const depth of [5_000, 100_000]) {
    it(`describes a shape, dtype, offset or nbytes nested ${depth} deep by its type (safetensors, .pnw)`, () => {
      const n = nest(depth);
      const cases: [Uint8Array, string][] = [
        [
          st(`"dtype":"F32","shape":${n},"data_offsets":[0,0]`),
          "s: tensor 'w': shape [a list of 1 item] has a dimension that is not a non-negative integer (dimension 0 is a list of 1 item)",
        ],
        [
          st(`"dtype":"F32","shape":[1,${n}],"data_offsets":[0,0]`),
          "s: tensor 'w': shape [1, a list of 1 item] has a dimension that is not a non-negative integer (dimension 1 is a list of 1 item)",
        ],
        [st(`"dtype":${n},"shape":[0],"data_offsets":[0,0]`), "s: tensor 'w': dtype a list of 1 item is not supported (F32, F16, BF16, F64, I64)"],
        [
          pnw(`"dtype":"f32","shape":${n},"offset":0,"nbytes":0`),
          "s: tensor 'w': shape [a list of 1 item] has a dimension that is not a non-negative integer (dimension 0 is a list of 1 item)",
        ],
        [pnw(`"dtype":${n},"shape":[0],"offset":0,"nbytes":0`), "s: tensor 'w': dtype a list of 1 item; expected f32 or f16"],
        [pnw(`"dtype":"f32","shape":[0],"offset":${n},"nbytes":0`), "s: tensor 'w': offset must be an integer, got a list of 1 item"],
        [pnw(`"dtype":"f32","shape":[0],"offset":0,"nbytes":{"a":${n}}`), "s: tensor 'w': nbytes must be an integer, got an object"],
      ];
      for (const [file, msg] of cases) expect(() => weightsFromBytes(file, 's')).to.throw(msg);
    });
  }

  it('cuts long strings and long shapes in messages', () => {
    const long = 'x'.repeat(1_000_000);
    expect(() => readSafetensors(st(`"dtype":"${long}","shape":[0],"data_offsets":[0,0]`), 's')).to.throw(
      `s: tensor 'w': dtype "${'x'.repeat(40)}"... (1000000 characters) is not supported`,
    );
    const shape = `[${Array.from({ length: 16 }, () => '[]').join(',')}]`;
    expect(() => readSafetensors(st(`"dtype":"F32","shape":${shape},"data_offsets":[0,0]`), 's')).to.throw(
      `s: tensor 'w': shape [${Array.from({ length: 16 }, () => 'a list of 0 items').join(', ')}] has a dimension`,
    );
  });

  it('refuses a dimension over 2^28 even when another is 0 (the product is 0, the dimension still impossible)', () => {
    for (const shape of [
      [2 ** 28 + 1, 0],
      [0, 2 ** 40, 3, 3],
      [0, Number.MAX_SAFE_INTEGER],
    ]) {
      const i = shape.findIndex((d) => d > 2 ** 28);
      const msg = `s: tensor 'w': shape [${shape.join(', ')}] has dimension ${i} of ${shape[i]}, more than the limit of 268435456 elements`;
      expect(() => readCheckpoint(st(`"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[0,0]`), 's')).to.throw(msg);
      expect(() => weightsFromBytes(pnw(`"dtype":"f32","shape":${JSON.stringify(shape)},"offset":0,"nbytes":0`), 's')).to.throw(msg);
    }
    const pth = legacyPth(stateDictPickle([{ key: 'w', storage: '0', numel: 1, shape: [2 ** 28 + 1, 0], stride: [0, 1] }], 'legacy').bytes(), [
      { key: '0', data: f32Bytes([1]) },
    ]);
    expect(() => readCheckpoint(pth, 'p.pth')).to.throw(
      /^p\.pth at byte \d+: tensor in storage '0': shape \[268435457, 0\] has dimension 0 of 268435457, more than the limit of 268435456 elements$/,
    );
    // up to the limit a zero-size tensor is still a tensor
    expect(readSafetensors(st(`"dtype":"F32","shape":[268435456,0],"data_offsets":[0,0]`), 's').get('w')!.shape).to.deep.equal([2 ** 28, 0]);
  });
});
