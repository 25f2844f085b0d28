// `pranet eval` as a user runs it: the Kvasir reference values, pairing, outputs (table, JSON, CSV, HTML
// report), the --resize rule, bad inputs, and --images mode with a tiny random network.
import { expect } from 'chai';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, parse } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { encodePng, encodePngRgba } from '../src/io/png-encode.js';
import { evaluateImage } from '../src/metrics/evaluate.js';
import { rgbaFirstChannel, rgbaToGrayMatlab } from '../src/metrics/from-rgba.js';
import type { GrayMap } from '../src/metrics/gray-map.js';
import { resizeMapBilinear } from '../src/metrics/resize.js';
import { boxResize } from '../src/report/thumbnail.js';
import { KVASIR_TEST, PRANET_MAPS } from './support/paths.js';
import { rng } from './support/random.js';
import { requireSharedData } from './support/shared-data.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';
import { type CliRun, runPranet } from './support/cli.js';
import { encodePng16 } from './support/png16.js';

const MAPS = PRANET_MAPS;
const MASKS = join(KVASIR_TEST, 'masks');
const IMAGES = join(KVASIR_TEST, 'images');

// MATLAB rules on the released maps (docs/metrics.md, Reference values).
const REFERENCE = { mDice: 0.8944, mIoU: 0.8362, wFm: 0.8803, Sm: 0.9125, maxEm: 0.9443, MAE: 0.0303, meanEm: 0.9403, maxDice: 0.8995 };
const TOLERANCE = 0.0005;
const SUMMARY_KEYS = ['n', 'mDice', 'mIoU', 'wFm', 'Sm', 'maxEm', 'meanEm', 'MAE', 'maxDice'];
const CSV_HEADER = 'name,meanDice,meanIoU,wFm,Sm,meanEm,MAE,dice05';

interface Run extends CliRun {
  /** stderr without progress-bar lines and Dawn's limit warnings */
  errors: string[];
}

function pranet(args: string[]): Run {
  const r = runPranet(args);
  const errors = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^\[[=> ]*\] \d+\/\d+ images/.test(l));
  return { ...r, errors };
}

const stem = (file: string) => parse(file).name;
// Empty without the shared data: the suites that use these names then skip (or fail in CI) in their first hook.
const KVASIR_NAMES = existsSync(MAPS) ? readdirSync(MAPS).map(stem).sort() : [];

/** A first hook for the suites that read the Kvasir maps, masks or images. */
function requireKvasir(this: Mocha.Context): void {
  requireSharedData(this, MAPS, MASKS, IMAGES);
}

/** Copies the named maps, masks (and images) into fresh folders under `dir`. */
function subset(dir: string, names: readonly string[], with_: { images?: boolean } = {}): { maps: string; masks: string; images: string } {
  const out = { maps: join(dir, 'maps'), masks: join(dir, 'masks'), images: join(dir, 'images') };
  for (const d of Object.values(out)) mkdirSync(d, { recursive: true });
  for (const n of names) {
    copyFileSync(join(MAPS, `${n}.png`), join(out.maps, `${n}.png`));
    copyFileSync(join(MASKS, `${n}.jpg`), join(out.masks, `${n}.jpg`));
    if (with_.images) copyFileSync(join(IMAGES, `${n}.jpg`), join(out.images, `${n}.jpg`));
  }
  return out;
}

const readMap = (path: string): GrayMap => {
  const img = decodeImage(new Uint8Array(readFileSync(path)), path);
  return rgbaFirstChannel(img.data, img.width, img.height);
};
const readGt = (path: string): GrayMap => {
  const img = decodeImage(new Uint8Array(readFileSync(path)), path);
  return rgbaToGrayMatlab(img.data, img.width, img.height);
};

function parseCsv(text: string): { header: string; rows: Map<string, number[]> } {
  const [header, ...lines] = text.trimEnd().split('\n');
  const rows = new Map<string, number[]>();
  for (const line of lines) {
    const [name, ...values] = line.split(',');
    rows.set(name!, values.map(Number));
  }
  return { header: header!, rows };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('pranet eval', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'pranet-eval-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  describe('Kvasir reference (official PraNet maps, all 100 images)', () => {
    let summary: Record<string, unknown>;
    let run: Run;
    before(requireKvasir);
    before(function () {
      this.timeout(300_000);
      const json = join(tmp, 'kvasir.json');
      const started = performance.now();
      run = pranet(['eval', '--pred', MAPS, '--gt', MASKS, '--json', json]);
      console.log(`      pranet eval on Kvasir took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(run.status, run.stderr).to.equal(0);
      summary = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    });

    it('writes exactly the summary fields, all numbers, n = 100', () => {
      expect(Object.keys(summary).sort()).to.deep.equal([...SUMMARY_KEYS].sort());
      for (const k of SUMMARY_KEYS) expect(summary[k], k).to.be.a('number');
      expect(summary.n).to.equal(100);
    });

    for (const [key, value] of Object.entries(REFERENCE)) {
      it(`${key} = ${value} +- ${TOLERANCE}`, () => expect(summary[key]).to.be.closeTo(value, TOLERANCE));
    }

    it("prints the table with the paper's names and the values of the JSON (4 decimals)", () => {
      const labels: Record<string, string> = { wFm: 'wFm (F^w_beta)', Sm: 'Sm (S_alpha)' };
      for (const k of SUMMARY_KEYS.filter((k) => k !== 'n')) {
        const label = (labels[k] ?? k).replace(/[()^]/g, '\\$&');
        expect(run.stdout).to.match(new RegExp(`^${label} +${(summary[k] as number).toFixed(4)} `, 'm'));
      }
      expect(run.stdout).to.match(/^n +100 /m);
    });
  });

  describe('pairing, CSV, JSON and report on a subset', () => {
    // 14 images: enough for 6 worst + 6 best thumbnails with two left over.
    const names = KVASIR_NAMES.filter((_, i) => i % 7 === 3).slice(0, 14);
    let dirs: ReturnType<typeof subset>;
    before(requireKvasir);
    before(() => (dirs = subset(join(tmp, 'subset'), names, { images: true })));

    it('pairs .png maps with .jpg masks by base name; CSV rows match each pair scored directly', () => {
      const csv = join(tmp, 'subset.csv');
      const json = join(tmp, 'subset.json');
      const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--csv', csv, '--json', json]);
      expect(r.status, r.stderr).to.equal(0);
      const { header, rows } = parseCsv(readFileSync(csv, 'utf8'));
      expect(header).to.equal(CSV_HEADER);
      expect([...rows.keys()].sort()).to.deep.equal([...names].sort());
      for (const n of names.slice(0, 3)) {
        const s = evaluateImage({ name: n, pred: readMap(join(MAPS, `${n}.png`)), gt: readGt(join(MASKS, `${n}.jpg`)) }).scores;
        expect(rows.get(n)).to.deep.equal([s.meanDice, s.meanIoU, s.wFm, s.Sm, s.meanEm, s.MAE, s.dice05]);
      }
      // Per-image means give the dataset values (main.m's mDice is a mean of means; wFm, Sm, MAE are per-image means).
      const summary = JSON.parse(readFileSync(json, 'utf8')) as Record<string, number>;
      expect(summary.n).to.equal(names.length);
      const column = (i: number) => mean([...rows.values()].map((v) => v[i]!));
      expect(summary.mDice).to.be.closeTo(column(0), 1e-12);
      expect(summary.mIoU).to.be.closeTo(column(1), 1e-12);
      expect(summary.wFm).to.be.closeTo(column(2), 1e-12);
      expect(summary.Sm).to.be.closeTo(column(3), 1e-12);
      expect(summary.meanEm).to.be.closeTo(column(4), 1e-12);
      expect(summary.MAE).to.be.closeTo(column(5), 1e-12);
    });

    it('--report: one self-contained page with the table, the Dice histogram and 12 overlay thumbnails', () => {
      const out = join(tmp, 'report-out');
      mkdirSync(out);
      const report = join(out, 'report.html');
      const csv = join(tmp, 'report.csv');
      const json = join(tmp, 'report.json');
      const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--images', dirs.images, '--report', report, '--csv', csv, '--json', json]);
      expect(r.status, r.stderr).to.equal(0);
      expect(readdirSync(out)).to.deep.equal(['report.html']);
      const html = readFileSync(report, 'utf8');
      const summary = JSON.parse(readFileSync(json, 'utf8')) as Record<string, number>;
      const { rows } = parseCsv(readFileSync(csv, 'utf8'));

      expect(html).to.not.match(/https?:/i);
      expect(html).to.not.match(/<(link|script)\b/i);
      const sources = [...html.matchAll(/\bsrc="([^"]*)"/g)].map((m) => m[1]!);
      expect(sources).to.have.length(24);
      for (const s of sources) expect(s).to.match(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      for (const k of SUMMARY_KEYS.filter((k) => k !== 'n')) expect(html, k).to.include(`<td class="value">${summary[k]!.toFixed(4)}</td>`);

      // Histogram: 20 bins of per-image meanDice, binned here independently from the CSV.
      const expected = new Array<number>(20).fill(0);
      for (const v of rows.values()) expected[Math.min(19, Math.floor(v[0]! * 20))]!++;
      const bars = [...html.matchAll(/<rect class="bar"[^>]*data-count="(\d+)"/g)].map((m) => Number(m[1]));
      expect(bars).to.deep.equal(expected);

      // 6 worst and 6 best by meanDice, in that order, each an overlay beside its GT, 200 px wide.
      const figures = [...html.matchAll(/<figure class="thumb">(.*?)<\/figure>/g)].map((m) => m[1]!);
      expect(figures).to.have.length(12);
      const byDice = [...rows.entries()].sort((a, b) => a[1][0]! - b[1][0]!).map(([n]) => n);
      const shown = figures.map((f) => f.match(/<b>([^<]+)<\/b>/)![1]);
      expect(shown).to.deep.equal([...byDice.slice(0, 6), ...byDice.slice(-6).reverse()]);
      for (const f of figures) expect(f).to.include('image + prediction');
      const png = Buffer.from(sources[0]!.split(',')[1]!, 'base64');
      const thumb = decodeImage(new Uint8Array(png), 'thumbnail');
      expect(thumb.width).to.equal(200);
      expect(html.length).to.be.below(2_000_000);
    });

    it('--report without images shows the map beside the GT', () => {
      const report = join(tmp, 'maps-only.html');
      const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--report', report]);
      expect(r.status, r.stderr).to.equal(0);
      const html = readFileSync(report, 'utf8');
      const figures = [...html.matchAll(/<figure class="thumb">(.*?)<\/figure>/g)].map((m) => m[1]!);
      expect(figures).to.have.length(12);
      for (const f of figures) expect(f).to.include('prediction map').and.not.include('image + prediction');
    });
  });

  it('reads channel 1 of a colour map and binarises rgb2gray(GT) > 128, as main.m does', () => {
    // GT colours with their MATLAB rgb2gray value, worked by hand: red 76, green 150, gray 128 stays 128 (not > 128).
    const colours: [number[], boolean][] = [
      [[255, 0, 0], false],
      [[0, 255, 0], true],
      [[128, 128, 128], false],
      [[129, 129, 129], true],
      [[255, 255, 255], true],
      [[0, 0, 0], false],
    ];
    const [w, h] = [12, 10];
    const r = rng(21);
    const mapRgba = new Uint8Array(w * h * 4);
    const maskRgba = new Uint8Array(w * h * 4);
    const expectedGt = new Uint8Array(w * h);
    const channel1 = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) {
      const [rgb, fg] = colours[Math.floor(r() * colours.length)]!;
      maskRgba.set([...rgb, 255], 4 * i);
      expectedGt[i] = fg ? 255 : 0;
      channel1[i] = Math.floor(r() * 256);
      mapRgba.set([channel1[i]!, Math.floor(r() * 256), Math.floor(r() * 256), 255], 4 * i);
    }
    const dir = join(tmp, 'colour');
    for (const d of ['maps', 'masks']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'maps', 'c.png'), encodePngRgba(mapRgba, w, h));
    writeFileSync(join(dir, 'masks', 'c.png'), encodePngRgba(maskRgba, w, h));
    const csv = join(tmp, 'colour.csv');
    const run = pranet(['eval', '--pred', join(dir, 'maps'), '--gt', join(dir, 'masks'), '--csv', csv]);
    expect(run.status, run.stderr).to.equal(0);
    const s = evaluateImage({ name: 'c', pred: { width: w, height: h, data: channel1 }, gt: { width: w, height: h, data: expectedGt } }).scores;
    expect(parseCsv(readFileSync(csv, 'utf8')).rows.get('c')).to.deep.equal([s.meanDice, s.meanIoU, s.wFm, s.Sm, s.meanEm, s.MAE, s.dice05]);
  });

  it('16-bit maps and masks score as their 8-bit selves, whatever the colour type (scaled, as im2uint8; not clipped at 255)', () => {
    const [w, h] = [16, 12];
    const r = rng(5);
    const map = Uint8Array.from({ length: w * h }, () => Math.floor(256 * r()));
    const mask = Uint8Array.from({ length: w * h }, (_, i) => (i % w > 4 && i % w < 11 && i > 2 * w ? 255 : i % 7 === 0 ? 100 : 0));
    const wide = (a: Uint8Array, channels: 1 | 2 | 3) =>
      Uint16Array.from({ length: a.length * channels }, (_, i) => (channels === 2 && i % 2 === 1 ? 65535 : a[Math.floor(i / channels)]! * 257));
    const dir = join(tmp, 'sixteen');
    for (const d of ['maps', 'masks']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, 'maps', 'eight.png'), encodePng(map, w, h));
    writeFileSync(join(dir, 'masks', 'eight.png'), encodePng(mask, w, h));
    ([1, 2, 3] as const).forEach((channels) => {
      writeFileSync(join(dir, 'maps', `wide${channels}.png`), encodePng16(wide(map, channels), w, h, channels));
      writeFileSync(join(dir, 'masks', `wide${channels}.png`), encodePng16(wide(mask, channels), w, h, channels));
    });
    const run = pranet(['eval', '--pred', join(dir, 'maps'), '--gt', join(dir, 'masks'), '--csv', '-', '--quiet']);
    expect(run.status, run.stderr).to.equal(0);
    const rows = parseCsv(run.stdout).rows;
    for (const channels of [1, 2, 3]) expect(rows.get(`wide${channels}`), `${channels} channel(s)`).to.deep.equal(rows.get('eight'));
  });

  it('notes masks that are empty by the > 128 rule though not blank (0/1 labels), and one-pixel images (E-measure over eps)', () => {
    const dir = join(tmp, 'odd-masks');
    for (const d of ['maps', 'masks']) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(
      join(dir, 'maps', 'labels.png'),
      encodePng(
        Uint8Array.from({ length: 64 }, (_, i) => 4 * i),
        8,
        8,
      ),
    );
    writeFileSync(
      join(dir, 'masks', 'labels.png'),
      encodePng(
        Uint8Array.from({ length: 64 }, (_, i) => (i > 30 ? 1 : 0)),
        8,
        8,
      ),
    );
    writeFileSync(join(dir, 'maps', 'dot.png'), encodePng(Uint8Array.of(0), 1, 1));
    writeFileSync(join(dir, 'masks', 'dot.png'), encodePng(Uint8Array.of(255), 1, 1));
    const run = pranet(['eval', '--pred', join(dir, 'maps'), '--gt', join(dir, 'masks')]);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include("Note: 1 of 2 (labels) masks have pixels but none above 128, so by main.m's rule they hold no polyp");
    expect(run.stdout).to.include("Note: 1 of 2 (dot) images have one pixel: main.m's E-measure divides by eps there");
  });

  describe('unpaired files, size mismatch and --resize', () => {
    const names = KVASIR_NAMES.slice(0, 3);
    before(requireKvasir);

    it('maps and masks without a partner are one error naming how many and which, and nothing is written', () => {
      const dirs = subset(join(tmp, 'unpaired'), names);
      writeFileSync(join(dirs.maps, 'extra-map.png'), readFileSync(join(dirs.maps, `${names[0]}.png`)));
      for (let i = 0; i < 7; i++) writeFileSync(join(dirs.masks, `lonely${i}.jpg`), readFileSync(join(dirs.masks, `${names[0]}.jpg`)));
      const json = join(tmp, 'unpaired.json');
      const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--json', json]);
      expect(r.status).to.equal(1);
      expect(r.errors, r.stderr).to.have.length(1);
      expect(r.errors[0]).to.match(/^pranet eval: /);
      expect(r.errors[0]).to.include(`no mask in ${dirs.masks} for 1 map: extra-map.png`);
      expect(r.errors[0]).to.include(`no map in ${dirs.maps} for 7 masks: lonely0.jpg, lonely1.jpg, lonely2.jpg, lonely3.jpg, lonely4.jpg, ... and 2 more`);
      expect(existsSync(json)).to.equal(false);
    });

    describe("a map at half its mask's size", () => {
      let dirs: ReturnType<typeof subset>;
      let mask: GrayMap;
      let small: GrayMap;
      before(() => {
        dirs = subset(join(tmp, 'sizes'), names);
        const full = readMap(join(MAPS, `${names[1]}.png`));
        mask = readGt(join(MASKS, `${names[1]}.jpg`));
        small = { width: full.width >> 1, height: full.height >> 1, data: new Uint8Array() };
        small.data = boxResize(full.data, full.width, full.height, 1, small.width, small.height);
        writeFileSync(join(dirs.maps, `${names[1]}.png`), encodePng(small.data, small.width, small.height));
      });

      it('is an error naming both files and sizes, with no output', () => {
        const json = join(tmp, 'sizes.json');
        const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--json', json]);
        expect(r.status).to.equal(1);
        expect(r.errors, r.stderr).to.have.length(1);
        expect(r.errors[0]).to.include(`${names[1]}.png is ${small.width}x${small.height} but its mask`);
        expect(r.errors[0]).to.include(`${names[1]}.jpg is ${mask.width}x${mask.height}`);
        expect(r.errors[0]).to.include('--resize');
        expect(existsSync(json)).to.equal(false);
      });

      it('with --resize is resized bilinearly to the mask size, said in the output and the JSON', () => {
        const json = join(tmp, 'resized.json');
        const csv = join(tmp, 'resized.csv');
        const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--resize', '--json', json, '--csv', csv]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/1 of 3 maps differ in size from their masks/);
        expect(r.stdout)
          .to.match(/bilinear/)
          .and.match(/bicubic/);
        const summary = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
        expect(Object.keys(summary).sort()).to.deep.equal([...SUMMARY_KEYS, 'resized'].sort());
        expect(summary.resized).to.equal(true);
        const row = parseCsv(readFileSync(csv, 'utf8')).rows.get(names[1]!)!;
        const resized = { width: mask.width, height: mask.height, data: resizeMapBilinear(small.data, small.width, small.height, mask.width, mask.height) };
        const s = evaluateImage({ name: names[1]!, pred: resized, gt: mask }).scores;
        expect(row).to.deep.equal([s.meanDice, s.meanIoU, s.wFm, s.Sm, s.meanEm, s.MAE, s.dice05]);
        // Halving and restoring a map moves its scores only a little.
        const original = evaluateImage({ name: names[1]!, pred: readMap(join(MAPS, `${names[1]}.png`)), gt: mask }).scores;
        expect(row[0]).to.be.closeTo(original.meanDice, 0.02);
      });

      it('--resize on maps that already fit records resized: false', () => {
        const fit = subset(join(tmp, 'fit'), names);
        const json = join(tmp, 'fit.json');
        const r = pranet(['eval', '--pred', fit.maps, '--gt', fit.masks, '--resize', '--json', json]);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.not.match(/differ in size/);
        expect((JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>).resized).to.equal(false);
      });
    });
  });

  describe('bad inputs: one-line error naming the file, exit 1, no output file', () => {
    const names = KVASIR_NAMES.slice(0, 2);

    it('a missing folder', () => {
      const json = join(tmp, 'missing.json');
      const gone = join(tmp, 'no-such-dir');
      const r = pranet(['eval', '--pred', gone, '--gt', MASKS, '--json', json]);
      expect(r.status).to.equal(1);
      expect(r.errors, r.stderr).to.have.length(1);
      expect(r.errors[0]).to.include(gone).and.include('no such folder');
      expect(existsSync(json)).to.equal(false);
    });

    it('an unreadable PNG map', function () {
      requireKvasir.call(this);
      const dirs = subset(join(tmp, 'broken'), names);
      const broken = join(dirs.maps, `${names[1]}.png`);
      writeFileSync(broken, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13));
      const outs = ['broken.json', 'broken.csv', 'broken.html'].map((f) => join(tmp, f));
      const r = pranet(['eval', '--pred', dirs.maps, '--gt', dirs.masks, '--json', outs[0]!, '--csv', outs[1]!, '--report', outs[2]!]);
      expect(r.status).to.equal(1);
      expect(r.errors, r.stderr).to.have.length(1);
      expect(r.errors[0]).to.include(broken);
      for (const o of outs) expect(existsSync(o), o).to.equal(false);
    });

    it('usage errors exit 2: no --gt, neither --pred nor --images, segmenting options with --pred, --quiet with nowhere for the scores', () => {
      for (const [args, msg] of [
        [['--pred', MAPS], /missing --gt/],
        [['--gt', MASKS], /--pred DIR .* or --images DIR/],
        [['--pred', MAPS, '--gt', MASKS, '--weights', 'x.pnw'], /--weights is for segmenting with --images/],
        [['--pred', MAPS, '--gt', MASKS, '-q'], /--quiet prints no scores: name where they go \(--json, --csv or --report; - for standard output\)/],
      ] as [string[], RegExp][]) {
        const r = pranet(['eval', ...args]);
        expect(r.status, args.join(' ')).to.equal(2);
        expect(r.errors).to.have.length(1);
        expect(r.errors[0]).to.match(msg);
      }
    });
  });

  describe('--images: segments first (tiny random network)', function () {
    this.timeout(600_000);
    const names = KVASIR_NAMES.slice(0, 2);
    let dirs: ReturnType<typeof subset>;
    let weights: string;
    before(requireKvasir);
    before(() => {
      dirs = subset(join(tmp, 'segment'), names, { images: true });
      weights = join(tmp, 'tiny.pnw');
      writeFileSync(weights, tinyPraNetWeightFile(7));
    });

    it('scores the maps `pranet segment` writes, and --save-maps writes exactly those maps', () => {
      const saved = join(tmp, 'saved-maps');
      const json = join(tmp, 'images.json');
      const report = join(tmp, 'images.html');
      const r = pranet([
        'eval',
        '--images',
        dirs.images,
        '--gt',
        dirs.masks,
        '--weights',
        weights,
        '--batch',
        '2',
        '--save-maps',
        saved,
        '--json',
        json,
        '--report',
        report,
      ]);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^n +2 /m);
      // --quiet with only maps to save is a run with an output (the scores are not asked for).
      const quiet = pranet(['eval', '--images', dirs.images, '--gt', dirs.masks, '--weights', weights, '--save-maps', join(tmp, 'quiet-maps'), '-q']);
      expect([quiet.status, quiet.stdout], quiet.stderr).to.deep.equal([0, '']);
      expect(readdirSync(join(tmp, 'quiet-maps')).sort()).to.deep.equal(names.map((n) => `${n}.png`));

      const segmented = join(tmp, 'segmented');
      const seg = pranet(['segment', dirs.images, '-o', segmented, '--weights', weights, '--batch', '2']);
      expect(seg.status, seg.stderr).to.equal(0);
      expect(readdirSync(saved).sort()).to.deep.equal(names.map((n) => `${n}.png`));
      for (const n of names) expect(readFileSync(join(saved, `${n}.png`)).equals(readFileSync(join(segmented, `${n}.png`))), n).to.equal(true);

      const fromFiles = join(tmp, 'from-files.json');
      const ev = pranet(['eval', '--pred', segmented, '--gt', dirs.masks, '--json', fromFiles]);
      expect(ev.status, ev.stderr).to.equal(0);
      expect(JSON.parse(readFileSync(json, 'utf8'))).to.deep.equal(JSON.parse(readFileSync(fromFiles, 'utf8')));

      const figures = [...readFileSync(report, 'utf8').matchAll(/<figure class="thumb">(.*?)<\/figure>/g)].map((m) => m[1]!);
      expect(figures).to.have.length(2);
      for (const f of figures) expect(f).to.include('image + prediction');
    });
  });
});
