// Dataset aggregation as main.m does it, GT/prediction gray from RGBA, and the bilinear resize helper.
import { expect } from 'chai';
import { evaluateDataset, evaluateImage, type ImagePair } from '../src/metrics/evaluate.js';
import { MATLAB_RGB2GRAY_WEIGHTS, rgbaFirstChannel, rgbaToGrayMatlab } from '../src/metrics/from-rgba.js';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { resizeMapBilinear } from '../src/metrics/resize.js';

function gray(rows: number[][]): GrayMap {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

// Image A: P = [1, 128/255; 64/255, 0], G = [1, 1; 0, 0]. Dice curve (see metrics-sweep):
//   k 0..126: 2/3, k 127..190: 1, k 191..254: 4/5, k 255: 2/3 (mean 47/60).
const A: ImagePair = {
  name: 'A',
  pred: gray([
    [255, 128],
    [64, 0],
  ]),
  gt: gray([
    [255, 255],
    [0, 0],
  ]),
};
// Image B: P = [1, 200/255; 0, 0], G = [1, 0; 0, 0]:
//   k 0..54: B = G, Dice 1;  k 55..254: B = {p0, p1}, Dice 2/3;  k 255: all, Dice 2/5.
const B: ImagePair = {
  name: 'B',
  pred: gray([
    [255, 200],
    [0, 0],
  ]),
  gt: gray([
    [255, 0],
    [0, 0],
  ]),
};

describe('metrics: dataset aggregation (main.m)', () => {
  it('averages the curves over images first, then takes mean and max over thresholds', () => {
    const r = evaluateDataset([A, B]);
    expect(r.n).to.equal(2);
    // mean-over-images Dice curve: k 0..54: 5/6, 55..126: 2/3, 127..190: 5/6, 191..254: 11/15, 255: 8/15.
    const meanB = (55 * 1 + 200 * (2 / 3) + 2 / 5) / 256;
    expect(r.images.map((s) => s.name)).to.deep.equal(['A', 'B']);
    expect(r.images[0]!.meanDice).to.be.closeTo(47 / 60, 1e-12);
    expect(r.images[1]!.meanDice).to.be.closeTo(meanB, 1e-12);
    expect(r.mDice).to.be.closeTo((47 / 60 + meanB) / 2, 1e-12);
    // maxDic is the best single threshold for the whole set (5/6), not the mean of per-image maxima (1).
    expect(r.maxDice).to.be.closeTo(5 / 6, 1e-15);
    // Dice at P >= 0.5: A {p0, p1} = G -> 1; B {p0, p1} -> 2/3.
    expect(r.images.map((s) => s.dice05)).to.deep.equal([1, 2 / 3]);
  });

  it('reduces the image-averaged E curve (max and mean) and averages the scalar metrics', () => {
    const a = evaluateImage(A);
    const b = evaluateImage(B);
    const r = evaluateDataset([A, B]);
    const em = Array.from(a.emCurve, (v, k) => (v + b.emCurve[k]!) / 2);
    expect(r.maxEm).to.be.closeTo(Math.max(...em), 1e-15);
    expect(r.meanEm).to.be.closeTo(em.reduce((s, v) => s + v, 0) / 256, 1e-12);
    // The best E thresholds differ between A and B, so max of the mean < mean of the maxima.
    expect(r.maxEm).to.be.lessThan((Math.max(...a.emCurve) + Math.max(...b.emCurve)) / 2 - 0.01);
    const iou = Array.from(a.iouCurve, (v, k) => (v + b.iouCurve[k]!) / 2);
    expect(r.mIoU).to.be.closeTo(iou.reduce((s, v) => s + v, 0) / 256, 1e-12);
    for (const key of ['wFm', 'Sm', 'MAE'] as const) {
      expect(r[key], key).to.be.closeTo((a.scores[key] + b.scores[key]) / 2, 1e-15);
    }
    // MAE by hand: A (0 + 127/255 + 64/255 + 0)/4, B (0 + 200/255 + 0 + 0)/4.
    expect(r.MAE).to.be.closeTo((191 / 1020 + 200 / 1020) / 2, 1e-15);
  });

  it('rejects an empty set and names the image with mismatched sizes', () => {
    expect(() => evaluateDataset([])).to.throw(/no images/);
    const bad: ImagePair = { name: 'cju1abc', pred: gray([[0, 255, 0]]), gt: gray([[0], [255], [0]]) };
    expect(() => evaluateDataset([A, bad])).to.throw(/cju1abc: prediction map is 3x1 but GT is 1x3/);
  });
});

describe('metrics: gray from RGBA', () => {
  it('uses the first row of inv(NTSC RGB->YIQ) as MATLAB rgb2gray does', () => {
    // Rows of the YIQ->RGB matrix MATLAB inverts; first row of the inverse by cofactors.
    const m = [
      [1, 0.956, 0.621],
      [1, -0.272, -0.647],
      [1, -1.106, 1.703],
    ] as const;
    const det =
      m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    const row = [(m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det, -(m[0][1] * m[2][2] - m[0][2] * m[2][1]) / det, (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det];
    row.forEach((v, i) => expect(MATLAB_RGB2GRAY_WEIGHTS[i], `weight ${i}`).to.be.closeTo(v, 1e-14));
  });

  it('rounds the weighted sum to uint8 and ignores alpha', () => {
    // 255*0.298936 = 76.229 -> 76; 255*0.587043 = 149.696 -> 150; 255*0.114021 = 29.075 -> 29;
    // gray (128,128,128) -> 128; (200, 100, 50): 59.787 + 58.704 + 5.701 = 124.192 -> 124.
    const rgba = Uint8Array.from([255, 0, 0, 7, 0, 255, 0, 0, 0, 0, 255, 255, 128, 128, 128, 0, 200, 100, 50, 1, 255, 255, 255, 0]);
    expect(Array.from(rgbaToGrayMatlab(rgba, 3, 2).data)).to.deep.equal([76, 150, 29, 128, 124, 255]);
    expect(Array.from(rgbaFirstChannel(rgba, 3, 2).data)).to.deep.equal([255, 0, 0, 128, 200, 255]);
    expect(() => rgbaToGrayMatlab(rgba, 2, 2)).to.throw(/2x2 RGBA = 16 bytes, got 24/);
  });
});

describe('metrics: bilinear resize helper', () => {
  it('upsamples a row on pixel centres, clamping at the borders', () => {
    // 2 -> 4: source x = (o + 0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    expect(Array.from(resizeMapBilinear(Uint8Array.from([0, 100]), 2, 1, 4, 1))).to.deep.equal([0, 25, 75, 100]);
  });

  it('downsamples without antialiasing', () => {
    // 4 -> 2: source x = 0.5 and 2.5: (0 + 100)/2 = 50, (200 + 40)/2 = 120.
    expect(Array.from(resizeMapBilinear(Uint8Array.from([0, 100, 200, 40]), 4, 1, 2, 1))).to.deep.equal([50, 120]);
  });

  it('resizes 2x2 -> 3x3 by hand, rounding halves up', () => {
    // Source coordinates 0 (clamped from -1/6), 0.5, 1 (clamped from 7/6) on both axes.
    // Centre: (0 + 90 + 180 + 255)/4 = 131.25 -> 131; (1, 2): (90 + 255)/2 = 172.5 -> 173;
    // (2, 1): (180 + 255)/2 = 217.5 -> 218.
    const out = resizeMapBilinear(Uint8Array.from([0, 90, 180, 255]), 2, 2, 3, 3);
    expect(Array.from(out)).to.deep.equal([0, 45, 90, 90, 131, 173, 180, 218, 255]);
  });

  it('is the identity at the same size and rejects a wrong length', () => {
    const src = Uint8Array.from([3, 1, 4, 1, 5, 9]);
    expect(Array.from(resizeMapBilinear(src, 3, 2, 3, 2))).to.deep.equal(Array.from(src));
    expect(() => resizeMapBilinear(src, 2, 2, 3, 3)).to.throw(/6 values, expected 2x2/);
  });
});
