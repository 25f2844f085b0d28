// E-measure (Enhancedmeasure.m) on hand-worked maps and against a per-pixel evaluation of the formula.
import { expect } from 'chai';
import { eMeasureCurve, eMeasureFromCounts } from '../src/metrics/e-measure.js';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { preparePair } from '../src/metrics/prepare.js';
import { thresholdSweep } from '../src/metrics/threshold-sweep.js';
import { rng } from './support/random.js';

function gray(rows: number[][]): GrayMap {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

/** Enhancedmeasure.m pixel by pixel, straight from the formula, for binary B and G. */
function eMeasurePerPixel(b: ArrayLike<number>, g: ArrayLike<number>): number {
  const n = b.length;
  let sb = 0;
  let sg = 0;
  for (let i = 0; i < n; i++) {
    sb += b[i]!;
    sg += g[i]!;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let psi: number;
    if (sg === 0) psi = 1 - b[i]!;
    else if (sg === n) psi = b[i]!;
    else {
      const ab = b[i]! - sb / n;
      const ag = g[i]! - sg / n;
      const align = (2 * ab * ag) / (ab * ab + ag * ag + 2.220446049250313e-16);
      psi = ((align + 1) * (align + 1)) / 4;
    }
    sum += psi;
  }
  return sum / (n - 1 + 2.220446049250313e-16);
}

describe('metrics: E-measure', () => {
  it('2x2 case by hand, including the N - 1 denominator', () => {
    // gray [255, 200; 0, 0] -> P = [1, 200/255; 0, 0]; G = [1, 0; 0, 0]; N - 1 = 3.
    // k 0..54 (t > 200/255): B = {p0} = G: align = 1 everywhere, psi = 1, E = 4/3.
    // k 55..254: B = [1, 1; 0, 0], mean B = 1/2, mean G = 1/4:
    //   p0 (1,1): aB 1/2, aG 3/4:   align = (3/4)/(1/4 + 9/16) = 12/13, psi = (25/13)^2/4 = 625/676
    //   p1 (1,0): aB 1/2, aG -1/4:  align = (-1/4)/(5/16) = -4/5,      psi = (1/5)^2/4 = 1/100
    //   p2, p3 (0,0): aB -1/2, aG -1/4: align = 4/5,                   psi = (9/5)^2/4 = 81/100
    //   E = (625/676 + 1/100 + 162/100)/3
    // k 255: B all 1, aB = 0: align 0, psi 1/4, E = 1/3.
    const curve = eMeasureCurve(
      thresholdSweep(
        preparePair(
          gray([
            [255, 200],
            [0, 0],
          ]),
          gray([
            [255, 0],
            [0, 0],
          ]),
        ),
      ),
    );
    const mid = (625 / 676 + 1 / 100 + 162 / 100) / 3;
    for (let k = 0; k < 256; k++) {
      const want = k < 55 ? 4 / 3 : k < 255 ? mid : 1 / 3;
      expect(curve[k], `E[${k}]`).to.be.closeTo(want, 1e-14);
    }
  });

  it('all-background GT: psi = 1 - B', () => {
    // N = 4, |B| = 1: E = 3/3 = 1; |B| = 0: E = 4/3.
    expect(eMeasureFromCounts(0, 1, 0, 4)).to.be.closeTo(1, 1e-15);
    expect(eMeasureFromCounts(0, 0, 0, 4)).to.be.closeTo(4 / 3, 1e-15);
  });

  it('all-foreground GT: psi = B', () => {
    // N = 4, |B| = 3: E = 3/3 = 1; |B| = 0: E = 0.
    expect(eMeasureFromCounts(3, 3, 4, 4)).to.be.closeTo(1, 1e-15);
    expect(eMeasureFromCounts(0, 0, 4, 4)).to.equal(0);
  });

  it('empty binary map with a mixed GT: align = 0, psi = 1/4', () => {
    // N = 6: E = 6/4/5 = 3/10.
    expect(eMeasureFromCounts(0, 0, 2, 6)).to.be.closeTo(3 / 10, 1e-15);
  });

  it('equals the per-pixel formula at every threshold on random maps', () => {
    const r = rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const w = 1 + Math.floor(r() * 9);
      const h = 1 + Math.floor(r() * 9);
      const n = w * h;
      const pred = new Uint8Array(n).map(() => Math.floor(r() * 256));
      pred[0] = 0;
      pred[n - 1] = 255; // spans 0..255, so P = gray/255
      const gtDensity = trial % 5 === 0 ? 0 : trial % 5 === 1 ? 1 : r();
      const gt = new Uint8Array(n).map(() => (r() < gtDensity ? 255 : 0));
      const curve = eMeasureCurve(thresholdSweep(preparePair({ width: w, height: h, data: pred }, { width: w, height: h, data: gt })));
      const g = Array.from(gt, (v) => (v > 128 ? 1 : 0));
      for (let k = 0; k < 256; k++) {
        const t = (255 - k) / 255;
        const b = Array.from(pred, (v) => (v / 255 >= t ? 1 : 0));
        expect(curve[k], `trial ${trial} ${w}x${h} k ${k}`).to.be.closeTo(eMeasurePerPixel(b, g), 1e-12);
      }
    }
  });
});
