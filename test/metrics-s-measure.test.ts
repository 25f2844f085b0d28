// S-measure (StructureMeasure.m, S_object.m, S_region.m) on hand-worked maps.
import { expect } from 'chai';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { preparePair } from '../src/metrics/prepare.js';
import { gtCentroid, sMeasure, sObject, sRegion } from '../src/metrics/s-measure.js';

function gray(rows: number[][]): GrayMap {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

// 4x4 case. gray 10/60/110 normalise (min 10, max 110) to P = 0/0.5/1.
//   P = [0   0   0   0       G = [0 0 0 0
//        0   1   1   0            0 1 1 0
//        .5  1   .5  1            0 1 1 1
//        0   .5  0   .5]          0 0 0 0]
const P4 = gray([
  [10, 10, 10, 10],
  [10, 110, 110, 10],
  [60, 110, 60, 110],
  [10, 60, 10, 60],
]);
const G4 = gray([
  [0, 0, 0, 0],
  [0, 255, 255, 0],
  [0, 255, 255, 255],
  [0, 0, 0, 0],
]);

// S_object by hand. y = 5/16.
//   FG values {1, 1, 1, .5, 1}: mean 0.9, sum of squared deviations 4*0.01 + 0.16 = 0.2, std (N-1) = sqrt(0.05).
const oFg = (2 * 0.9) / (0.81 + 1 + Math.sqrt(0.05));
//   BG values 1 - P over 11 pixels: eight 1s, three 0.5s: mean 9.5/11 = 19/22,
//   squared deviations 8.75 - 11*(19/22)^2 = 6/11, std = sqrt((6/11)/10) = sqrt(3/55).
const oBg = (2 * (19 / 22)) / ((19 / 22) ** 2 + 1 + Math.sqrt(3 / 55));
const sObjectHand = (5 / 16) * oFg + (11 / 16) * oBg;

// S_region by hand. Centroid: X = round((2+3+2+3+4)/5 = 2.8) = 3, Y = round((2+2+3+3+3)/5 = 2.6) = 3.
// Blocks and weights (area 16): LT rows 1-3 x cols 1-3, w 9/16; RT rows 1-3 x col 4, w 3/16;
// LB row 4 x cols 1-3, w 3/16; RB row 4 x col 4, w 1/16.
//   LT: P = [0 0 0; 0 1 1; .5 1 .5], G = [0 0 0; 0 1 1; 0 1 1], n = 9, mean P = mean G = 4/9.
//       Sxx = 3.5 - 16/9 = 31/18, Syy = 4 - 16/9 = 20/9, Sxy = 3.5 - 16/9 = 31/18 (each /8 for n-1).
//       a = 4 (4/9)^2 (31/144) = 1984/11664, b = (32/81)(31/144 + 40/144) = 2272/11664: ssim = 62/71.
//   RT: P = G = [0; 0; 1]: mean 1/3, variances = covariance = 1/3: a = 4/27 = b, ssim = 1.
//   LB: P = [0 .5 0], G = 0: mean G = 0 so a = 0; b = (1/36) var(P) != 0: ssim = 0.
//   RB: one pixel: all deviations 0, a = b = 0: ssim = 1.
const sRegionHand = (9 / 16) * (62 / 71) + (3 / 16) * 1 + (3 / 16) * 0 + (1 / 16) * 1;

describe('metrics: S-measure', () => {
  it('S_object of a 4x4 map by hand', () => {
    expect(sObject(preparePair(P4, G4))).to.be.closeTo(sObjectHand, 1e-14);
  });

  it('S_region of a 4x4 map by hand (centroid 2.8, 2.6 -> 3, 3)', () => {
    const p = preparePair(P4, G4);
    expect(gtCentroid(p)).to.deep.equal({ x: 3, y: 3 });
    expect(sRegion(p)).to.be.closeTo(sRegionHand, 1e-14);
  });

  it('S = (S_object + S_region)/2 for a mixed GT', () => {
    expect(sMeasure(preparePair(P4, G4))).to.be.closeTo(0.5 * sObjectHand + 0.5 * sRegionHand, 1e-14);
  });

  it('rounds a centroid ending in .5 away from zero, as MATLAB does', () => {
    // Foreground at 1-based cols 1-2 and rows 1-2: mean 1.5 -> 2 (NumPy's half-to-even on the
    // 0-based 0.5 would give 0 + 1 = 1). Cols 2-3 / rows 3-4: 2.5 -> 3 and 3.5 -> 4.
    const z = (rows: number[][]) => preparePair(gray(rows.map((r) => r.map(() => 0))), gray(rows));
    expect(
      gtCentroid(
        z([
          [255, 255, 0, 0],
          [255, 255, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ]),
      ),
    ).to.deep.equal({ x: 2, y: 2 });
    expect(
      gtCentroid(
        z([
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 255, 255, 0],
          [0, 255, 255, 0],
        ]),
      ),
    ).to.deep.equal({ x: 3, y: 4 });
  });

  it('all-background GT: S = 1 - mean(P)', () => {
    // P = [1, 0; 0.5, 0] (gray 110/10/60 normalised): S = 1 - 1.5/4.
    expect(
      sMeasure(
        preparePair(
          gray([
            [110, 10],
            [60, 10],
          ]),
          gray([
            [0, 0],
            [128, 0],
          ]),
        ),
      ),
    ).to.equal(1 - 1.5 / 4);
  });

  it('all-foreground GT: S = mean(P)', () => {
    expect(
      sMeasure(
        preparePair(
          gray([
            [110, 10],
            [60, 10],
          ]),
          gray([
            [255, 255],
            [129, 255],
          ]),
        ),
      ),
    ).to.equal(1.5 / 4);
  });

  it('constant map with a mixed GT', () => {
    // P = 0 everywhere (constant gray 0), G = [1, 0; 0, 0].
    //   S_object: O_FG = O({0}) = 0; O_BG = O({1, 1, 1}) = 2/(1 + 1 + 0) = 1; S_o = 3/4.
    //   Centroid (1, 1): four 1-pixel blocks, each a = b = 0 -> ssim 1; S_r = 1.
    //   S = (3/4 + 1)/2 = 7/8.
    expect(
      sMeasure(
        preparePair(
          gray([
            [0, 0],
            [0, 0],
          ]),
          gray([
            [255, 0],
            [0, 0],
          ]),
        ),
      ),
    ).to.be.closeTo(7 / 8, 1e-15);
  });

  it('perfect prediction of a mixed GT scores about 1', () => {
    // P = G: O_FG = 2/(1+1) = 1, O_BG = 1 -> S_o = 1; every block has P = G, so a = b and ssim = 1
    // (or a = b = 0 -> 1).
    const g = [
      [0, 0, 0],
      [0, 255, 255],
      [0, 255, 0],
    ];
    expect(sMeasure(preparePair(gray(g), gray(g)))).to.be.closeTo(1, 1e-14);
  });
});
