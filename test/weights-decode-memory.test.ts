// Decoding allocates its float32 output and nothing else, which is what the memory budget counts
// (budget.ts): no byte copy of the elements before converting them, and for a strided view not the whole
// span of storage it reaches. Measured as the growth of a child process's peak resident memory while it
// reads a legacy .pth, whose storages are views of the file (no inflating to blur the numbers).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPth } from '../src/weights/index.js';
import { legacyPth, stateDictPickle, type TensorSpec } from './weights-helpers.js';
import { readInChild } from './support/read-child.js';

/** Room for the code and the allocator beside the output. */
const SLACK = 16 * 2 ** 20;

interface Case {
  cls: 'DoubleStorage' | 'HalfStorage';
  numel: number;
  shape: number[];
  stride: number[];
  /** values written into the storage of zeros, by element (half bits for HalfStorage) */
  marks: [number, number][];
  /** [index, value] pairs the view must read */
  reads: [number, number][];
}

const SIZE = { DoubleStorage: 8, HalfStorage: 2 };

/** A legacy checkpoint of one tensor 'w' over a storage of zeros with a few marked elements. */
function checkpoint(c: Case): Uint8Array {
  const data = new Uint8Array(SIZE[c.cls] * c.numel);
  const dv = new DataView(data.buffer);
  for (const [i, v] of c.marks) {
    if (c.cls === 'DoubleStorage') dv.setFloat64(8 * i, v, true);
    else dv.setUint16(2 * i, v, true);
  }
  const spec: TensorSpec = { key: 'w', storage: '0', cls: c.cls, numel: c.numel, shape: c.shape, stride: c.stride };
  return legacyPth(stateDictPickle([spec], 'legacy').bytes(), [{ key: '0', data, elementSize: SIZE[c.cls] }]);
}

describe('weights: decoding allocates only its float32 output', function () {
  this.timeout(120_000);
  let dir = '';
  before(function () {
    if (process.platform !== 'linux') this.skip(); // peak memory from /proc/self/status
    dir = mkdtempSync(join(tmpdir(), 'pranet-decode-memory-'));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const S = 2 ** 23;
  const cases: [string, Case][] = [
    // the review's span case at 1/32 scale: two f64 elements 64 MiB apart once cost 96 MiB of temporaries
    [
      'a 2-element f64 view with a stride of 2^23 - 1, not the 64 MiB span it reaches',
      {
        cls: 'DoubleStorage',
        numel: S,
        shape: [2],
        stride: [S - 1],
        marks: [
          [0, 1.5],
          [S - 1, -2.5],
        ],
        reads: [
          [0, 1.5],
          [1, -2.5],
        ],
      },
    ],
    [
      'a contiguous f64 tensor of 2^22 elements, without a byte copy first',
      { cls: 'DoubleStorage', numel: S / 2, shape: [S / 2], stride: [1], marks: [[S / 2 - 1, 0.25]], reads: [[S / 2 - 1, 0.25]] },
    ],
    [
      'a contiguous f16 tensor of 2^24 elements, without a byte copy first',
      { cls: 'HalfStorage', numel: 2 * S, shape: [2 * S], stride: [1], marks: [[2 * S - 1, 0x3c00]], reads: [[2 * S - 1, 1]] },
    ],
    [
      'a transposed f16 view of 4096 x 4096',
      { cls: 'HalfStorage', numel: 2 * S, shape: [4096, 4096], stride: [1, 4096], marks: [[4096, 0x4000]], reads: [[1, 2]] },
    ],
  ];
  for (const [what, c] of cases) {
    it(what, () => {
      const bytes = checkpoint(c);
      const t = readPth(bytes, 'm.pth').get('w')!;
      for (const [i, v] of c.reads) expect(t.data[i], `element ${i}`).to.equal(v);
      const file = join(dir, 'm.pth');
      writeFileSync(file, bytes);
      const got = readInChild('pth', file);
      expect(got.died).to.equal(undefined);
      expect(got.error).to.equal(undefined);
      const output = 4 * c.shape.reduce((a, b) => a * b, 1);
      expect(got.peakGrowthBytes!, `peak growth beside the ${output}-byte output`).to.be.below(output + SLACK);
    });
  }
});
