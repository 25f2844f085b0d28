// Input preparation, the 256-threshold sweep, Dice/IoU curves, Dice at 0.5 and MAE on hand-worked maps.
import { expect } from 'chai';
import { diceAtHalf, diceCurve, iouCurve } from '../src/metrics/dice-iou.js';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { meanAbsoluteError } from '../src/metrics/mae.js';
import { preparePair } from '../src/metrics/prepare.js';
import { thresholdSweep } from '../src/metrics/threshold-sweep.js';

function gray(rows: number[][]): GrayMap {
  return { width: rows[0]!.length, height: rows.length, data: Uint8Array.from(rows.flat()) };
}

/** Expands [[value, count], ...] into a 256-long curve (index k = threshold (255-k)/255). */
function runs(parts: [number, number][]): number[] {
  const out = parts.flatMap(([v, c]) => new Array<number>(c).fill(v));
  expect(out.length, 'hand curve length').to.equal(256);
  return out;
}

function expectCurve(got: Float64Array, want: number[], what: string): void {
  for (let k = 0; k < 256; k++) expect(got[k], `${what}[${k}]`).to.be.closeTo(want[k]!, 1e-15);
}

const mean = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('metrics: input preparation', () => {
  it('binarises GT at gray > 128 strictly and keeps a 0..255 map as gray/255', () => {
    const p = preparePair(
      gray([
        [255, 128],
        [64, 0],
      ]),
      gray([
        [200, 129],
        [128, 0],
      ]),
    );
    expect(Array.from(p.gt)).to.deep.equal([1, 1, 0, 0]);
    expect(p.gtCount).to.equal(2);
    expect(Array.from(p.pred)).to.deep.equal([1, 128 / 255, 64 / 255, 0]);
  });

  it('min-max normalises a map that does not span 0..255', () => {
    // min 10, max 110: P = (g - 10)/100.
    const p = preparePair(
      gray([
        [10, 60],
        [110, 35],
      ]),
      gray([
        [0, 0],
        [0, 0],
      ]),
    );
    expect(Array.from(p.pred)).to.deep.equal([0, 0.5, 1, 0.25]);
  });

  it('leaves a constant map as gray/255', () => {
    const p = preparePair(
      gray([
        [100, 100],
        [100, 100],
      ]),
      gray([
        [255, 0],
        [0, 0],
      ]),
    );
    expect(Array.from(p.pred)).to.deep.equal([100 / 255, 100 / 255, 100 / 255, 100 / 255]);
  });

  it('rejects a size mismatch, naming both sizes', () => {
    const map = gray([
      [1, 2, 3],
      [4, 5, 6],
    ]); // 3x2
    const gt = gray([
      [1, 2],
      [3, 4],
      [5, 6],
    ]); // 2x3
    expect(() => preparePair(map, gt, 'cju0x')).to.throw(/cju0x.*3x2.*2x3/);
  });

  it('rejects data whose length does not match the size', () => {
    expect(() =>
      preparePair(
        { width: 2, height: 2, data: new Uint8Array(3) },
        gray([
          [0, 0],
          [0, 0],
        ]),
        'bad',
      ),
    ).to.throw(/bad: prediction map.*2\*2 = 4.*length 3/);
  });
});

describe('metrics: threshold sweep, Dice and IoU', () => {
  it('Dice/IoU curves of a 0..255 map, by hand', () => {
    // P = [1, 128/255; 64/255, 0], G = [1, 1; 0, 0], |G| = 2. Threshold k is t = (255-k)/255,
    // B_k = {gray >= 255-k}:
    //   k 0..126   B = {p0}         TP 1 |B| 1  Dice 2/(2+1) = 2/3  IoU 1/(2+1-1) = 1/2
    //   k 127..190 B = {p0,p1}      TP 2 |B| 2  Dice 1              IoU 1
    //   k 191..254 B = {p0,p1,p2}   TP 2 |B| 3  Dice 4/5            IoU 2/3
    //   k 255      B = all          TP 2 |B| 4  Dice 2/3            IoU 1/2
    const p = preparePair(
      gray([
        [255, 128],
        [64, 0],
      ]),
      gray([
        [200, 129],
        [128, 0],
      ]),
    );
    const s = thresholdSweep(p);
    const dice = diceCurve(s);
    const iou = iouCurve(s);
    expectCurve(
      dice,
      runs([
        [2 / 3, 127],
        [1, 64],
        [4 / 5, 64],
        [2 / 3, 1],
      ]),
      'dice',
    );
    expectCurve(
      iou,
      runs([
        [1 / 2, 127],
        [1, 64],
        [2 / 3, 64],
        [1 / 2, 1],
      ]),
      'iou',
    );
    // Means: (128*2/3 + 64 + 64*4/5)/256 = 1/3 + 1/4 + 1/5 = 47/60; IoU: 1/4 + 1/4 + 1/6 = 2/3.
    expect(mean(dice)).to.be.closeTo(47 / 60, 1e-12); // 256-term float sum
    expect(mean(iou)).to.be.closeTo(2 / 3, 1e-12); // 256-term float sum
    // P >= 0.5 holds for gray >= 128: B = {p0, p1} = G.
    expect(diceAtHalf(p)).to.equal(1);
    // MAE = (0 + 127/255 + 64/255 + 0)/4 = 191/1020.
    expect(meanAbsoluteError(p)).to.be.closeTo(191 / 1020, 1e-15);
  });

  it('compares a normalised P = 0.5 exactly against n/255 (integer rule)', () => {
    // gray [10, 60; 110, 10] -> P = [0, 0.5; 1, 0]; G = [0, 1; 1, 0].
    // P = 0.5 >= n/255 iff n <= 127.5, so p1 joins B at n = 127, i.e. k = 128:
    //   k 0..127   B = {p2}      Dice 2/3
    //   k 128..254 B = {p1,p2}   Dice 1
    //   k 255      B = all       Dice 2*2/(2+4) = 2/3
    const p = preparePair(
      gray([
        [10, 60],
        [110, 10],
      ]),
      gray([
        [0, 255],
        [255, 0],
      ]),
    );
    const dice = diceCurve(thresholdSweep(p));
    expectCurve(
      dice,
      runs([
        [2 / 3, 128],
        [1, 127],
        [2 / 3, 1],
      ]),
      'dice',
    );
    expect(mean(dice)).to.be.closeTo((129 * (2 / 3) + 127) / 256, 1e-12); // 256-term float sum
    expect(diceAtHalf(p)).to.equal(1); // 0.5 >= 0.5
    // MAE = (0 + 0.5 + 0 + 0)/4.
    expect(meanAbsoluteError(p)).to.equal(0.125);
  });

  it('constant map: P = 100/255 everywhere, TP = 0 gives 0', () => {
    // G = [1,0;0,0]. Every pixel has level 100, so B_k = all for 255-k <= 100 (k >= 155), else empty.
    //   k < 155: TP 0 -> Dice 0, IoU 0;  k >= 155: Dice 2/(1+4) = 2/5, IoU 1/4.
    const p = preparePair(
      gray([
        [100, 100],
        [100, 100],
      ]),
      gray([
        [255, 0],
        [0, 0],
      ]),
    );
    const s = thresholdSweep(p);
    expectCurve(
      diceCurve(s),
      runs([
        [0, 155],
        [2 / 5, 101],
      ]),
      'dice',
    );
    expectCurve(
      iouCurve(s),
      runs([
        [0, 155],
        [1 / 4, 101],
      ]),
      'iou',
    );
    expect(diceAtHalf(p)).to.equal(0); // 100/255 < 0.5: B empty, TP 0
    // MAE = (155/255 + 3*100/255)/4 = 455/1020.
    expect(meanAbsoluteError(p)).to.be.closeTo(455 / 1020, 1e-15);
  });

  it('empty prediction (all-zero map): only threshold 0 selects pixels', () => {
    // G = [0,1;1,1]: k < 255 B empty, TP 0 -> 0; k = 255 B = all, Dice 2*3/(3+4) = 6/7, IoU 3/4.
    const p = preparePair(
      gray([
        [0, 0],
        [0, 0],
      ]),
      gray([
        [0, 255],
        [255, 255],
      ]),
    );
    const s = thresholdSweep(p);
    expect(Array.from(s.predCount.slice(0, 255)).every((c) => c === 0)).to.equal(true);
    expectCurve(
      diceCurve(s),
      runs([
        [0, 255],
        [6 / 7, 1],
      ]),
      'dice',
    );
    expectCurve(
      iouCurve(s),
      runs([
        [0, 255],
        [3 / 4, 1],
      ]),
      'iou',
    );
    expect(meanAbsoluteError(p)).to.equal(0.75);
  });

  it('all-background GT: TP = 0 at every threshold, so Dice and IoU are 0 even where B is empty too', () => {
    const p = preparePair(
      gray([
        [255, 0],
        [30, 0],
      ]),
      gray([
        [0, 0],
        [0, 0],
      ]),
    );
    const s = thresholdSweep(p);
    expect(Array.from(diceCurve(s)).every((v) => v === 0)).to.equal(true);
    expect(Array.from(iouCurve(s)).every((v) => v === 0)).to.equal(true);
    expect(diceAtHalf(p)).to.equal(0);
    // MAE = (1 + 30/255)/4.
    expect(meanAbsoluteError(p)).to.be.closeTo((1 + 30 / 255) / 4, 1e-15);
    // All-zero map: B and G are both empty for k < 255 (0/0 without the TP = 0 rule); still 0.
    const empty = thresholdSweep(
      preparePair(
        gray([
          [0, 0],
          [0, 0],
        ]),
        gray([
          [0, 0],
          [0, 0],
        ]),
      ),
    );
    expect(Array.from(diceCurve(empty))).to.deep.equal(new Array(256).fill(0));
    expect(Array.from(iouCurve(empty))).to.deep.equal(new Array(256).fill(0));
  });

  it('all-foreground GT', () => {
    // P = [1, 0; 0, 0] (gray 255 and 0), G all 1:
    //   k < 255: B = {p0}: Dice 2/(4+1) = 2/5, IoU 1/4;  k = 255: B = all: Dice 1, IoU 1.
    const p = preparePair(
      gray([
        [255, 0],
        [0, 0],
      ]),
      gray([
        [255, 255],
        [255, 255],
      ]),
    );
    const s = thresholdSweep(p);
    expectCurve(
      diceCurve(s),
      runs([
        [2 / 5, 255],
        [1, 1],
      ]),
      'dice',
    );
    expectCurve(
      iouCurve(s),
      runs([
        [1 / 4, 255],
        [1, 1],
      ]),
      'iou',
    );
    expect(meanAbsoluteError(p)).to.equal(0.75);
  });
});
