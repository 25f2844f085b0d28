// What the command line writes, and where: an output never replaces an input or another output (through
// symlinks and hard links too), unwritable places are named before any work, '-' is standard output,
// --quiet, --version, overlays in their own folder so `eval --pred` reads masks only, and Ctrl-C.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { encodePng, encodePngRgba } from '../src/io/png-encode.js';
import { Progress } from '../src/cli/progress.js';
import { CLI, REPO_ROOT } from './support/paths.js';
import { requireOrSkip } from './support/prerequisites.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';
import { isDawnNoise, runPranet } from './support/cli.js';

const pranet = (args: string[]) => runPranet(args);

/** A small colour image with a bright blob, and its mask. */
function image(seed: number, w = 40, h = 30): { rgba: Uint8Array; mask: Uint8Array; w: number; h: number } {
  const rgba = new Uint8Array(w * h * 4);
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - 12 - seed) ** 2 + (y - 14) ** 2 < 60;
      rgba.set(inside ? [220, 120, 90, 255] : [90 + seed * 10, 40, 50, 255], 4 * (y * w + x));
      mask[y * w + x] = inside ? 255 : 0;
    }
  }
  return { rgba, mask, w, h };
}

describe('pranet outputs: guarded, checked before work, streams, quiet, overlays, interrupts', function () {
  this.timeout(600_000);
  let tmp: string;
  let weights: string;
  let images: string;
  let masks: string;
  const names = ['a', 'b', 'c'];
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pranet-outputs-'));
    weights = join(tmp, 'tiny.pnw');
    writeFileSync(weights, tinyPraNetWeightFile(5));
    images = join(tmp, 'images');
    masks = join(tmp, 'masks-gt');
    mkdirSync(images);
    mkdirSync(masks);
    names.forEach((n, i) => {
      const im = image(i);
      writeFileSync(join(images, `${n}.png`), encodePngRgba(im.rgba, im.w, im.h));
      writeFileSync(join(masks, `${n}.png`), encodePng(im.mask, im.w, im.h));
    });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));

  it('refuses, before any work and with exit code 2, every output that is an input or another output', () => {
    const a = join(images, 'a.png');
    const link = join(tmp, 'link-to-a.png');
    symlinkSync(a, link);
    const hard = join(tmp, 'hard-a.png');
    linkSync(a, hard);
    const pth = join(tmp, 'model.pth');
    writeFileSync(pth, 'not read: refused before');
    const m = join(tmp, 'm.png');
    const before = snapshot(images);
    for (const [args, msg] of [
      [['segment', images, '-o', images], /-o .*images is the input folder .*images: its files would be overwritten/],
      [['segment', a, '-o', a], /-o .*a\.png would overwrite the input .*a\.png/],
      [['segment', a, '-o', m, '--save-logits', a], /--save-logits .*a\.png would overwrite the input .*a\.png/],
      [['segment', a, '-o', m, '--save-logits', m], /--save-logits .*m\.png and -o .*m\.png are the same file/],
      [['segment', a, '-o', m, '--json', m], /--json .*m\.png and -o .*m\.png are the same file/],
      [['segment', a, '-o', link], /-o .*link-to-a\.png would overwrite the input .*a\.png/],
      [['segment', hard, '-o', a], /-o .*a\.png would overwrite the input .*hard-a\.png/],
      [['segment', join(tmp, 'images', '..', 'images'), '-o', images], /is the input folder/],
      [['convert', pth, '-o', pth], /-o .*model\.pth would overwrite the input .*model\.pth/],
      [['eval', '--pred', images, '--gt', masks, '--csv', join(masks, 'a.png')], /--csv .*a\.png would overwrite the input .*masks-gt\/a\.png/],
      [['eval', '--images', images, '--gt', masks, '--save-maps', masks, '--weights', weights], /--save-maps .*masks-gt is the --gt folder/],
      [['eval', '--pred', images, '--gt', masks, '--json', '-', '--csv', '-'], /--json and --csv both write to standard output/],
      [
        ['profile', '--random', 'tiny', '--json', join(tmp, 'p.json'), '--trace', join(tmp, 'p.json')],
        /--json .*p\.json and --trace .*p\.json are the same file/,
      ],
      [['bench', '--weights', weights, '--json', weights], /--json .*tiny\.pnw would overwrite --weights .*tiny\.pnw/],
      [['profile', '--random', 'tiny', '--tuning', join(tmp, 't.json'), '--json', join(tmp, 't.json')], /--json .*t\.json would overwrite --tuning .*t\.json/],
    ] as [string[], RegExp][]) {
      const r = pranet(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).to.have.length(1);
      expect(r.stderr).to.match(msg);
    }
    expect(snapshot(images), 'the inputs are untouched').to.deep.equal(before);
    expect(existsSync(m)).to.equal(false);
    expect(readFileSync(pth, 'utf8')).to.equal('not read: refused before');
  });

  it('names the real reason an output cannot be written, before running the network', () => {
    const a = join(images, 'a.png');
    const proc = pranet(['segment', a, '-o', '/proc/foo.png', '--weights', weights]);
    expect(proc.status).to.equal(1);
    expect(proc.stderr.trim()).to.equal('pranet segment: -o /proc/foo.png: cannot write: cannot create files in /proc (it does not accept new files)');
    writeFileSync(join(tmp, 'plain.txt'), 'x');
    const through = pranet(['segment', a, '-o', join(tmp, 'plain.txt', 'm.png'), '--weights', weights]);
    expect(through.status).to.equal(1);
    expect(through.stderr).to.match(/cannot write: .*plain\.txt is not a folder/);
    const json = pranet(['eval', '--pred', images, '--gt', masks, '--json', join(tmp, 'no-such-folder', 's.json')]);
    expect(json.status).to.equal(1);
    expect(json.stderr).to.match(/--json .*s\.json: cannot write: its folder .*no-such-folder does not exist/);
    const target = join(tmp, 'target.json');
    writeFileSync(target, '{}');
    symlinkSync(target, join(tmp, 'link.json'));
    const link = pranet(['eval', '--pred', images, '--gt', masks, '--json', join(tmp, 'link.json')]);
    expect(link.status).to.equal(1);
    expect(link.stderr).to.match(/--json .*link\.json: cannot write: it is a symbolic link, which pranet does not replace/);
    expect(readFileSync(target, 'utf8')).to.equal('{}');
    const readOnly = join(tmp, 'read-only.png');
    writeFileSync(readOnly, 'kept');
    chmodSync(readOnly, 0o444); // refused for root too, before any work
    const ro = pranet(['segment', a, '-o', readOnly, '--weights', weights]);
    expect([ro.status, ro.stderr.trim()]).to.deep.equal([1, `pranet segment: -o ${readOnly}: cannot write: the file is read-only (permission denied)`]);
    expect(readFileSync(readOnly, 'utf8')).to.equal('kept');
  });

  it("--version and -V print the version (package.json's)", () => {
    const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    for (const flag of ['--version', '-V']) {
      const r = pranet([flag]);
      expect(r.status).to.equal(0);
      expect(r.stdout).to.equal(`pranet ${version}\n`);
    }
  });

  it("overlays of a folder go to OUT/overlays/, so `eval --pred OUT` scores the masks that `segment --overlay` wrote; x.overlay.png's mask is not replaced", () => {
    const input = join(tmp, 'with-overlay-name');
    mkdirSync(input);
    for (const n of names) copyFileSync(join(images, `${n}.png`), join(input, `${n}.png`));
    // An input whose name looks like an overlay: its mask must survive a's overlay.
    copyFileSync(join(images, 'b.png'), join(input, 'a.overlay.png'));
    copyFileSync(join(masks, 'b.png'), join(masks, 'a.overlay.png'));
    const out = join(tmp, 'seg-out');
    try {
      const seg = pranet(['segment', input, '-o', out, '--overlay', '--weights', weights]);
      expect(seg.status, seg.stderr).to.equal(0);
      expect(readdirSync(out).sort()).to.deep.equal(['a.overlay.png', 'a.png', 'b.png', 'c.png', 'overlays']);
      expect(readdirSync(join(out, 'overlays')).sort()).to.deep.equal(['a.overlay.png', 'a.png', 'b.png', 'c.png']);
      const mask = decodeImage(readFileSync(join(out, 'a.overlay.png')), 'mask');
      const gray = mask.data.every((v, i) => i % 4 === 3 || v === mask.data[i - (i % 4)]);
      expect(gray, 'a.overlay.png in OUT is the mask of the input a.overlay.png').to.equal(true);
      const ev = pranet(['eval', '--pred', out, '--gt', masks]);
      expect(ev.status, ev.stderr).to.equal(0);
      expect(ev.stdout).to.match(/^Scored 4 images/m);
    } finally {
      rmSync(join(masks, 'a.overlay.png'));
    }
  });

  it("'-' sends --json or --csv to standard output alone (everything else to stderr); --quiet prints nothing but errors", () => {
    const out = join(tmp, 'stream-out');
    const seg = pranet(['segment', images, '-o', out, '--json', '-', '--weights', weights]);
    expect(seg.status, seg.stderr).to.equal(0);
    const records = JSON.parse(seg.stdout) as { file: string }[];
    expect(records.map((r) => r.file)).to.deep.equal(names.map((n) => join(images, `${n}.png`)));
    expect(seg.stderr).to.match(/segmented 3 of 3 images into/);
    const ev = pranet(['eval', '--pred', out, '--gt', masks, '--csv', '-']);
    expect(ev.status, ev.stderr).to.equal(0);
    expect(ev.stdout.split('\n')[0]).to.equal('name,meanDice,meanIoU,wFm,Sm,meanEm,MAE,dice05');
    expect(ev.stdout.trim().split('\n')).to.have.length(4);
    expect(ev.stderr).to.match(/^Scored 3 images/m);
    const quiet = pranet(['segment', images, '-o', join(tmp, 'quiet-out'), '--quiet', '--weights', weights]);
    expect(quiet.status, quiet.stderr).to.equal(0);
    expect(quiet.stdout).to.equal('');
    expect(quiet.stderr.trim()).to.equal('');
    expect(readdirSync(join(tmp, 'quiet-out')).sort()).to.deep.equal(names.map((n) => `${n}.png`));
    const quietEval = pranet(['eval', '--pred', out, '--gt', masks, '--quiet', '--json', join(tmp, 'q.json')]);
    expect([quietEval.status, quietEval.stdout, quietEval.stderr.trim()]).to.deep.equal([0, '', '']);
    expect((JSON.parse(readFileSync(join(tmp, 'q.json'), 'utf8')) as { n: number }).n).to.equal(3);
  });

  it("'-' for --save-logits or tune --out takes standard output alone; -o /dev/null takes one mask; bad --tiling, --tuning and inputs are named", () => {
    const one = join(images, 'a.png');
    const logits = pranet(['segment', one, '-o', join(tmp, 'a.mask.png'), '--save-logits', '-', '--weights', weights]);
    expect(logits.status, logits.stderr).to.equal(0);
    expect(logits.stdout.slice(1, 6), 'an .npy on stdout (read as UTF-8 here)').to.equal('NUMPY');
    expect(logits.stdout).to.not.include('a.png ->');
    expect(logits.stderr).to.match(/a\.png -> .*a\.mask\.png, -/);
    const tuned = pranet(['tune', '--random', 'tiny', '--size', '32', '--candidates', '1', '--rounds', '1', '--out', '-']);
    expect(tuned.status, tuned.stderr).to.equal(0);
    expect((JSON.parse(tuned.stdout) as { format: string }).format).to.equal('pranet-wgsl tuning table');
    expect(tuned.stderr).to.match(/^Device: /m);
    const discard = pranet(['segment', one, '-o', '/dev/null', '--weights', weights]);
    expect([discard.status, discard.stderr.trim()]).to.deep.equal([0, '']);
    for (const [tiling, message] of [
      ['null', /--tiling: a tiling must be a JSON object/],
      ['{"lanes":"shared","tm":2,"tn":1,"wgx":8,"wgy":8,"kc":0}', /--tiling: kc must be an integer in 1\.\.16, got 0/],
      ['{"tm":64,"tn":64,"wgx":1,"wgy":1}', /--tiling: tm must be an integer in 1\.\.16, got 64/],
      ['{"tm":1,"tn":1,"wgx":64,"wgy":64}', /--tiling: wgx x wgy must be at most 1024 invocations, got 4096/],
    ] as const) {
      const r = pranet(['profile', '--random', 'tiny', '--size', '32', '--tiling', tiling]);
      expect(r.status, tiling).to.equal(2);
      expect(r.stderr, tiling).to.match(message);
    }
    const big = pranet(['profile', '--random', 'tiny', '--size', '32', '--tiling', '{"lanes":"shared","tm":16,"tn":16,"wgx":16,"wgy":16,"kc":16}']);
    expect(big.status).to.equal(1);
    expect(big.stderr).to.match(/the tiling needs 327680 bytes of workgroup memory, over this device's \d+/);
    const folder = pranet(['segment', one, '-o', join(tmp, 'b.mask.png'), '--tuning', images, '--weights', weights]);
    expect(folder.stderr).to.match(/--tuning .*images: is a folder, not a file/);
    const zero = pranet(['segment', '/dev/zero', '-o', join(tmp, 'z.png'), '--weights', weights]);
    expect(zero.status).to.equal(1);
    expect(zero.stderr).to.match(/\/dev\/zero: more than the limit of 536870912 bytes for an image file/);
    expect(existsSync(join(tmp, 'z.png'))).to.equal(false);
    const presence = pranet(['segment', join(tmp, 'clip.mp4'), '--frames-csv', join(tmp, 'p.csv'), '--presence', '5']);
    expect([presence.status, presence.stderr.trim()]).to.deep.equal([2, 'pranet segment: --presence must be in [0, 1], got 5. Try `pranet segment --help`.']);
  });

  it('eval --images skips an unreadable image with its name (exit 1): maps are saved and scored for the others only', () => {
    const input = join(tmp, 'one-bad');
    mkdirSync(input);
    for (const n of names) copyFileSync(join(images, `${n}.png`), join(input, `${n}.png`));
    writeFileSync(join(input, 'b.png'), 'broken');
    const saved = join(tmp, 'saved-maps');
    const json = join(tmp, 'one-bad.json');
    const r = pranet(['eval', '--images', input, '--gt', masks, '--weights', weights, '--save-maps', saved, '--json', json]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/pranet eval: skipped .*one-bad\/b\.png: not a PNG or JPEG file/);
    expect(readdirSync(saved).sort()).to.deep.equal(['a.png', 'c.png']);
    const summary = JSON.parse(readFileSync(json, 'utf8')) as { n: number; notScored: { name: string; error: string }[] };
    expect(summary.n).to.equal(2);
    expect(summary.notScored).to.have.length(1);
    expect(summary.notScored[0]!.name).to.equal('b');
    expect(summary.notScored[0]!.error).to.match(/one-bad\/b\.png: not a PNG or JPEG file/);
    expect(r.stdout).to.match(/Note: 1 of 3 images could not be read and are not scored/);
  });

  it('Ctrl-C (SIGINT) and SIGTERM: a folder run stops with 130 / 143, says what it wrote, leaves no temporary file', async () => {
    const many = join(tmp, 'many');
    mkdirSync(many);
    for (let i = 0; i < 40; i++) copyFileSync(join(images, `${names[i % 3]}.png`), join(many, `img${String(i).padStart(2, '0')}.png`));
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const out = join(tmp, `interrupted-${signal}`);
      const child = spawn(process.execPath, [CLI, 'segment', many, '-o', out, '--weights', weights]);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      while (!existsSync(out) || readdirSync(out).filter((f) => f.endsWith('.png')).length < 2) await new Promise((r) => setTimeout(r, 20));
      child.kill(signal);
      expect(await exited, stderr).to.equal(code);
      const written = readdirSync(out);
      expect(
        written.filter((f) => f.endsWith('.tmp')),
        'temporary files left',
      ).to.deep.equal([]);
      expect(stderr).to.match(new RegExp(`pranet segment: interrupted \\(${signal}\\); wrote the masks of (\\d+) of 40 images into .*interrupted-${signal}`));
      const n = Number(new RegExp('wrote the masks of (\\d+)').exec(stderr)![1]);
      expect(written.filter((f) => f.endsWith('.png'))).to.have.length(n);
    }
  });

  it('an interrupted large write removes its temporary file (a real SIGINT in the middle of writeFileAtomic)', async () => {
    const dir = mkdtempSync(join(tmp, 'big-'));
    const target = join(dir, 'big.pnw');
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/test/support/interrupted-write.js'), target, '256']);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    let sent = false;
    while (!sent && stdout === '') {
      if (readdirSync(dir).some((f) => f.endsWith('.tmp'))) {
        child.kill('SIGINT');
        sent = true;
      } else await new Promise((r) => setTimeout(r, 2));
    }
    expect(sent, 'the temporary file was seen while being written').to.equal(true);
    expect(await exited).to.equal(130);
    expect(readdirSync(dir)).to.deep.equal([]);
  });

  it("convert's progress bar on a terminal ends at 20/20 MiB and its own line, before the next message", function () {
    // util-linux's `script` runs the command on a pseudo-terminal, where the bar redraws itself with \r.
    requireOrSkip(this, spawnSync('script', ['--version']).status === 0 ? null : 'util-linux `script` (a pseudo-terminal) is missing');
    const junk = join(tmp, 'junk20.pth');
    writeFileSync(junk, new Uint8Array((20 << 20) - 1000)); // not a whole number of MiB: the last update reads 19
    const command = `'${process.execPath}' '${CLI}' convert '${junk}' -o '${join(tmp, 'junk.pnw')}'`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
    const screen = r.stdout.split(/\r\n|\n/).filter((l) => !isDawnNoise(l));
    const bar = screen.findIndex((l) => l.includes('MiB/s'));
    expect(bar, r.stdout).to.be.at.least(0);
    expect(screen[bar]!.split('\r').at(-1)).to.match(/^\[=+\] 20\/20 MiB, /);
    expect(screen[bar + 1]).to.match(/^pranet convert: .*junk20\.pth: unknown checkpoint format/);
  });

  it("convert's progress ends at 100% on its own line (a total in MiB that the updates never reach)", () => {
    const writes: string[] = [];
    const tty = { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    const p = new Progress(20, 'MiB', tty);
    for (let i = 0; i <= 19; i++) p.update(i);
    expect(writes.at(-1)).to.match(/19\/20 MiB/);
    p.finish();
    expect(writes.at(-1)).to.match(/\r\[=+\] 20\/20 MiB, .*\n$/);
  });

  it('the progress shows no rate before a second has passed (a first file failing at once read as 500 images/s)', () => {
    const writes: string[] = [];
    const tty = { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
    new Progress(4, 'images', tty).update(1);
    expect(writes.at(-1)).to.match(/ 1\/4 images, \? images\/s, \? left/);
  });
});
