// .npy files: ours must load in NumPy, NumPy's must load here, and bad ones must say what is wrong.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy } from '../src/io/npy.js';
import { oracleRun, runOracle, skipWithoutPython } from './io-oracle.js';
import { rng, uniform } from './support/random.js';

interface NpyManifest {
  npy: { name: string; npy: string; raw: string; dtype: string; shape: number[] }[];
  bad: string[];
}

interface NpyCheck {
  file: string;
  dtype: string;
  shape: number[];
  fortran: boolean;
  data_offset: number;
  equal: boolean;
}

function rawFloat32(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

describe('io: .npy files', () => {
  const cases: [string, Float32Array, number[]][] = [
    ['nchw', uniform(rng(4), 1 * 3 * 5 * 7, -3, 3), [1, 3, 5, 7]],
    ['vector', uniform(rng(5), 9), [9]],
    ['scalar', new Float32Array([2.5]), []],
    ['empty', new Float32Array(0), [2, 0]],
    ['special', new Float32Array([0, -0, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38]), [7]],
  ];

  it('encodeNpy files load in NumPy with the same shape, dtype <f4, C order, bits, and data at a multiple of 64', function () {
    skipWithoutPython(this);
    const dir = mkdtempSync(join(tmpdir(), 'pranet-io-npy-'));
    try {
      const args: string[] = [];
      for (const [name, data, shape] of cases) {
        writeFileSync(join(dir, `${name}.npy`), encodeNpy(data, shape));
        writeFileSync(join(dir, `${name}.raw`), rawFloat32(data));
        args.push(join(dir, `${name}.npy`), join(dir, `${name}.raw`));
      }
      const results = JSON.parse(runOracle(['npy-check', ...args])) as NpyCheck[];
      expect(results, 'one result per file').to.have.length(cases.length);
      results.forEach((r, i) => {
        const [name, , shape] = cases[i]!;
        expect({ dtype: r.dtype, shape: r.shape, fortran: r.fortran, equal: r.equal }, name).to.deep.equal({
          dtype: '<f4',
          shape,
          fortran: false,
          equal: true,
        });
        expect(r.data_offset % 64, `${name} data offset ${r.data_offset}`).to.equal(0);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodeNpy reads NumPy-written <f4 and <f8 files (any header padding) exactly, and round-trips encodeNpy', function () {
    skipWithoutPython(this);
    const run = oracleRun<NpyManifest>('npy-write');
    try {
      for (const c of run.manifest.npy) {
        const got = decodeNpy(run.read(c.npy), c.npy);
        expect(got.shape, c.name).to.deep.equal(c.shape);
        expect(got.data, c.name).to.be.instanceOf(c.dtype === '<f8' ? Float64Array : Float32Array);
        const raw = run.read(c.raw);
        expect(Buffer.compare(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength), Buffer.from(raw)), c.name).to.equal(0);
      }
      for (const [name, data, shape] of cases) {
        const back = decodeNpy(encodeNpy(data, shape), name);
        expect(back.shape).to.deep.equal(shape);
        expect(Buffer.compare(Buffer.from(back.data.buffer), Buffer.from(rawFloat32(data)))).to.equal(0);
      }
      expect(() => decodeNpy(run.read('bad_fortran.npy'), 'bad_fortran.npy')).to.throw(/^bad_fortran.npy: .npy array is in Fortran order/);
      expect(() => decodeNpy(run.read('bad_big_endian.npy'), 'bad_big_endian.npy')).to.throw(/^bad_big_endian.npy: .npy dtype '>f4' is not supported/);
      expect(() => decodeNpy(run.read('bad_int32.npy'), 'bad_int32.npy')).to.throw(/dtype '<i4' is not supported/);
    } finally {
      run.cleanup();
    }
  });

  it('bad files and bad shapes give errors that name the file and the problem', () => {
    const good = encodeNpy(new Float32Array(6), [2, 3]);
    expect(() => decodeNpy(good.subarray(0, good.length - 1), 'x.npy')).to.throw(/^x.npy: .npy shape \(2, 3\) of <f4 needs 24 data bytes, file has 23/);
    expect(() => decodeNpy(good.subarray(0, 30), 'x.npy')).to.throw(/^x.npy: .npy header declares \d+ bytes but the file is truncated/);
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).to.throw(/^x.npy: not a .npy file/);
    const v9 = good.slice();
    v9[6] = 9;
    expect(() => decodeNpy(v9, 'x.npy')).to.throw(/unsupported .npy format version 9.0/);
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).to.throw(/shape \[2, 3\] holds 6 values, data has 5/);
    expect(() => encodeNpy(new Float32Array(2), [2.5])).to.throw(/invalid shape/);
  });
});
