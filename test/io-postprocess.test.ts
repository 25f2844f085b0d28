// The saved-map bytes must equal what PraNet's MyTest.py (NumPy float32 + scipy bytescale) saves.
import { expect } from 'chai';
import { binarize, bytescale, minMaxNormalize, toUint8Map } from '../src/io/postprocess.js';
import { float32s, oracleRun, skipWithoutPython } from './io-oracle.js';

interface PostManifest {
  postprocess: { name: string; count: number; prob: string; norm: string; u8: string }[];
}

describe('io: post-processing (min-max and bytescale, docs/pranet.md)', () => {
  it('minMaxNormalize and toUint8Map equal NumPy + scipy bytescale bit for bit', function () {
    skipWithoutPython(this);
    const run = oracleRun<PostManifest>('postprocess');
    try {
      expect(run.manifest.postprocess.length, 'maps the oracle wrote').to.be.at.least(5);
      for (const c of run.manifest.postprocess) {
        const prob = float32s(run.read(c.prob));
        expect(prob.length, c.name).to.equal(c.count);
        const norm = minMaxNormalize(prob);
        const wantNorm = float32s(run.read(c.norm));
        const badNorm = wantNorm.reduce((n, v, i) => n + (Object.is(v, norm[i]) ? 0 : 1), 0);
        expect(badNorm, `${c.name}: normalised values differing from NumPy`).to.equal(0);
        const want = run.read(c.u8);
        const got = toUint8Map(prob);
        const bad = want.reduce((n, v, i) => n + (v !== got[i] ? 1 : 0), 0);
        expect(bad, `${c.name}: saved bytes differing from MyTest.py`).to.equal(0);
      }
    } finally {
      run.cleanup();
    }
  });

  it('bytescale by hand: stretch to 0..255, round half up, constant map uses scale 255', () => {
    expect(Array.from(bytescale(new Float32Array([0, 0.5, 1])))).to.deep.equal([0, 128, 255]);
    expect(Array.from(bytescale(new Float32Array([2, 3, 4, 6])))).to.deep.equal([0, 64, 128, 255]);
    // max = min: (p - min) * 255 / 1 = 0 everywhere.
    expect(Array.from(bytescale(new Float32Array([0.3, 0.3])))).to.deep.equal([0, 0]);
    // Range 0.5: the + 1e-8 is below half a float32 ulp of 0.5, so the midpoint stays exactly 0.5 -> 128.
    expect(Array.from(toUint8Map(new Float32Array([0, 0.25, 0.5])))).to.deep.equal([0, 128, 255]);
    expect(() => toUint8Map(new Float32Array([0.1, NaN]))).to.throw(/element 1 is NaN/);
    expect(() => bytescale(new Float32Array(0))).to.throw(/empty map/);
  });

  it('binarize marks p >= t', () => {
    expect(Array.from(binarize(new Float32Array([0, 0.49, 0.5, 0.51, 1]), 0.5))).to.deep.equal([0, 0, 1, 1, 1]);
    expect(Array.from(binarize([10, 200], 128))).to.deep.equal([0, 1]);
    expect(() => binarize([1], NaN)).to.throw(/threshold must be finite/);
  });
});
