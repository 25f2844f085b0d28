// Decoding against PIL: PNGs exactly, JPEGs within the IDCT rounding difference measured here.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { decodeImage, ImageDecodeError } from '../src/io/image.js';
import { rgbFromRgba } from '../src/io/rgba-image.js';
import { KVASIR_IMAGES, kvasirImages, oracleRun, runOracle, skipWithoutPython, type OracleRun } from './io-oracle.js';
import { requireSharedData } from './support/shared-data.js';

interface DecodeManifest {
  png: { name: string; file: string; mode: string; width: number; height: number; rgb: string; alpha?: string }[];
  png_rejected: string[];
  jpeg: { name: string; file: string; mode: string; width: number; height: number; rgb: string }[];
  real_jpeg: { name: string; path: string; width: number; height: number; rgb: string }[];
}

/**
 * Bounds on |ours - PIL| per RGB byte for JPEGs. jpeg-js's IDCT (Loeffler, poppler's rounding) is not
 * libjpeg-turbo's ISLOW IDCT, so a sample may differ by 1; everything after the IDCT (chroma upsampling,
 * YCbCr -> RGB) follows libjpeg. Measured on this suite (the table the test prints): gray, CMYK and
 * RGB-space files max 1; YCbCr files max 3 (a 1-level Cb/Cr difference becomes up to 1.772 levels of
 * blue, plus Y's own); mean up to 0.172 on the noisy synthetic image, 0.128 on real crops, 0.097 on
 * Kvasir images. (jpeg-js's own replicated chroma and truncating colour maths reach max 40, mean 0.67.)
 * The bounds below are those measurements, the mean rounded up to 0.2.
 */
const JPEG_MAX_DIFF_YCBCR = 3;
const JPEG_MAX_DIFF_PLAIN = 1;
const JPEG_MEAN_DIFF = 0.2;

function diffStats(got: Uint8Array, want: Uint8Array): { max: number; mean: number; exact: number } {
  let max = 0;
  let sum = 0;
  let exact = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    max = Math.max(max, d);
    sum += d;
    if (d === 0) exact++;
  }
  return { max, mean: sum / want.length, exact: exact / want.length };
}

describe('io: decoding like PIL convert("RGB")', function () {
  let run: OracleRun<DecodeManifest>;

  before(function () {
    skipWithoutPython(this);
    requireSharedData(this, KVASIR_IMAGES);
    run = oracleRun<DecodeManifest>('decode', kvasirImages(10));
  });
  after(() => run?.cleanup());

  it("PNG: every colour type and bit depth (PIL-written and hand-written) gives PIL's pixels exactly", () => {
    const report: string[] = [];
    for (const c of run.manifest.png) {
      const img = decodeImage(run.read(c.file), c.file);
      expect([img.width, img.height], c.name).to.deep.equal([c.width, c.height]);
      const want = run.read(c.rgb);
      const got = rgbFromRgba(img).data;
      const bad = want.reduce((n, v, i) => n + (got[i] !== v ? 1 : 0), 0);
      if (bad) report.push(`${c.name} (PIL mode ${c.mode}): ${bad} RGB bytes differ`);
      if (c.alpha) {
        const alpha = run.read(c.alpha);
        const badA = alpha.reduce((n, v, i) => n + (img.data[4 * i + 3] !== v ? 1 : 0), 0);
        if (badA) report.push(`${c.name} (PIL mode ${c.mode}): ${badA} alpha values differ`);
      }
    }
    expect(run.manifest.png.length).to.be.greaterThan(25);
    expect(report, report.join('\n')).to.deep.equal([]);
  });

  it('PNG: refuses interlaced 1-bit files (mis-decoded by upng-js) with a clear error', () => {
    expect(run.manifest.png_rejected.length, 'files the oracle wrote to be refused').to.be.at.least(1);
    for (const f of run.manifest.png_rejected) {
      expect(() => decodeImage(run.read(f), f)).to.throw(ImageDecodeError, new RegExp(`^${f}: interlaced 1-bit PNGs are not supported`));
    }
  });

  it('JPEG: baseline, progressive, 4:2:0/4:2:2/4:4:4, gray, CMYK and odd markers stay within the measured IDCT difference', () => {
    const report: string[] = [];
    for (const c of run.manifest.jpeg) {
      const img = decodeImage(run.read(c.file), c.file);
      expect([img.width, img.height], c.name).to.deep.equal([c.width, c.height]);
      const s = diffStats(rgbFromRgba(img).data, run.read(c.rgb));
      console.log(`      ${c.name.padEnd(26)} ${c.mode.padEnd(5)} max ${s.max}  mean ${s.mean.toFixed(4)}  exact ${(100 * s.exact).toFixed(1)}%`);
      // Files whose components are used as they are: gray, CMYK, and 3 components tagged as RGB.
      const plain = c.mode !== 'RGB' || c.name.endsWith('_rgb_ids') || c.name.endsWith('_adobe0');
      const maxAllowed = plain ? JPEG_MAX_DIFF_PLAIN : JPEG_MAX_DIFF_YCBCR;
      if (s.max > maxAllowed || s.mean > JPEG_MEAN_DIFF) report.push(`${c.name}: max ${s.max} (bound ${maxAllowed}), mean ${s.mean.toFixed(4)}`);
    }
    expect(run.manifest.jpeg.length).to.be.greaterThan(20);
    expect(report, report.join('\n')).to.deep.equal([]);
  });

  it(`real Kvasir JPEGs: within ${JPEG_MAX_DIFF_YCBCR} levels of PIL (mean <= ${JPEG_MEAN_DIFF})`, () => {
    let max = 0;
    let sum = 0;
    let n = 0;
    for (const c of run.manifest.real_jpeg) {
      const img = decodeImage(new Uint8Array(readFileSync(c.path)), c.path);
      expect([img.width, img.height], c.name).to.deep.equal([c.width, c.height]);
      const want = run.read(c.rgb);
      const s = diffStats(rgbFromRgba(img).data, want);
      max = Math.max(max, s.max);
      sum += s.mean * want.length;
      n += want.length;
    }
    console.log(`      ${run.manifest.real_jpeg.length} Kvasir images: max ${max}, mean ${(sum / n).toFixed(4)}`);
    expect(max).to.be.at.most(JPEG_MAX_DIFF_YCBCR);
    expect(sum / n).to.be.at.most(JPEG_MEAN_DIFF);
  });

  it('all 100 Kvasir test JPEGs decode to the size PIL reports', () => {
    const paths = kvasirImages();
    expect(paths.length).to.equal(100);
    const sizes = JSON.parse(runOracle(['sizes', ...paths])) as [number, number][];
    paths.forEach((p, i) => {
      const img = decodeImage(new Uint8Array(readFileSync(p)), p);
      expect([img.width, img.height], p).to.deep.equal(sizes[i]);
      expect(img.data.length).to.equal(img.width * img.height * 4);
    });
  });
});
