// FrameSegmenter's browser input (src/api/frame-copy.ts) in headless Chromium, on the tiny random PraNet: frames
// that copyExternalImageToTexture refuses, or that change while they wait for a slot, fail with an error that
// names the frame, what was passed and what to do: never the browser's bare DOMException, a result of part of
// the frame, or one of the previous frame's pixels. Each frees its slot (one slot: a leak would hang the next
// frame). A <video> or VideoFrame that this Chromium (no GPU compositing) or Firefox (played by wrapping one
// segmenter's copyExternalImageToTexture: a TypeError for either) cannot copy directly goes through an
// ImageBitmap of the same picture, remembered after the first refusal and closed once copied; frames of mixed
// types with 2 and 3 slots in flight give the same map. The cases run in the page (harness/frame-cases.ts,
// frame-fallback.ts); the clip is made with ffmpeg, and another origin is Playwright answering for
// http://cross-origin.test/ without CORS headers.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.js';
import { requireOrSkip } from '../support/prerequisites.js';
import { openHarness, openSession, type Session, withDeadline } from './support/session.js';
import type { FrameCaseResult } from './support/wire.js';

const SIZE = 64;
const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');
const [W, H] = [96, 80];
const CROSS_ORIGIN = 'http://cross-origin.test/';

/** One second of the sample image at 10 frames/s, W x H, VP8 in WebM. */
function makeClip(dir: string): string {
  const clip = join(dir, 'clip.webm');
  const r = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-loop',
      '1',
      '-framerate',
      '10',
      '-t',
      '1',
      '-i',
      SAMPLE,
      '-vf',
      `scale=${W}:${H},setsar=1,format=yuv420p`,
      '-c:v',
      'libvpx',
      '-b:v',
      '1M',
      clip,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make the test clip: ${r.stderr || r.error?.message}`);
  return clip;
}

const closed = /is closed \(close\(\) was called on it, or it was transferred: close a frame only after its result has come back\)$/;
/**
 * A cross-origin frame's error. A <video> may have gone as an ImageBitmap (which keeps its origin), as in this
 * Chromium; where none could be made, the refusal of the video itself names the cause.
 */
const crossOrigin = (what: string) =>
  new RegExp(
    `^the browser would not copy the ${what} to the GPU(( as an ImageBitmap)? \\(SecurityError: [^)]+\\)| \\(SecurityError: [^)]+\\) nor make an ImageBitmap of it \\(.+\\)); ` +
      "it holds another origin's pixels .+ serve it from this page's origin, or with CORS",
  );
/** Neither way for a <video> or VideoFrame (a TypeError as Firefox, then no ImageBitmap): what is left is its bytes. */
const noWay = (what: string) =>
  new RegExp(
    `^the browser would not copy the ${what} \\(${W}x${H}\\) to the GPU \\(TypeError: GPUQueue\\.copyExternalImageToTexture: .+\\) ` +
      'nor make an ImageBitmap of it \\(InvalidStateError: The source image could not be decoded\\.\\); ' +
      'pass its RGBA bytes instead \\(\\{ width, height, data \\}: draw it on a canvas and read them with getImageData\\)$',
  );

/** What each refused frame's error says after "frame N: ", and its cause (the browser's exception) where it wraps one. */
const REFUSED: Record<string, { message: RegExp; cause?: string }> = {
  '<video> with metadata only': {
    message:
      /^the <video> has no picture to copy \(readyState 1, HAVE_METADATA: only its size and length are known\); pass it once it shows a frame: from requestVideoFrameCallback, or after its 'loadeddata' or 'seeked' event$/,
  },
  '<video> seeking': { message: /^the <video> has no picture to copy \(readyState 1, it is seeking\); pass it once it shows a frame/ },
  'VideoFrame closed': { message: new RegExp(`^the VideoFrame ${closed.source}`) },
  'VideoFrame closed after segment()': { message: new RegExp(`^the VideoFrame ${closed.source}`) },
  'ImageBitmap closed': { message: new RegExp(`^the ImageBitmap ${closed.source}`) },
  '<canvas> shrunk after segment()': {
    message: new RegExp(
      `^the <canvas> \\(${W / 2}x${H}\\) changed size after segment\\(\\) was called \\(from ${W}x${H}\\); pass a snapshot \\(an ImageBitmap or VideoFrame\\), or leave the source unchanged until its result comes back$`,
    ),
  },
  '<canvas> grown after segment()': {
    message: new RegExp(`^the <canvas> \\(${2 * W}x${2 * H}\\) changed size after segment\\(\\) was called \\(from ${W}x${H}\\)`),
  },
  'tainted <canvas>': { message: crossOrigin('<canvas> \\(40x30\\)'), cause: 'SecurityError' },
  'tainted OffscreenCanvas': { message: crossOrigin('OffscreenCanvas \\(40x30\\)'), cause: 'SecurityError' },
  'cross-origin <video>': { message: crossOrigin(`<video> \\(${W}x${H}\\)`), cause: 'SecurityError' },
  '<canvas> after transferControlToOffscreen()': {
    message:
      /^the browser would not copy the <canvas> \(40x30\) to the GPU \(InvalidStateError: .+\); it was closed or handed over .+ a canvas after transferControlToOffscreen\(\)\)/,
    cause: 'InvalidStateError',
  },
  '<canvas> without a context': {
    message:
      /^the browser would not copy the <canvas> \(40x30\) to the GPU \(OperationError: .+\); a canvas needs a rendering context with the frame drawn on it/,
    cause: 'OperationError',
  },
  'cross-origin <video>, and no ImageBitmap of it': { message: crossOrigin(`<video> \\(${W}x${H}\\)`), cause: 'SecurityError' },
  'Firefox: VideoFrame, and no ImageBitmap of it': { message: noWay('VideoFrame'), cause: 'TypeError' },
  'Firefox: <video> again, and no ImageBitmap of it': { message: noWay('<video>'), cause: 'TypeError' },
  'copy reported as a validation error': {
    message: new RegExp(
      `^the browser could not copy the ImageBitmap \\(${W}x${H}\\) to the GPU \\(.+\\), so it has no result \\(the network would have seen an earlier frame's pixels\\)`,
    ),
  },
};

/**
 * Frames that must be segmented: the same picture as the good frame, so the same map. Bit for bit where the
 * engine went through an ImageBitmap (this Chromium, no GPU compositing, for every <video> and VideoFrame; the
 * Firefox cases): the same decoded picture, the same createImageBitmap conversion and the same copy on both
 * sides. A browser that copies a <video> directly converts YUV to RGB its own way, whose rounding may differ:
 * there the map is not compared (the test says so), rather than with a tolerance no browser here could check.
 */
const SEGMENTED = [
  '<video>',
  '<video> again',
  'VideoFrame',
  'Firefox: VideoFrame',
  'Firefox: VideoFrame again',
  'Firefox: <video>',
  'Firefox: <video> again',
  ...[
    [2, ''],
    [3, ' (Firefox)'],
  ].flatMap(([n, as]) =>
    ['<video>', 'ImageBitmap', 'VideoFrame', '<canvas>', '<video>', 'OffscreenCanvas', 'VideoFrame', 'ImageBitmap'].map(
      (t, i) => `${n} in flight${as}: ${t} #${i + 1}`,
    ),
  ),
];

/** The first <video> or VideoFrame of a segmenter, and the next one: the ImageBitmap way is remembered only after a refusal. */
const REMEMBERED = [
  ['<video>', '<video> again'],
  ['Firefox: VideoFrame', 'Firefox: VideoFrame again'],
  ['Firefox: <video>', 'Firefox: <video> again'],
];

const isVideo = (name: string) => /<video>|VideoFrame/.test(name);

describe('browser: FrameSegmenter with frames the GPU copy refuses', function () {
  let session: Session | undefined;
  const results = new Map<string, FrameCaseResult>();

  before(async function () {
    this.timeout(300_000);
    const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
    requireOrSkip(this, ffmpeg.status === 0 ? null : 'ffmpeg is not on PATH (this test makes its clip with it; .ci/install-system installs it)');
    session = await openSession({ webgpu: true });
    const clip = makeClip(session.files);
    await session.page.route(`${CROSS_ORIGIN}**`, (route) => route.fulfill({ path: route.request().url().endsWith('.webm') ? clip : SAMPLE }));
    await openHarness(session);
    const urls = { clip: 'clip.webm', crossOriginImage: `${CROSS_ORIGIN}sample.jpg`, crossOriginClip: `${CROSS_ORIGIN}clip.webm` };
    const all = await withDeadline(
      session.page.evaluate(([size, u]) => window.harnessReady!.then((h) => h.frameCases('tiny.pnw', size, u)), [SIZE, urls] as const),
      240_000,
      'the frame cases in the page (a frame that kept its slot would hang the next)',
    );
    for (const r of all) {
      console.log(`      [${r.name}] frame ${r.index}: ${r.error ?? `segmented; its map differs from the good frame's by ${r.mapDiff}`}`);
      results.set(r.name, r);
    }
  });

  after(async () => {
    await session?.close();
  });

  const result = (name: string): FrameCaseResult => {
    const r = results.get(name);
    if (!r) throw new Error(`the page ran no case '${name}'`);
    return r;
  };

  it('every case was run, frees its slot and leaves nothing behind: the good frame after it gives the first good frame’s map', () => {
    expect([...results.keys()]).to.have.members([...SEGMENTED, ...Object.keys(REFUSED)]);
    for (const r of results.values()) {
      expect(r.inFlight, `${r.name}: frames in flight after it`).to.equal(0);
      expect(r.afterDiff, `${r.name}: the good frame after it vs the first`).to.equal(0);
      expect(r.bitmapsOpen, `${r.name}: ImageBitmaps the engine made and left open (of ${r.bitmapsMade})`).to.equal(0);
    }
  });

  for (const name of SEGMENTED) {
    it(`${name}: segmented, with the map of an ImageBitmap of the same picture`, function () {
      const r = result(name);
      expect(r.error, `${name} failed`).to.equal(undefined);
      if (isVideo(name) && r.directCopies! > r.directRefused!) {
        console.log(
          `      (${name}: this browser copied it directly, whose YUV conversion may round otherwise than an ImageBitmap's: not compared bit for bit)`,
        );
        this.skip();
      }
      expect(r.mapDiff).to.equal(0);
    });
  }

  for (const [first, next] of REMEMBERED) {
    it(`${first}, then ${next}: the ImageBitmap way, once taken, is kept (no copy of the frame itself is tried again)`, () => {
      const [a, b] = [result(first!), result(next!)];
      expect(a.directCopies, `copies of the ${first} itself`).to.equal(1);
      expect(b.directCopies, `copies of the ${next} itself (the first was ${a.directRefused ? '' : 'not '}refused)`).to.equal(a.directRefused ? 0 : 1);
      expect(b.bitmapsMade, `ImageBitmaps made of the ${next}`).to.equal(a.directRefused ? 1 : 0);
    });
  }

  it("cross-origin <video>, and no ImageBitmap of it: the video itself is tried once more, and its SecurityError named beside the ImageBitmap's failure", function () {
    if (!result('<video>').directRefused) {
      console.log('      (this browser copies a <video> directly: the ImageBitmap way, and so this case, is not taken)');
      this.skip();
    }
    const r = result('cross-origin <video>, and no ImageBitmap of it');
    expect(r.directCopies, 'copies of the video itself').to.equal(1);
    expect(r.directRefused, 'refused').to.equal(1);
    expect(r.bitmapsMade, 'ImageBitmaps made (the one asked for failed)').to.equal(0);
    expect(r.error).to.match(
      /to the GPU \(SecurityError: [^)]+\) nor make an ImageBitmap of it \(InvalidStateError: The source image could not be decoded\.\); it holds another origin's pixels/,
    );
  });

  it('as Firefox (a TypeError for every <video> and VideoFrame): each goes as an ImageBitmap', () => {
    for (const name of SEGMENTED.filter((n) => n.includes('Firefox') && isVideo(n))) {
      const r = result(name);
      expect(r.error, `${name} failed`).to.equal(undefined);
      expect(r.directCopies, `${name}: copies of the frame itself that went through`).to.equal(r.directRefused);
    }
  });

  for (const [name, want] of Object.entries(REFUSED)) {
    it(`${name}: an error naming the frame, what was passed and what to do`, () => {
      const r = result(name);
      expect(r.error, `${name} was segmented (its map differs from the good frame's by ${r.mapDiff})`).to.be.a('string');
      expect(r.domException, "the browser's bare DOMException reached the caller").to.equal(false);
      expect(r.error!.startsWith(`frame ${r.index}: `), `'${r.error}' names frame ${r.index}`).to.equal(true);
      expect(r.error!.slice(`frame ${r.index}: `.length), `frame ${r.index}'s error, whole: ${r.error}\n`).to.match(want.message);
      expect(r.cause).to.equal(want.cause);
      if (name.includes('metadata') || name.includes('seeking')) expect(r.readyState, 'readyState when segment() was called').to.equal(1);
    });
  }
});
