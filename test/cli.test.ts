// The command line as a user meets it: help, usage errors, and bad inputs that must give a clear message
// naming the file and the problem, a non-zero exit code, and no output file.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { decodeNpy } from '../src/io/npy.js';
import { encodePngRgba } from '../src/io/png-encode.js';
import { convertCheckpoint } from '../src/index.js';
import { distance, golden, type Golden, requireGolden } from './support/golden.js';
import { KVASIR_TEST, PYTHON, REPO_ROOT } from './support/paths.js';
import { requireSharedData } from './support/shared-data.js';
import { SAMPLE } from './support/shipped-model.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';
import { forbiddenGlobalPth } from './weights-helpers.js';
import { runPranet } from './support/cli.js';

const pranet = runPranet;

describe('pranet command line', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'pranet-cli-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("--help lists every command; each command's --help lists its options with defaults", () => {
    const main = pranet(['--help']);
    expect(main.status).to.equal(0);
    for (const c of ['segment', 'convert', 'info']) expect(main.stdout).to.match(new RegExp(`^  ${c} `, 'm'));
    const seg = pranet(['segment', '--help']);
    expect(seg.status).to.equal(0);
    for (const o of ['--output', '--weights', '--overlay', '--threshold', '--batch', '--save-logits', '--backend']) expect(seg.stdout).to.include(o);
    expect(seg.stdout).to.include('(default: 1)');
    expect(seg.stdout).to.match(/--backend NAME +.*\(one of vulkan, opengles, opengl\)/);
  });

  it('unknown commands, unknown options and missing arguments are one-line errors with a hint and exit code 2', () => {
    for (const [args, msg] of [
      [['frobnicate'], /unknown command 'frobnicate'.*--help/],
      [['segment', 'x.png', '--bogus'], /unknown option '--bogus'. Try `pranet segment --help`/],
      [['convert'], /missing checkpoint/],
      [['convert', 'x.pth'], /missing -o <out\.pnw>/],
      [['segment', 'x.png', '--batch', 'two'], /--batch needs an integer, got 'two'/],
      [['info', '--backend', 'foo'], /option --backend must be one of vulkan, opengles, opengl; got 'foo'/],
      [['segment', SAMPLE, SAMPLE, '-o', 'two.png'], /-o two\.png names a file, but there are 2 images; give a folder/],
      [['segment', SAMPLE, '-o', 'mask.jpg'], /-o mask\.jpg: masks are written as PNG/],
    ] as [string[], RegExp][]) {
      const r = pranet(args);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.match(msg);
    }
  });

  it('pranet info prints the adapter and its features', () => {
    const r = pranet(['info']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Adapter: /m);
    expect(r.stdout).to.match(/timestamp-query +(yes|no)/);
    expect(r.stdout).to.match(/maxStorageBufferBindingSize +\d+/);
  });

  describe('choosing the WebGPU backend', () => {
    it('without a Vulkan driver it falls back to GL ES in compatibility mode', () => {
      const r = pranet(['info'], { VK_ICD_FILENAMES: '/nonexistent/icd.json', PRANET_BACKEND: '' });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/backend: +opengles/);
      expect(r.stdout).to.match(/feature level: compatibility/);
    });

    it('when nothing works, the error lists what was tried and how to install a software driver', () => {
      const r = pranet(['info'], { VK_ICD_FILENAMES: '/nonexistent/icd.json', PRANET_BACKEND: 'vulkan' });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/No WebGPU adapter found\. Tried: vulkan \(core\): no adapter/);
      expect(r.stderr).to.match(/mesa-vulkan-drivers/);
    });

    it('an unknown PRANET_BACKEND is named', () => {
      const r = pranet(['info'], { PRANET_BACKEND: 'metal' });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/PRANET_BACKEND=metal is not a backend; use one of: vulkan, opengles, opengl/);
    });

    it('the GL ES backend segments like the Vulkan backend', () => {
      const weights = join(tmp, 'tiny-backends.pnw');
      writeFileSync(weights, tinyPraNetWeightFile(4));
      const masks = ['vulkan', 'opengles'].map((backend) => {
        const out = join(tmp, `mask-${backend}.png`);
        const r = pranet(['segment', SAMPLE, '--weights', weights, '-o', out, '--backend', backend]);
        expect(r.status, r.stderr).to.equal(0);
        return decodeImage(readFileSync(out), out).data;
      });
      let worst = 0;
      for (let i = 0; i < masks[0]!.length; i++) worst = Math.max(worst, Math.abs(masks[0]![i]! - masks[1]![i]!));
      expect(worst, 'largest mask byte difference').to.be.at.most(1);
    });
  });

  describe('bad inputs', () => {
    const refuses = (args: string[], output: string, ...patterns: RegExp[]) => {
      const r = pranet(args);
      expect(r.status, `exit code of pranet ${args.join(' ')}`).to.equal(1);
      for (const p of patterns) expect(r.stderr).to.match(p);
      expect(existsSync(output), `${output} must not exist`).to.equal(false);
    };

    it('a file that is not a checkpoint (wrong magic) and an empty file', () => {
      const bad = join(tmp, 'random.pth');
      writeFileSync(
        bad,
        Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff),
      );
      refuses(['convert', bad, '-o', join(tmp, 'out.pnw')], join(tmp, 'out.pnw'), /random\.pth/, /not a|unknown|format/i);
      const empty = join(tmp, 'empty.pth');
      writeFileSync(empty, new Uint8Array(0));
      refuses(['convert', empty, '-o', join(tmp, 'out.pnw')], join(tmp, 'out.pnw'), /empty\.pth/);
    });

    it('a pickle that names a forbidden global', () => {
      const evil = join(tmp, 'evil.pth');
      writeFileSync(evil, forbiddenGlobalPth());
      refuses(['convert', evil, '-o', join(tmp, 'out.pnw')], join(tmp, 'out.pnw'), /forbidden global 'os\.system' in .*evil\.pth/);
    });

    it('an unreadable image', () => {
      const img = join(tmp, 'broken.png');
      writeFileSync(img, Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13));
      refuses(['segment', img, '-o', join(tmp, 'mask.png')], join(tmp, 'mask.png'), /broken\.png/);
      // no folder is made for outputs that never come
      refuses(['segment', img, '-o', join(tmp, 'new/sub/mask.png'), '--overlay'], join(tmp, 'new'), /broken\.png/);
      refuses(['segment', SAMPLE, '--weights', join(tmp, 'no-such.pnw'), '-o', join(tmp, 'out-folder/')], join(tmp, 'out-folder'), /no-such\.pnw/);
    });

    it('two inputs with the same base name would write the same mask: refused before any work', () => {
      const folder = join(tmp, 'twins');
      mkdirSync(folder);
      copyFileSync(SAMPLE, join(folder, 'a.jpg'));
      writeFileSync(join(folder, 'a.png'), encodePngRgba(new Uint8Array(4 * 4 * 4).fill(128), 4, 4));
      const r = pranet(['segment', folder, '-o', join(tmp, 'twin-masks')]);
      expect(r.status, 'a usage error').to.equal(2);
      expect(r.stderr).to.match(/a\.(png|jpg) and .*a\.(png|jpg) would both be written to .*twin-masks\/a\.png/);
      expect(existsSync(join(tmp, 'twin-masks'))).to.equal(false);
    });

    describe('checkpoints made by PyTorch', function () {
      let g: Golden;
      before(function () {
        requireGolden(this);
        g = golden('tiny');
        const r = spawnSync(PYTHON, [join(REPO_ROOT, 'tools/reference/break_checkpoint.py'), join(g.dir, 'model.zip.pth'), tmp], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`break_checkpoint.py failed: ${r.stderr}`);
      });

      it('a truncated checkpoint', () => {
        const whole = readFileSync(join(g.dir, 'model.legacy.pth'));
        const cut = join(tmp, 'cut.pth');
        writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
        refuses(['convert', cut, '-o', join(tmp, 'out.pnw')], join(tmp, 'out.pnw'), /cut\.pth/, /truncated/);
      });

      it('a missing key and an unexpected key, reported together', () => {
        refuses(
          ['convert', join(tmp, 'missing.pth'), '-o', join(tmp, 'out.pnw')],
          join(tmp, 'out.pnw'),
          /missing\.pth/,
          /missing key 'rfb2_1\.conv_res\.conv\.weight' \(expected shape \[8, 128, 1, 1\]\)/,
          /unexpected key 'extra\.weight'/,
        );
      });

      it('a wrong shape', () => {
        refuses(
          ['convert', join(tmp, 'shape.pth'), '-o', join(tmp, 'out.pnw')],
          join(tmp, 'out.pnw'),
          /shape\.pth/,
          /key 'agg1\.conv5\.weight' has shape \[1, 25, 1, 1\], expected \[1, 24, 1, 1\]/,
        );
      });

      it('NaN weights, in convert and in segment', () => {
        refuses(['convert', join(tmp, 'nan.pth'), '-o', join(tmp, 'out.pnw')], join(tmp, 'out.pnw'), /nan\.pth/, /ra2_conv2\.conv\.weight/, /NaN/);
        refuses(['segment', g.png, '--weights', join(tmp, 'nan.pth'), '-o', join(tmp, 'mask.png')], join(tmp, 'mask.png'), /nan\.pth/, /NaN/);
      });

      it("convert then segment --save-logits reproduces PyTorch's logits (tiny model)", () => {
        const pnw = join(tmp, 'tiny.pnw');
        const conv = pranet(['convert', join(g.dir, 'model.zip.pth'), '-o', pnw]);
        expect(conv.status, conv.stderr).to.equal(0);
        const npy = join(tmp, 'logits.npy');
        const seg = pranet(['segment', g.png, '--weights', pnw, '-o', join(tmp, 'mask.png'), '--save-logits', npy]);
        expect(seg.status, seg.stderr).to.equal(0);
        expect(existsSync(join(tmp, 'mask.png'))).to.equal(true);
        const logits = decodeNpy(readFileSync(npy), npy);
        expect(logits.shape).to.deep.equal([1, 1, 352, 352]);
        const ours = distance(logits.data, g.f64('lateral_map_2'));
        const torch32 = g.manifest.tensors.lateral_map_2!.f32_vs_f64;
        expect(ours.rel_l2).to.be.at.most(3 * torch32.rel_l2);
        expect(ours.max_abs).to.be.at.most(3 * torch32.max_abs);
      });

      it("the library's convertCheckpoint writes the same file as pranet convert", () => {
        const checkpoint = join(g.dir, 'model.zip.pth');
        const viaCli = join(tmp, 'tiny-cli.pnw');
        const conv = pranet(['convert', checkpoint, '-o', viaCli, '--f16']);
        expect(conv.status, conv.stderr).to.equal(0);
        const viaApi = convertCheckpoint(readFileSync(checkpoint), { source: checkpoint, f16: true });
        expect(viaApi.bytes.length).to.be.greaterThan(1000);
        expect(Buffer.compare(Buffer.from(viaApi.bytes), readFileSync(viaCli))).to.equal(0);
        expect(() => convertCheckpoint(readFileSync(join(tmp, 'shape.pth')), { source: 'shape.pth' })).to.throw(/shape\.pth.*agg1\.conv5\.weight/s);
      });
    });
  });
});

describe('pranet segment on folders', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'pranet-seg-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("a folder of PNG and JPEG images: masks and overlays at each image's size, progress, summary; --threshold gives a binary mask", function () {
    requireSharedData(this, join(KVASIR_TEST, 'images'));
    const input = join(tmp, 'images');
    mkdirSync(input);
    const names = ['cju0u82z3cuma0835wlxrnrjv', 'cju15wdt3zla10801odjiw7sy', 'cju16ach3m1da0993r1dq3sn2'];
    copyFileSync(join(KVASIR_TEST, 'images', `${names[0]}.jpg`), join(input, `${names[0]}.jpg`));
    copyFileSync(join(KVASIR_TEST, 'images', `${names[1]}.jpg`), join(input, `${names[1]}.JPG`));
    const png = decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${names[2]}.jpg`)), names[2]!);
    writeFileSync(join(input, `${names[2]}.png`), encodePngRgba(png.data, png.width, png.height));
    writeFileSync(join(input, 'notes.txt'), 'not an image');
    const weights = join(tmp, 'tiny.pnw');
    writeFileSync(weights, tinyPraNetWeightFile(2));
    const out = join(tmp, 'masks');
    const r = pranet(['segment', input, '-o', out, '--overlay', '--threshold', '0.5', '--batch', '2', '--weights', weights]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/3\/3 images/);
    expect(r.stdout).to.match(/segmented 3 of 3 images into .*masks/);
    for (const n of names) {
      const src = decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${n}.jpg`)), n);
      const mask = decodeImage(readFileSync(join(out, `${n}.png`)), n);
      const overlay = decodeImage(readFileSync(join(out, 'overlays', `${n}.png`)), n);
      expect([mask.width, mask.height, overlay.width, overlay.height]).to.deep.equal([src.width, src.height, src.width, src.height]);
      const values = new Set<number>();
      for (let i = 0; i < mask.data.length; i += 4) values.add(mask.data[i]!);
      expect(
        [...values].every((v) => v === 0 || v === 255),
        `${n}: binary mask values ${[...values].slice(0, 5).join(',')}`,
      ).to.equal(true);
    }
  });

  it('the built-in model on the sample: --json records presence and area, --raw writes the unstretched probability, the overlay follows the probability; --raw with --threshold is a usage error', () => {
    const refused = pranet(['segment', SAMPLE, '--raw', '--threshold', '0.5']);
    expect(refused.status).to.equal(2);
    expect(refused.stderr).to.match(/either --raw .* or --threshold/);
    const out = join(tmp, 'sample');
    const json = join(tmp, 'records', 'sample.json');
    const r = pranet(['segment', SAMPLE, '-o', join(out, 'raw.png'), '--raw', '--overlay', '--json', json]);
    expect(r.status, r.stderr).to.equal(0);
    const [record] = JSON.parse(readFileSync(json, 'utf8')) as {
      file: string;
      width: number;
      height: number;
      maxProbability: number;
      polypPresent: boolean;
      areaFraction: number;
      imagesInBatch: number;
      batchTimingsMs: Record<string, number>;
    }[];
    expect(record!.file).to.equal(SAMPLE);
    expect([record!.width, record!.height]).to.deep.equal([626, 546]);
    expect(record!.polypPresent).to.equal(true);
    expect(record!.maxProbability).to.be.within(0.99, 1);
    expect(record!.areaFraction, "the sample's polyp covers about 28% of it").to.be.within(0.2, 0.35);
    expect(record!.batchTimingsMs.networkMs).to.be.greaterThan(0);
    const raw = decodeImage(readFileSync(join(out, 'raw.png')), 'raw.png');
    let bright = 0;
    for (let i = 0; i < raw.data.length; i += 4) bright += Number(raw.data[i]! >= 128);
    expect(bright / (raw.width * raw.height), 'pixels >= 128 in the raw map = the area at 0.5').to.be.closeTo(record!.areaFraction, 0.002);
    const overlay = decodeImage(readFileSync(join(out, 'raw.overlay.png')), 'overlay');
    const image = decodeImage(readFileSync(SAMPLE), 'sample');
    let changed = 0;
    for (let i = 0; i < overlay.data.length; i += 4)
      changed += Number(overlay.data[i] !== image.data[i] || overlay.data[i + 1] !== image.data[i + 1] || overlay.data[i + 2] !== image.data[i + 2]);
    expect(changed / (image.width * image.height), 'the overlay marks the area at 0.5').to.be.closeTo(record!.areaFraction, 0.01);
    const absent = pranet(['segment', SAMPLE, '-o', join(out, 'strict.png'), '--presence', '1', '--json', json]);
    expect(absent.status, absent.stderr).to.equal(0);
    const strict = (JSON.parse(readFileSync(json, 'utf8')) as { polypPresent: boolean; maxProbability: number }[])[0]!;
    // At a max probability of exactly 1 the default threshold would give the same answer as --presence 1.
    expect(strict.maxProbability, 'the check below tells --presence 1 from the default').to.be.below(1);
    expect(strict.polypPresent, '--presence 1 reaches the segmenter').to.equal(strict.maxProbability >= 1);
  });

  it('an unreadable image in a folder is skipped with its name, the rest are written, exit code 1', () => {
    const input = join(tmp, 'mixed');
    mkdirSync(input);
    copyFileSync(SAMPLE, join(input, 'good.jpg'));
    writeFileSync(join(input, 'bad.png'), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3));
    const weights = join(tmp, 'tiny.pnw');
    writeFileSync(weights, tinyPraNetWeightFile(2));
    const out = join(tmp, 'mixed-out');
    const r = pranet(['segment', input, '-o', out, '--weights', weights]);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/skipped .*bad\.png/);
    expect(existsSync(join(out, 'good.png'))).to.equal(true);
    expect(existsSync(join(out, 'bad.png'))).to.equal(false);
  });
});
