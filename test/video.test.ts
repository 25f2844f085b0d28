// Video files through `pranet segment` and `pranet bench --video`: a clip made here from Kvasir test images of one
// size, encoded losslessly (FFV1, RGB), so only the pre-processing differs from the still-image path.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { encodePngRgba } from '../src/io/png-encode.js';
import { loadSegmenter } from '../src/index.js';
import { whyNoFfmpeg } from '../src/cli/video/ffmpeg.js';
import { CLI, KVASIR_TEST } from './support/paths.js';
import { requireOrSkip } from './support/prerequisites.js';
import { requireSharedData } from './support/shared-data.js';
import { runPranet } from './support/cli.js';

/** Five Kvasir test images of 622 x 529. */
const NAMES = ['cju15wdt3zla10801odjiw7sy', 'cju17z0qongpa0993de4boim4', 'cju2hos57llxm08359g92p6jj', 'cju2rga4psq9n09881z519xx0', 'cju6vifjlv55z0987un6y4zdo'];

const pranet = runPranet;
const ffmpeg = (args: string[]) => {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
};

const ffprobeFrames = (path: string) =>
  Number(
    spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path], {
      encoding: 'utf8',
    }).stdout.trim(),
  );

describe('video: pranet segment and bench on a clip', function () {
  this.timeout(600_000);
  let tmp: string;
  let clip: string;

  before(function () {
    requireOrSkip(this, whyNoFfmpeg());
    requireSharedData(this, join(KVASIR_TEST, 'images'));
    tmp = mkdtempSync(join(tmpdir(), 'pranet-video-'));
    NAMES.forEach((n, i) => {
      const img = decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${n}.jpg`)), n);
      writeFileSync(join(tmp, `still_${i + 1}.png`), encodePngRgba(img.data, img.width, img.height));
    });
    clip = join(tmp, 'clip.mkv');
    const r = spawnSync('ffmpeg', ['-v', 'error', '-framerate', '5', '-i', join(tmp, 'still_%d.png'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
  });

  after(() => tmp && rmSync(tmp, { recursive: true, force: true }));

  it('a CSV row, a mask and an overlay frame per frame, as many as ffprobe counts; each max probability within 0.05 of the still-image path', async () => {
    const out = join(tmp, 'out');
    const r = pranet(['segment', clip, '--frames-csv', join(out, 'frames.csv'), '--overlay-video', join(out, 'overlay.mp4'), '-o', join(out, 'masks')]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/segmented 5 frames \(622x529, 5\.00 fps\)/);
    expect(r.stderr).to.match(/5\/5 frames, [\d.]+ frames\/s/);
    const frames = ffprobeFrames(clip);
    expect(frames).to.equal(5);
    const rows = readFileSync(join(out, 'frames.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).to.equal('frame,time_s,max_probability,polyp_present,area_fraction');
    expect(rows.length - 1).to.equal(frames);
    expect(readdirSync(join(out, 'masks')).sort()).to.deep.equal(NAMES.map((_, i) => `frame_00000${i + 1}.png`));
    expect(ffprobeFrames(join(out, 'overlay.mp4'))).to.equal(frames);
    const still = await loadSegmenter();
    try {
      for (const [i, n] of NAMES.entries()) {
        const [frame, time, max, present, area] = rows[i + 1]!.split(',').map(Number);
        expect([frame, time]).to.deep.equal([i + 1, i / 5]);
        const s = await still.segment(decodeImage(readFileSync(join(KVASIR_TEST, 'images', `${n}.jpg`)), n));
        expect(Math.abs(max! - s.maxProbability), `${n} max probability`).to.be.at.most(0.05);
        expect(present).to.equal(Number(max! >= 0.5));
        expect(Math.abs(area! - s.areaFraction), `${n} area`).to.be.at.most(0.05);
        const mask = decodeImage(readFileSync(join(out, 'masks', `frame_00000${i + 1}.png`)), 'mask');
        expect([mask.width, mask.height]).to.deep.equal([622, 529]);
      }
    } finally {
      await still.dispose();
    }
  });

  it('plays as a viewer sees it: a quarter-turned phone clip upright, a variable-rate clip frame by frame at its times, names ffmpeg would misread', () => {
    const ffmpeg = (args: string[]) => expect(spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' }).status).to.equal(0);
    const mp4 = join(tmp, 'clip.mp4');
    ffmpeg(['-i', clip, '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', mp4]);
    const turned = join(tmp, 'turned.mp4');
    ffmpeg(['-i', mp4, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', turned]);
    const csv = (video: string, extra: string[] = [], cwd?: string) => {
      const out = join(tmp, `${Math.random()}.csv`);
      const r = pranet(['segment', ...extra, '--frames-csv', out, '-q', '--', video], {}, cwd);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout, '--quiet').to.equal('');
      return readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => row.split(',').map(Number));
    };
    const upright = csv(mp4);
    const masks = join(tmp, 'turned-masks');
    const rotated = csv(turned, ['-o', masks]);
    // Read with the coded 622-pixel rows, each 529-pixel row of the turned frames was garbage (max probability 0).
    const first = decodeImage(readFileSync(join(masks, 'frame_000001.png')), 'mask');
    expect([first.width, first.height]).to.deep.equal([529, 622]);
    expect([upright.length, rotated.length], 'frames of the upright and the turned clip').to.deep.equal([5, 5]);
    rotated.forEach((row, i) => expect(row[2], `frame ${i + 1}: max probability`).to.be.closeTo(upright[i]![2]!, 0.05));

    // Frames at 0, 0.2, 0.4, then a gap to 1.4 and 1.6 s: a constant-rate decode would have made 9 frames.
    const vfr = join(tmp, 'vfr.mkv');
    ffmpeg(['-i', clip, '-vf', 'setpts=(N+gte(N\\,3)*4)*0.2/TB', '-fps_mode', 'vfr', '-c:v', 'ffv1', vfr]);
    expect(csv(vfr).map((row) => [row[0], row[1]])).to.deep.equal([
      [1, 0],
      [2, 0.2],
      [3, 0.4],
      [4, 1.4],
      [5, 1.6],
    ]);

    for (const name of ['pt:1.mkv', '-dash.mkv']) {
      writeFileSync(join(tmp, name), readFileSync(clip));
      expect(csv(name, [], tmp), name).to.have.length(5);
    }
  });

  it('bench --video: end-to-end frames/s beside the network alone', () => {
    const json = join(tmp, 'bench-video.json');
    const r = pranet(['bench', '--video', clip, '--runs', '2', '--json', json]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/network only \(median of 2 forward passes\): [\d.]+ ms = [\d.]+ frames\/s/);
    expect(r.stdout).to.match(/end to end .*: [\d.]+ frames\/s = \d+% of the network alone/);
    const b = JSON.parse(readFileSync(json, 'utf8')) as { video: { frames: number }; network_fps: number; end_to_end_fps: number; ratio: number };
    expect(b.video.frames).to.equal(5);
    expect(b.ratio).to.be.closeTo(b.end_to_end_fps / b.network_fps, 1e-9);
  });

  it('a corrupt video, a missing ffmpeg and a wrong output are one-line errors', () => {
    const bad = join(tmp, 'bad.mp4');
    writeFileSync(bad, Buffer.from('not a video at all'));
    const r1 = pranet(['segment', bad, '--frames-csv', join(tmp, 'x.csv')]);
    expect(r1.status).to.equal(1);
    expect(r1.stderr.trim().split('\n')).to.have.length(1);
    expect(r1.stderr).to.match(/bad\.mp4: not a video ffmpeg can read/);
    const r2 = pranet(['segment', clip, '--frames-csv', join(tmp, 'y.csv')], { PATH: '/nonexistent' });
    expect(r2.status).to.equal(1);
    expect(r2.stderr).to.match(/^pranet segment: a video needs ffmpeg and ffprobe: ffprobe is not on PATH .*; install ffmpeg/);
    const old = join(tmp, 'ffmpeg-4.4');
    mkdirSync(old);
    for (const tool of ['ffprobe', 'ffmpeg']) {
      writeFileSync(join(old, tool), `#!/bin/sh\necho "${tool} version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2007-2021 the FFmpeg developers"\n`);
      chmodSync(join(old, tool), 0o755);
    }
    const r6 = pranet(['segment', clip, '--frames-csv', join(tmp, 'y.csv')], { PATH: `${old}:${process.env.PATH}` });
    expect([r6.status, r6.stderr]).to.deep.equal([
      1,
      'pranet segment: a video needs ffmpeg and ffprobe: ffprobe 4.4 is too old: 5.1 or newer is needed (for -fps_mode); install ffmpeg (it brings ffprobe): on Debian/Ubuntu `apt-get install ffmpeg`, on macOS `brew install ffmpeg`, or a static build from ffmpeg.org\n',
    ]);
    const r3 = pranet(['segment', clip, '--overlay-video', join(tmp, 'o.avi')]);
    expect(r3.status, 'a usage error').to.equal(2);
    expect(r3.stderr).to.match(/o\.avi: video outputs are \.mp4 \(H\.264\) or \.mkv/);
    const r4 = pranet(['segment', clip]);
    expect(r4.status).to.equal(2);
    expect(r4.stderr).to.match(/a video needs an output/);
    const mixed = pranet(['segment', clip, join(tmp, 'still_1.png'), '-o', join(tmp, 'mixed')]);
    expect([mixed.status, mixed.stderr.trim()]).to.deep.equal([
      2,
      `pranet segment: ${clip} is a video: a video is segmented on its own (one input), images may come many at once. Try \`pranet segment --help\`.`,
    ]);
    const r7 = pranet(['segment', clip, '-o', join(tmp, 'cm'), '--frames-csv', join(tmp, 'cm', 'frame_000002.png')]);
    expect([r7.status, r7.stderr.trim()]).to.deep.equal([
      2,
      `pranet segment: --frames-csv ${join(tmp, 'cm', 'frame_000002.png')} is named as a frame's mask in -o ${join(tmp, 'cm')} (frame_NNNNNN.png), which would overwrite it. Try \`pranet segment --help\`.`,
    ]);
    const before = readFileSync(clip);
    const r5 = pranet(['segment', clip, '--frames-csv', clip]);
    expect(r5.status, 'an output on the input is refused before any work').to.equal(2);
    expect(r5.stderr).to.match(/--frames-csv .* would overwrite the input /);
    expect(readFileSync(clip).equals(before)).to.equal(true);
    expect(existsSync(join(tmp, 'x.csv')) || existsSync(join(tmp, 'y.csv'))).to.equal(false);
  });

  it('a damaged clip: its frames as far as ffmpeg decodes them, a warning that names it and exit 1; a pipe is refused before anything reads it', () => {
    const whole = join(tmp, 'whole.mp4');
    ffmpeg(['-i', clip, '-vf', 'scale=320:256', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole]);
    const bytes = readFileSync(whole);
    const half = join(tmp, 'half.mp4');
    writeFileSync(half, bytes.subarray(0, bytes.length >> 1));
    const csv = join(tmp, 'half.csv');
    const r = pranet(['segment', half, '--frames-csv', csv]);
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/^pranet segment: warning: \S+half\.mp4 is damaged or incomplete: ffmpeg reported "[^@"]+" while decoding it/m);
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1);
    expect(rows.length, 'frames decoded from half the file').to.be.within(1, NAMES.length - 1);
    const pipe = join(tmp, 'pipe.mkv');
    expect(spawnSync('mkfifo', [pipe]).status).to.equal(0);
    const p = pranet(['segment', pipe, '--frames-csv', join(tmp, 'pipe.csv')]);
    expect([p.status, p.stderr.trim()]).to.deep.equal([1, `pranet segment: ${pipe}: not a regular file (a pipe, device or folder): give a video file`]);
  });

  it("a variable-rate Matroska clip (which stores no average rate): the overlay lasts as long as the clip, at its frames' own rate", () => {
    // 5 frames at 0, 0.1, 0.4, 0.9 and 1.6 s: 2.5 frames/s on average, where ffprobe guesses 10 from the first two.
    const vfr = join(tmp, 'vfr.mkv');
    ffmpeg(['-i', clip, '-vf', 'setpts=N*N*0.1/TB', '-fps_mode', 'vfr', '-c:v', 'ffv1', vfr]);
    const overlay = join(tmp, 'vfr-overlay.mp4');
    const r = pranet(['segment', vfr, '--overlay-video', overlay]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/segmented 5 frames \(\d+x\d+, 2\.50 fps\)/);
    const duration = Number(spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', overlay], { encoding: 'utf8' }).stdout);
    expect(duration, 'seconds of overlay (the clip spans 1.6 s and 5 frames)').to.be.within(1.9, 2.1);
  });

  it('an anamorphic clip (pixels wider than tall, as PAL 16:9) gives an overlay of the same shape of pixel, so it plays as wide', () => {
    const pal = join(tmp, 'pal.mkv');
    ffmpeg(['-i', clip, '-vf', 'scale=360:288,setsar=64/45', '-c:v', 'ffv1', pal]);
    for (const ext of ['mp4', 'mkv']) {
      const overlay = join(tmp, `pal-overlay.${ext}`);
      const r = pranet(['segment', pal, '--overlay-video', overlay]);
      expect(r.status, r.stderr).to.equal(0);
      const shape = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height,sample_aspect_ratio', '-of', 'csv=p=0', overlay], {
        encoding: 'utf8',
      });
      expect(shape.stdout.trim(), ext).to.equal('360,288,64:45');
    }
  });

  it('masks of an earlier, longer clip left in the -o folder are named, not mixed in silently', () => {
    const masks = join(tmp, 'reused-masks');
    mkdirSync(masks);
    for (const n of [5, 6, 12]) writeFileSync(join(masks, `frame_${String(n).padStart(6, '0')}.png`), 'old');
    const r = pranet(['segment', clip, '-o', masks]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include(
      `pranet segment: note: ${masks} also holds 2 frame masks beyond this clip's 5 (frame_000006.png, frame_000012.png), from an earlier, longer run: they are not of ${clip}`,
    );
    expect(readFileSync(join(masks, 'frame_000005.png')).subarray(1, 4).toString(), 'frame 5 rewritten').to.equal('PNG');
  });

  it('Ctrl-C stops cleanly: exit 130, no overlay video or CSV, no partial file, the masks written so far whole', async () => {
    const long = join(tmp, 'long.mkv');
    spawnSync('ffmpeg', ['-v', 'error', '-stream_loop', '5', '-i', clip, '-c:v', 'ffv1', '-pix_fmt', 'bgr0', long]);
    const out = join(tmp, 'interrupted');
    mkdirSync(out);
    const child = spawn(
      process.execPath,
      [CLI, 'segment', long, '--frames-csv', join(out, 'f.csv'), '--overlay-video', join(out, 'o.mp4'), '-o', join(out, 'masks')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && /\b[1-9]\/30 frames/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', resolve);
    });
    expect(code, stderr).to.equal(130);
    expect(stderr).to.match(/interrupted \(SIGINT\) after \d+ of 30 frames/);
    const left = readdirSync(out);
    expect(left).to.deep.equal(['masks']);
    for (const f of readdirSync(join(out, 'masks'))) expect(decodeImage(readFileSync(join(out, 'masks', f)), f).width).to.equal(622);
  });
});

describe('video: pranet bench --frames (generated frames, no decoder)', function () {
  this.timeout(600_000);

  it('measures the frame path on frames of the given size beside the network alone, with ffmpeg off PATH; --json - alone on stdout', () => {
    const r = pranet(['bench', '--frames', '97x61', '--runs', '2', '--json', '-'], { PATH: '/nonexistent' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^Device: /m);
    expect(r.stderr).to.match(/Video: frames generated in memory, 97x61, \d+ frames/);
    expect(r.stderr).to.match(/end to end \(upload, network, .*\): [\d.]+ frames\/s = \d+% of the network alone/);
    const b = JSON.parse(r.stdout) as {
      video: { path: null; width: number; height: number; frames: number };
      network_fps: number;
      end_to_end_fps: number;
      ratio: number;
    };
    expect(b.video).to.include({ path: null, width: 97, height: 61 });
    expect(b.video.frames, 'at least 10 frames').to.be.at.least(10);
    // At least 3 s of frames: the count and the rate agree with that.
    expect(b.video.frames / b.end_to_end_fps, 'seconds of frames').to.be.at.least(2.9);
    expect(b.ratio).to.be.closeTo(b.end_to_end_fps / b.network_fps, 1e-9);
  });

  it('a malformed size or both sources are usage errors (exit 2) naming the flag', () => {
    for (const args of [
      ['--frames', '1920by1080'],
      ['--frames', '0x10'],
      ['--frames', '9000x10'],
      ['--frames', '64x64', '--video', 'clip.mp4'],
    ]) {
      const r = pranet(['bench', ...args]);
      expect(r.status, args.join(' ')).to.equal(2);
      expect(r.stderr, args.join(' ')).to.match(/--frames/);
    }
  });
});
