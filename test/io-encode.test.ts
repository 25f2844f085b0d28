// PNG writing: PIL must read back exactly the pixels written, as grayscale (mode L) or RGBA.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { encodePng, encodePngRgba } from '../src/io/png-encode.js';
import { runOracle, skipWithoutPython } from './io-oracle.js';
import { int, rng } from './support/random.js';

interface PilRead {
  file: string;
  mode: string;
  width: number;
  height: number;
}

describe('io: PNG encoding', () => {
  const r = rng(11);
  // A gray map with every value (so no palette could hold it smaller) and a noisy RGBA overlay.
  const gray = { w: 257, h: 33, data: Uint8Array.from({ length: 257 * 33 }, (_, i) => (i % 257 === 256 ? int(r, 0, 255) : i % 256)) };
  const rgba = { w: 31, h: 17, data: Uint8Array.from({ length: 31 * 17 * 4 }, () => int(r, 0, 255)) };

  it('PIL reads encodePng as an 8-bit grayscale (mode L) PNG and encodePngRgba as RGBA, pixel for pixel', function () {
    skipWithoutPython(this);
    const dir = mkdtempSync(join(tmpdir(), 'pranet-io-encode-'));
    try {
      const g = join(dir, 'gray.png');
      const c = join(dir, 'rgba.png');
      writeFileSync(g, encodePng(gray.data, gray.w, gray.h));
      writeFileSync(c, encodePngRgba(rgba.data, rgba.w, rgba.h));
      const info = JSON.parse(runOracle(['pil-read', g, c])) as PilRead[];
      expect(info.map((i) => [i.mode, i.width, i.height])).to.deep.equal([
        ['L', gray.w, gray.h],
        ['RGBA', rgba.w, rgba.h],
      ]);
      expect(Buffer.compare(readFileSync(`${g}.raw`), Buffer.from(gray.data))).to.equal(0);
      expect(Buffer.compare(readFileSync(`${c}.raw`), Buffer.from(rgba.data))).to.equal(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('decodeImage reads both back (gray expanded to RGB, alpha kept)', () => {
    const g = decodeImage(encodePng(gray.data, gray.w, gray.h), 'gray.png');
    expect([g.width, g.height]).to.deep.equal([gray.w, gray.h]);
    for (let i = 0; i < gray.data.length; i++) {
      const px = Array.from(g.data.subarray(4 * i, 4 * i + 4));
      if (px.join() !== [gray.data[i], gray.data[i], gray.data[i], 255].join()) expect.fail(`gray pixel ${i}: ${px.join(',')}`);
    }
    const c = decodeImage(encodePngRgba(rgba.data, rgba.w, rgba.h), 'rgba.png');
    expect(Buffer.compare(Buffer.from(c.data), Buffer.from(rgba.data))).to.equal(0);
  });

  it('rejects data that does not match the size', () => {
    expect(() => encodePng(new Uint8Array(5), 2, 2)).to.throw(/encodePng: expected 2x2x1 = 4 bytes, got 5/);
    expect(() => encodePngRgba(new Uint8Array(4), 2, 1)).to.throw(/encodePngRgba: expected 2x1x4 = 8 bytes, got 4/);
    expect(() => encodePng(new Uint8Array(0), 0, 0)).to.throw(/invalid size 0x0/);
  });
});
