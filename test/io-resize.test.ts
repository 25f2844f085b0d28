// PIL parity of the resize and of the whole preprocessing, on random and real images.
import { expect } from 'chai';
import { decodeImage } from '../src/io/image.js';
import { resizeBilinearPil } from '../src/io/pil-resize.js';
import { normalizeToChw, preprocess, preprocessBatch } from '../src/io/preprocess.js';
import { rgbFromRgba } from '../src/io/rgba-image.js';
import { float32s, KVASIR_IMAGES, kvasirImages, oracleRun, skipWithoutPython, type OracleRun } from './io-oracle.js';
import { requireOrSkip } from './support/prerequisites.js';
import { requireSharedData } from './support/shared-data.js';

interface ResizeManifest {
  resize: {
    name: string;
    png: string;
    width: number;
    height: number;
    targets: { width: number; height: number; rgb: string }[];
    preprocess: { size: number; f32: string; torch_equal: boolean | null }[];
  }[];
}

describe('io: PIL bilinear resize and preprocessing', function () {
  let run: OracleRun<ResizeManifest>;

  before(function () {
    skipWithoutPython(this);
    requireSharedData(this, KVASIR_IMAGES);
    run = oracleRun<ResizeManifest>('resize', kvasirImages(3));
  });
  after(() => run?.cleanup());

  it('resizeBilinearPil equals PIL resize(BILINEAR) byte for byte (random + Kvasir, up- and downscaling)', () => {
    const report: string[] = [];
    let checked = 0;
    for (const c of run.manifest.resize) {
      const rgb = rgbFromRgba(decodeImage(run.read(c.png), c.png));
      expect([rgb.width, rgb.height], c.name).to.deep.equal([c.width, c.height]);
      for (const t of c.targets) {
        const want = run.read(t.rgb);
        const got = resizeBilinearPil(rgb, t.width, t.height);
        expect(got.data.length, `${c.name} -> ${t.width}x${t.height}`).to.equal(want.length);
        let bad = 0;
        let first = -1;
        for (let i = 0; i < want.length; i++) {
          if (got.data[i] !== want[i]) {
            bad++;
            if (first < 0) first = i;
          }
        }
        if (bad)
          report.push(
            `${c.name} ${c.width}x${c.height} -> ${t.width}x${t.height}: ${bad} bytes differ, first at ${first} (got ${got.data[first]}, PIL ${want[first]})`,
          );
        checked++;
      }
    }
    expect(checked).to.be.greaterThan(15);
    expect(report, report.join('\n')).to.deep.equal([]);
  });

  it('preprocess equals the torchvision float32 math done in NumPy exactly (max |diff| 0)', () => {
    const report: string[] = [];
    for (const c of run.manifest.resize) {
      const img = decodeImage(run.read(c.png), c.png);
      for (const p of c.preprocess) {
        const want = float32s(run.read(p.f32));
        const got = preprocess(img, p.size);
        expect(got.length, c.name).to.equal(3 * p.size * p.size);
        let maxDiff = 0;
        for (let i = 0; i < want.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
        if (maxDiff !== 0) report.push(`${c.name} at ${p.size}: max |diff| ${maxDiff}`);
      }
    }
    expect(report, report.join('\n')).to.deep.equal([]);
  });

  it('the NumPy reference itself equals torch ToTensor/Normalize ops bit for bit', function () {
    const flags = run.manifest.resize.flatMap((c) => c.preprocess.map((p) => p.torch_equal));
    requireOrSkip(this, flags.every((f) => f === null) ? 'torch is not importable by /usr/bin/python3 (install python3-torch)' : null);
    expect(flags).to.not.include(false);
  });

  it('preprocessBatch stacks preprocess() of each image in order', () => {
    const imgs = run.manifest.resize.slice(0, 3).map((c) => decodeImage(run.read(c.png), c.png));
    const batch = preprocessBatch(imgs, 32);
    const per = 3 * 32 * 32;
    expect(batch.length).to.equal(3 * per);
    imgs.forEach((img, i) => expect(Array.from(batch.subarray(i * per, (i + 1) * per))).to.deep.equal(Array.from(preprocess(img, 32))));
  });
});

describe('io: preprocessing by hand', () => {
  it('normalises 0, 128 and 255 to the float32 values of ((v/255) - mean) / std, planes in RGB order', () => {
    // A 1x1 image (R, G, B) = (0, 128, 255): the results, worked out with float32 rounding at every step.
    const got = normalizeToChw({ width: 1, height: 1, data: new Uint8Array([0, 128, 255]) });
    const f = Math.fround;
    const want = [f(f(0 - f(0.485)) / f(0.229)), f(f(f(128 / 255) - f(0.456)) / f(0.224)), f(f(1 - f(0.406)) / f(0.225))];
    expect(Array.from(got)).to.deep.equal(want);
    expect(got[0]).to.be.closeTo(-2.1179039, 1e-6);
    expect(got[2]).to.be.closeTo(2.64, 1e-6);
  });

  it('rejects a malformed image or size with a message naming the problem', () => {
    expect(() => preprocess({ width: 2, height: 2, data: new Uint8Array(15) })).to.throw(/expected 2x2x4 = 16 bytes, got 15/);
    expect(() => preprocess({ width: 1, height: 1, data: new Uint8Array(4) }, 0)).to.throw(/size must be a positive integer/);
    expect(() => resizeBilinearPil({ width: 1, height: 1, data: new Uint8Array(3) }, 2.5, 2)).to.throw(/positive integers/);
  });
});
