// Weighted F-measure (original_WFb.m, beta^2 = 1): the EDT against brute force, the 7x7 filter against a
// direct 2-D correlation, and the whole measure on cases worked by hand.
import { expect } from 'chai';
import { euclideanDistanceTransform } from '../src/metrics/edt.js';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { preparePair } from '../src/metrics/prepare.js';
import { filterZeroPadded, gaussian7Sigma5, weightedFMeasure } from '../src/metrics/weighted-f.js';
import { rng } from './support/random.js';

function gray(rows: number[][]): GrayMap {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

// 1-D Gaussian factor by hand: g_d = exp(-d^2/50)/S with S = 1 + 2(e^-1/50 + e^-4/50 + e^-9/50).
const S = 1 + 2 * (Math.exp(-1 / 50) + Math.exp(-4 / 50) + Math.exp(-9 / 50));
const g0 = 1 / S;
const g1 = Math.exp(-1 / 50) / S;
const g2 = Math.exp(-4 / 50) / S;
const g3 = Math.exp(-9 / 50) / S;

describe('metrics: exact EDT', () => {
  it('matches a brute-force nearest-foreground search, distances and tie-broken indices', () => {
    const r = rng(20240611);
    let ties = 0;
    for (let trial = 0; trial < 300; trial++) {
      const w = 1 + Math.floor(r() * 17);
      const h = 1 + Math.floor(r() * 17);
      const density = [0.01, 0.05, 0.2, 0.5, 0.9][trial % 5]!;
      const mask = new Uint8Array(w * h).map(() => (r() < density ? 1 : 0));
      mask[Math.floor(r() * w * h)] = 1;
      const fg: number[] = [];
      mask.forEach((v, i) => v && fg.push(i));
      const { sqDist, nearest } = euclideanDistanceTransform(mask, w, h);
      for (let i = 0; i < w * h; i++) {
        const [r0, c0] = [Math.floor(i / w), i % w];
        // Tie rule: smallest column, then smallest row (smallest MATLAB column-major index).
        let best = Infinity;
        let bestCol = 0;
        let bestRow = 0;
        let count = 0;
        for (const f of fg) {
          const [r1, c1] = [Math.floor(f / w), f % w];
          const d = (r1 - r0) ** 2 + (c1 - c0) ** 2;
          if (d < best || (d === best && (c1 < bestCol || (c1 === bestCol && r1 < bestRow)))) {
            if (d < best) count = 0;
            best = d;
            bestCol = c1;
            bestRow = r1;
          }
          if (d === best) count++;
        }
        if (count > 1) ties++;
        expect(sqDist[i], `trial ${trial} ${w}x${h} pixel ${i} distance`).to.equal(best);
        expect(nearest[i], `trial ${trial} ${w}x${h} pixel ${i} nearest`).to.equal(bestRow * w + bestCol);
      }
    }
    expect(ties, 'the random masks must exercise ties').to.be.greaterThan(1000);
  });

  it('rejects a mask without foreground', () => {
    expect(() => euclideanDistanceTransform(new Uint8Array(6), 3, 2)).to.throw(/3x2 mask has no foreground/);
  });
});

describe('metrics: 7x7 sigma-5 Gaussian, zero padded', () => {
  it('has the hand-worked 1-D factor', () => {
    const k = gaussian7Sigma5();
    expect(Array.from(k)).to.have.length(7);
    [g3, g2, g1, g0, g1, g2, g3].forEach((v, i) => expect(k[i], `k[${i}]`).to.be.closeTo(v, 1e-16));
  });

  it('equals a direct 2-D correlation with exp(-(x^2+y^2)/50)/sum and zero padding', () => {
    const r = rng(3);
    const k2: number[] = [];
    for (let y = -3; y <= 3; y++) for (let x = -3; x <= 3; x++) k2.push(Math.exp(-(x * x + y * y) / 50));
    const sum = k2.reduce((a, b) => a + b, 0);
    for (const [w, h] of [
      [1, 1],
      [5, 3],
      [11, 9],
      [2, 13],
    ] as const) {
      const src = new Float64Array(w * h).map(() => r());
      const got = filterZeroPadded(src, w, h, gaussian7Sigma5());
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let want = 0;
          for (let dy = -3; dy <= 3; dy++) {
            for (let dx = -3; dx <= 3; dx++) {
              const [yy, xx] = [y + dy, x + dx];
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) want += (k2[(dy + 3) * 7 + dx + 3]! / sum) * src[yy * w + xx]!;
            }
          }
          expect(got[y * w + x], `${w}x${h} at ${x},${y}`).to.be.closeTo(want, 1e-15);
        }
      }
    }
  });
});

describe('metrics: weighted F-measure', () => {
  it('1x4 case by hand: nearest-foreground error, smoothing, importance weight', () => {
    // gray [255, 128, 128, 0] -> P = [1, 128/255, 128/255, 0]; G = [1, 1, 0, 0].
    // E = [0, e1, e2, 0] with e1 = 127/255 (foreground) and e2 = 128/255 (background).
    // EDT: px2 -> px1 (D 1), px3 -> px1 (D 2), so Et = [0, e1, E(px1) = e1, E(px1) = e1].
    // With one row only the kernel's middle row (g0 * g_d) acts:
    //   EA(px1) = g0 (g1*0 + g0*e1 + g1*e1 + g2*e1) < e1, so on px1 MIN = EA(px1); px0: E = 0 stays.
    // Background: px2 has E e2 and B = 2 - 0.5^(1/5); px3 has E 0.
    const e1 = 127 / 255;
    const e2 = 128 / 255;
    const fgSum = g0 * e1 * (g0 + g1 + g2);
    const bgSum = e2 * (2 - 0.5 ** (1 / 5));
    const R = 1 - fgSum / 2;
    const tpw = 2 - fgSum;
    const Pw = tpw / (tpw + bgSum);
    const want = (2 * R * Pw) / (R + Pw);
    const got = weightedFMeasure(preparePair(gray([[255, 128, 128, 0]]), gray([[255, 255, 0, 0]])));
    expect(got).to.be.closeTo(want, 1e-14);
  });

  it('1x5 case by hand: far false positive weighted by its distance', () => {
    // P = [1, 0, 0, 0, 1], G = [1, 0, 0, 0, 0]: E = [0, 0, 0, 0, 1]; every pixel's nearest
    // foreground is px0 with E 0, so Et = 0, EA = 0 and the foreground error stays 0: R = 1, TPw = 1.
    // px4: D = 4, B = 2 - 0.5^(4/5): FPw = B. P = 1/(1 + FPw), Q = 2P/(1 + P).
    const fpw = 2 - 0.5 ** (4 / 5);
    const Pw = 1 / (1 + fpw);
    const got = weightedFMeasure(preparePair(gray([[255, 0, 0, 0, 255]]), gray([[255, 0, 0, 0, 0]])));
    expect(got).to.be.closeTo((2 * Pw) / (1 + Pw), 1e-14);
  });

  it('all-foreground GT: only the smoothing acts', () => {
    // 1x1, constant gray 51 -> P = 0.2 (left as is), G = 1: E = 0.8, EA = g0^2 * 0.8 < E.
    // R = 1 - EA, TPw = 1 - EA, FPw = 0 -> P ~ 1, Q = 2R/(R + 1).
    const ea = g0 * g0 * 0.8;
    const R = 1 - ea;
    expect(weightedFMeasure(preparePair(gray([[51]]), gray([[255]])))).to.be.closeTo((2 * R) / (R + 1), 1e-14);
  });

  it('all-background GT scores 0 (MATLAB would give NaN)', () => {
    expect(
      weightedFMeasure(
        preparePair(
          gray([
            [255, 0],
            [0, 0],
          ]),
          gray([
            [0, 0],
            [0, 0],
          ]),
        ),
      ),
    ).to.equal(0);
  });

  it('perfect prediction scores about 1', () => {
    // E = 0 everywhere: R = 1, FPw = 0, P = |G|/(|G| + eps).
    const g = [
      [0, 0, 0, 0],
      [0, 255, 255, 0],
      [0, 255, 0, 0],
    ];
    expect(weightedFMeasure(preparePair(gray(g), gray(g)))).to.be.closeTo(1, 1e-12);
  });
});
