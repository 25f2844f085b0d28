// Overlay pixels on a hand-made mask: tint inside, contour on the boundary, outside untouched.
import { expect } from 'chai';
import { drawOverlay } from '../src/io/overlay.js';

describe('io: drawOverlay', () => {
  // 6x5 image, pixel (x, y) = (10x, 20y, 100) with alpha 7. The mask is a 4x3 block at x 1..4, y 1..3,
  // plus (5, 0) = 127 (just below the 0.5 threshold) and (0, 4) = 128 (just above).
  const w = 6;
  const h = 5;
  const img = { width: w, height: h, data: new Uint8Array(w * h * 4) };
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      img.data.set([10 * x, 20 * y, 100, 7], 4 * (y * w + x));
      if (x >= 1 && x <= 4 && y >= 1 && y <= 3) mask[y * w + x] = 255;
    }
  }
  mask[0 * w + 5] = 127;
  mask[4 * w + 0] = 128;
  const out = drawOverlay(img, mask);
  const px = (x: number, y: number): number[] => Array.from(out.data.subarray(4 * (y * w + x), 4 * (y * w + x) + 4));
  const YELLOW = [255, 255, 0, 255];

  it('reads a float map as probabilities: the same overlay as the 8-bit map / 255', () => {
    const probability = Float32Array.from(mask, (v) => v / 255);
    expect(Array.from(drawOverlay(img, probability).data)).to.deep.equal(Array.from(out.data));
    expect(Array.from(drawOverlay(img, probability, 0.9).data)).to.not.deep.equal(Array.from(out.data));
  });

  it('tints interior pixels 40% towards green, opaque', () => {
    // 0.6 * (20, 40, 100) + 0.4 * (0, 255, 0) = (12, 126, 60); likewise (30, 40, 100) -> (18, 126, 60).
    expect(px(2, 2)).to.deep.equal([12, 126, 60, 255]);
    expect(px(3, 2)).to.deep.equal([18, 126, 60, 255]);
  });

  it('draws the contour on every region pixel with a 4-neighbour outside the region', () => {
    for (let x = 1; x <= 4; x++) {
      expect(px(x, 1), `(${x}, 1)`).to.deep.equal(YELLOW);
      expect(px(x, 3), `(${x}, 3)`).to.deep.equal(YELLOW);
    }
    expect(px(1, 2)).to.deep.equal(YELLOW);
    expect(px(4, 2)).to.deep.equal(YELLOW);
    expect(px(0, 4), 'the single pixel at 128 is inside, and all edge').to.deep.equal(YELLOW);
  });

  it('leaves pixels outside the region untouched except for opacity (127 is outside at threshold 0.5)', () => {
    expect(px(5, 0)).to.deep.equal([50, 0, 100, 255]);
    expect(px(0, 0)).to.deep.equal([0, 0, 100, 255]);
    expect(px(5, 4)).to.deep.equal([50, 80, 100, 255]);
    expect(px(0, 2)).to.deep.equal([0, 40, 100, 255]);
    expect(Array.from(img.data.subarray(0, 4)), 'the input is not modified').to.deep.equal([0, 0, 100, 7]);
  });

  it('the image border is not a boundary: a full mask is all tint, no contour; threshold and style apply', () => {
    const full = drawOverlay({ width: 2, height: 2, data: new Uint8Array(16).fill(100) }, new Uint8Array(4).fill(200));
    expect(Array.from(full.data.subarray(0, 4))).to.deep.equal([60, 162, 60, 255]);
    const styled = drawOverlay({ width: 2, height: 1, data: new Uint8Array([100, 100, 100, 255, 0, 0, 0, 255]) }, new Uint8Array([200, 100]), 0.3, {
      tint: [255, 0, 0],
      tintAlpha: 0.5,
      contour: [0, 0, 255],
    });
    // 100/255 = 0.39 >= 0.3: both pixels are inside, and neither has an outside neighbour.
    expect(Array.from(styled.data)).to.deep.equal([178, 50, 50, 255, 128, 0, 0, 255]);
  });

  it('rejects a mask of the wrong size', () => {
    expect(() => drawOverlay(img, new Uint8Array(29))).to.throw(/map has 29 values, expected 6x5 = 30/);
  });
});
