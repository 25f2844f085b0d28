// The pure parts of the HTML report (src/report): base64, the box filter, the histogram, the choice of
// images and the page itself.
import { expect } from 'chai';
import { decodeImage } from '../src/io/image.js';
import type { ImageScores } from '../src/metrics/evaluate.js';
import { datasetSummary } from '../src/metrics/summary.js';
import { renderEvalReport, type ReportImage } from '../src/report/eval-report.js';
import { histogramCounts, histogramSvg } from '../src/report/histogram.js';
import { escapeHtml } from '../src/report/html.js';
import { base64, embedGray, embedRgba } from '../src/report/png-data-uri.js';
import { worstAndBest } from '../src/report/select.js';
import { binaryGt, boxResize, thumbnailSize } from '../src/report/thumbnail.js';
import { rng } from './support/random.js';

const scores = (name: string, meanDice: number): ImageScores => ({ name, meanDice, meanIoU: meanDice / 2, wFm: 0, Sm: 0, meanEm: 0, MAE: 0, dice05: meanDice });

describe('report: building blocks', () => {
  it("base64 matches Node's Buffer encoding for every padding case", () => {
    const r = rng(11);
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      expect(base64(bytes), `length ${n}`).to.equal(Buffer.from(bytes).toString('base64'));
    }
  });

  it('boxResize averages each source box (worked by hand), rounds, and keeps channels apart', () => {
    // 4x2 gray -> 2x1: each output pixel is the mean of a 2x2 box.
    expect([...boxResize(Uint8Array.of(0, 10, 20, 30, 40, 50, 61, 70), 4, 2, 1, 2, 1)]).to.deep.equal([25, 45]); // (0+10+40+50)/4, (20+30+61+70)/4 = 45.25
    // 3 -> 2: boxes [0,1) and [1,3).
    expect([...boxResize(Uint8Array.of(9, 1, 4), 3, 1, 1, 2, 1)]).to.deep.equal([9, 3]); // 2.5 rounds up
    const rgba = Uint8Array.of(255, 0, 0, 255, 0, 0, 255, 255);
    expect([...boxResize(rgba, 2, 1, 4, 1, 1)]).to.deep.equal([128, 0, 128, 255]);
  });

  it('boxResize keeps a same-size image and enlarges by repeating the nearest pixel', () => {
    const img = Uint8Array.of(1, 2, 3, 4, 5, 6);
    expect([...boxResize(img, 3, 2, 1, 3, 2)]).to.deep.equal([...img]);
    expect([...boxResize(Uint8Array.of(7, 9), 2, 1, 1, 4, 2)]).to.deep.equal([7, 7, 9, 9, 7, 7, 9, 9]);
    expect(() => boxResize(img, 4, 2, 1, 2, 1)).to.throw('expected 4x2x1 = 8 bytes, got 6');
  });

  it('boxResize equals the mean of k x k blocks for integer factors (random data)', () => {
    const r = rng(3);
    const [w, h, k] = [12, 9, 3];
    const data = Uint8Array.from({ length: w * h }, () => Math.floor(r() * 256));
    const out = boxResize(data, w, h, 1, w / k, h / k);
    for (let oy = 0; oy < h / k; oy++) {
      for (let ox = 0; ox < w / k; ox++) {
        let sum = 0;
        for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) sum += data[(oy * k + y) * w + ox * k + x]!;
        expect(out[oy * (w / k) + ox]).to.equal(Math.round(sum / (k * k)));
      }
    }
  });

  it('thumbnails are 200 px wide with the aspect ratio kept; the GT thumbnail is binary at > 128', () => {
    expect(thumbnailSize(626, 546)).to.deep.equal({ width: 200, height: 174 });
    expect(thumbnailSize(100, 1)).to.deep.equal({ width: 200, height: 2 });
    expect([...binaryGt({ width: 4, height: 1, data: Uint8Array.of(0, 128, 129, 255) }).data]).to.deep.equal([0, 0, 255, 255]);
  });

  it('embedded pictures decode back to the same pixels', () => {
    const gray = { width: 3, height: 2, data: Uint8Array.of(0, 50, 100, 150, 200, 250) };
    const g = embedGray(gray);
    expect(g.src.startsWith('data:image/png;base64,')).to.equal(true);
    const back = decodeImage(new Uint8Array(Buffer.from(g.src.split(',')[1]!, 'base64')), 'gray');
    expect([...back.data].filter((_, i) => i % 4 === 0)).to.deep.equal([...gray.data]);
    const rgba = { width: 1, height: 2, data: Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 255) };
    const c = decodeImage(new Uint8Array(Buffer.from(embedRgba(rgba).src.split(',')[1]!, 'base64')), 'rgba');
    expect([...c.data]).to.deep.equal([...rgba.data]);
  });

  it('histogramCounts bins [k/n, (k+1)/n) with 1 in the last bin, and refuses values outside [0, 1]', () => {
    expect(histogramCounts([0, 0.05, 0.0499, 0.5, 0.999, 1], 20)).to.deep.equal([2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(() => histogramCounts([0.5, NaN], 4)).to.throw('value NaN is outside [0, 1]');
    expect(() => histogramCounts([1.5], 4)).to.throw('outside');
  });

  it('histogramSvg draws one bar per bin carrying its count, and escapes its labels', () => {
    const svg = histogramSvg([0.1, 0.12, 0.9], { bins: 5, label: 'Dice <per image>', marker: { value: 0.5, label: 'mean & more' } });
    expect([...svg.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]))).to.deep.equal([2, 0, 0, 0, 1]);
    expect(svg).to.include('Dice &lt;per image&gt;').and.include('mean &amp; more');
    expect(svg).to.not.include('http');
  });

  it('worstAndBest: lowest first, highest first, never the same image twice, ties by name', () => {
    const all = [0.5, 0.9, 0.1, 0.7, 0.3, 0.8, 0.2, 0.6, 0.4, 1.0, 0.05, 0.95, 0.55, 0.5].map((d, i) => scores(`i${String(i).padStart(2, '0')}`, d));
    const { worst, best } = worstAndBest(all);
    expect(worst.map((s) => s.meanDice)).to.deep.equal([0.05, 0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(worst[5]!.name).to.equal('i00'); // 0.5 twice: i00 before i13
    expect(best.map((s) => s.meanDice)).to.deep.equal([1.0, 0.95, 0.9, 0.8, 0.7, 0.6]);
    const few = worstAndBest(all.slice(0, 3));
    expect(few.worst.map((s) => s.name)).to.deep.equal(['i02', 'i00']);
    expect(few.best.map((s) => s.name)).to.deep.equal(['i01']);
  });

  it('escapeHtml escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('report: the page', () => {
  const images = [scores('low', 0.2), scores('mid<script>', 0.6), scores('high', 0.95)];
  const picture = embedGray({ width: 2, height: 1, data: Uint8Array.of(0, 255) });
  const item = (s: ImageScores): ReportImage => ({ scores: s, prediction: picture, predictionCaption: 'prediction map', gt: picture });
  const metrics = { n: 3, mDice: 0.58333, mIoU: 0.29, wFm: 0.123456, Sm: 0.5, maxEm: 0.7, meanEm: 0.6, MAE: 0.0303, maxDice: 0.61, images };
  const html = renderEvalReport({
    title: 'Test & report',
    summary: datasetSummary(metrics),
    images,
    worst: [item(images[0]!), item(images[1]!)],
    best: [item(images[2]!)],
    sources: [['predictions', '/maps']],
    notes: ['maps were <resized>'],
  });

  it('holds every metric value, the histogram, the thumbnails and the notes, all escaped', () => {
    for (const v of ['0.5833', '0.2900', '0.1235', '0.5000', '0.7000', '0.6000', '0.0303', '0.6100']) expect(html).to.include(`<td class="value">${v}</td>`);
    expect(html).to.match(/<svg class="histogram"/);
    expect(html.match(/<figure class="thumb">/g)).to.have.length(3);
    expect(html).to.include('Test &amp; report').and.include('mid&lt;script&gt;').and.include('maps were &lt;resized&gt;');
    expect(html).to.not.match(/<script/i);
  });

  it('is self-contained: no http(s) reference, no external stylesheet, images as data: URIs', () => {
    expect(html).to.not.match(/https?:/i);
    expect(html).to.not.match(/<link\b/i);
    for (const m of html.matchAll(/\bsrc="([^"]*)"/g)) expect(m[1]).to.match(/^data:image\/png;base64,/);
  });
});
