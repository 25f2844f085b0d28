// The demo page's video part (web/video.ts) driven like a user in headless Chromium, with the shipped model:
// a WebM clip made here with ffmpeg from the sample image (a polyp) and a polyp-free crop of it (its top 60
// rows, no polyp, on black), alternating every 2 s, and Chromium's fake camera (--use-fake-device-for-media-stream,
// a moving test pattern). Screenshots in test-artifacts/: demo-video-file.png (playing), demo-video-paused.png,
// demo-video-threshold.png and demo-video-camera.png.
//
// Measured on this clip with the shipped model (compact-neg-v1, SwiftShader in this test): every sample frame has
// a highest probability of 1.00 and 28% of the frame at 0.5; every crop frame 0.00 (the model before it, trained
// without polyp-free crops: 0.25-0.26). The assertions leave room on both sides (sample >= 0.9, crop <= 0.45).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../support/paths.js';
import { requireOrSkip } from '../support/prerequisites.js';
import { HEAT_LUT } from '../../web/heatmap.js';
import { STRIP_EMPTY_RGB, STRIP_HEIGHT, STRIP_MARK_RGB, STRIP_MARK_ROWS, STRIP_SCORE_FROM_ROW, stripIndex } from '../../web/presence-strip.js';
import type { ProcessedFrame } from '../../web/video.js';
import { stripWindow } from '../../web/strip-view.js';
import { setSlider } from './support/slider.js';
import { openSession, type Session } from './support/session.js';

const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const FPS = 10;
const SEGMENT_S = 2;
const CLIP_S = 4 * SEGMENT_S;
const FAKE_CAMERA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** Whether the frame at `t` s of the clip shows the sample (a polyp) or the crop (none). */
const polypAt = (t: number) => Math.floor(t / SEGMENT_S + 1e-6) % 2 === 0;

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/**
 * The clip: 2 s of the sample, 2 s of the crop, again both, at 10 frames/s, VP8 in WebM (Chromium plays it in
 * every build; its H.264 depends on the build). The crop is the sample's top 60 rows centred on black.
 */
function makeClip(dir: string): string {
  const clip = join(dir, 'sample-and-crop.webm');
  const r = spawnSync(
    'ffmpeg',
    [
      ...['-v', 'error', '-y'],
      ...['-loop', '1', '-framerate', String(FPS), '-t', String(SEGMENT_S), '-i', SAMPLE],
      ...['-loop', '1', '-framerate', String(FPS), '-t', String(SEGMENT_S), '-i', SAMPLE],
      '-filter_complex',
      '[0:v]format=yuv420p,setsar=1,split[a1][a2];[1:v]crop=626:60:0:0,pad=626:546:0:243:black,format=yuv420p,setsar=1,split[b1][b2];' +
        '[a1][b1][a2][b2]concat=n=4:v=1:a=0',
      ...['-c:v', 'libvpx', '-b:v', '2M', '-crf', '8', '-deadline', 'good', '-cpu-used', '4', clip],
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`ffmpeg could not make the test clip: ${r.stderr || r.error?.message}`);
  return clip;
}

async function waitFor<T>(page: Page, what: string, fn: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end || (await videoState(page)) === 'error') {
      const state = await page.evaluate(() => `${document.body.dataset.video}: ${document.getElementById('video-status')!.textContent}`);
      throw new Error(`${what} did not happen within ${ms / 1000} s (the video part is '${state}'; ${await message(page)})`);
    }
    await page.waitForTimeout(250);
  }
}

const videoState = (page: Page) => page.evaluate(() => document.body.dataset.video);
const history = (page: Page) => page.evaluate(() => window.pranetVideo!.history.map((f) => ({ ...f })) as ProcessedFrame[]);
const counters = (page: Page) =>
  page.evaluate(() => {
    const v = window.pranetVideo!;
    return { processed: v.history.length, results: v.results, inFlight: v.inFlight, dropped: v.dropped, presentedTime: v.presentedTime };
  });
const message = (page: Page) => page.evaluate(() => (document.getElementById('message')!.hidden ? '' : document.getElementById('message')!.innerText));

/** Waits until the engine has no frame in flight. */
const settled = (page: Page, ms = 120_000) =>
  waitFor(page, 'the frames in flight coming back', async () => (await counters(page)).inFlight === 0 || undefined, ms);

/** Waits for the next result (after `before` of them) and returns its frame's strip entry (a new one, or one updated). */
async function nextProcessed(page: Page, before: number, ms = 120_000): Promise<ProcessedFrame> {
  await waitFor(page, `result ${before + 1}`, async () => (await counters(page)).results > before || undefined, ms);
  return page.evaluate(() => ({ ...window.pranetVideo!.history[window.pranetVideo!.lastEntry!]! }));
}

/** The strip entry of the frame on show. */
const shownFrame = (page: Page) =>
  page.evaluate(() => {
    const v = window.pranetVideo!;
    const f = v.history.find((e) => e.index === v.shownIndex);
    return f && { ...f };
  });

/** What the strip's slider says (a screen reader announces it). */
const sliderValue = (page: Page) =>
  page.$eval('#presence-strip', (c) => Object.fromEntries(['aria-valuenow', 'aria-valuemax', 'aria-valuetext'].map((a) => [a, c.getAttribute(a)])));

/** Makes the page's next createImageBitmap call (the engine's, for a frame it cannot copy directly) wait for releaseBitmap. */
const holdNextBitmap = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { createImageBitmap: typeof createImageBitmap; releaseBitmap?: () => boolean };
    const make = w.createImageBitmap;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    w.createImageBitmap = ((...args: Parameters<typeof make>) => {
      w.createImageBitmap = make; // this call only
      held = true;
      return gate.then(() => make(...args));
    }) as typeof make;
    w.releaseBitmap = () => {
      w.createImageBitmap = make;
      release();
      return held;
    };
  });

/** Lets the held createImageBitmap call go on; whether one was held. */
const releaseBitmap = (page: Page) => page.evaluate(() => (window as unknown as { releaseBitmap: () => boolean }).releaseBitmap());

/** Clicks a button as a script does: focus stays where it is. */
const clickKeepingFocus = (page: Page, selector: string) => page.$eval(selector, (b) => (b as HTMLButtonElement).click());

/** The readouts under the video as text, with the processed frames and the dropped count read at the same moment. */
const readouts = (page: Page) =>
  page.evaluate(() => ({
    text: Object.fromEntries(
      ['video-processed', 'video-fps', 'video-latency', 'video-dropped', 'video-found'].map((id) => [id, document.getElementById(id)!.textContent]),
    ),
    frames: window.pranetVideo!.history.map((f) => ({ ...f })),
    shownIndex: window.pranetVideo!.shownIndex,
    dropped: window.pranetVideo!.dropped,
  }));

/** Checks the fps, latency, dropped and processed readouts against the page's own counters; returns the fps shown. */
async function checkReadouts(page: Page, label: string): Promise<number | undefined> {
  const { text: r, frames, shownIndex, dropped } = await readouts(page);
  const c = { dropped };
  console.log(`      [${label}] ${Object.values(r).join(' | ')}`);
  expect(r['video-processed']).to.match(new RegExp(`^${frames.length} frames?\\b`));
  expect(r['video-dropped']).to.match(new RegExp(`^${c.dropped} frames?\\b`));
  const latency = /^(\d+) ms \(upload ([\d.]+) ms, GPU (\d+) ms, read-back ([\d.]+) ms\); median (\d+) ms over the last (\d+)$/.exec(r['video-latency']!);
  expect(latency, `latency readout '${r['video-latency']}'`).to.not.equal(null);
  const last = Number(latency![1]);
  const shown = frames.find((f) => f.index === shownIndex);
  expect(shown, `the frame on show (${shownIndex}) in the strip`).to.not.equal(undefined);
  expect(last).to.equal(Math.round(shown!.latencyMs));
  expect(last).to.be.greaterThan(0).and.lessThan(120_000);
  expect(Number(latency![3])).to.be.at.most(last + 1);
  expect(Number(latency![6])).to.equal(Math.min(30, frames.length));
  if (frames.length < 2) return undefined;
  const fps = /^([\d.]+) frames\/s \(the last (\d+) results\)$/.exec(r['video-fps']!);
  expect(fps, `fps readout '${r['video-fps']}'`).to.not.equal(null);
  const value = Number(fps![1]);
  expect(value).to.be.greaterThan(0).and.at.most(240);
  return value;
}

/** Checks that the strip has one column per processed frame, coloured by its highest probability, marked where a polyp was found. */
async function checkStrip(page: Page, frames: ProcessedFrame[]): Promise<void> {
  const strip = await page.evaluate(() => {
    const c = document.getElementById('presence-strip') as HTMLCanvasElement;
    return { width: c.width, height: c.height, data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data) };
  });
  expect(strip.width, 'strip columns').to.equal(Math.max(1, frames.length));
  expect(strip.height).to.equal(STRIP_HEIGHT);
  const rgb = (x: number, y: number) => strip.data.slice(4 * (y * strip.width + x), 4 * (y * strip.width + x) + 3);
  frames.forEach((f, x) => {
    const e = 3 * stripIndex(f.maxProbability);
    expect(rgb(x, STRIP_SCORE_FROM_ROW), `strip column ${x} (highest probability ${f.maxProbability.toFixed(3)})`).to.deep.equal(
      Array.from(HEAT_LUT.subarray(e, e + 3)),
    );
    expect(rgb(x, STRIP_HEIGHT - 1)).to.deep.equal(rgb(x, STRIP_SCORE_FROM_ROW));
    expect(rgb(x, 0), `strip column ${x} mark`).to.deep.equal([...(f.polypPresent ? STRIP_MARK_RGB : STRIP_EMPTY_RGB)]);
    expect(rgb(x, STRIP_MARK_ROWS - 1)).to.deep.equal(rgb(x, 0));
  });
}

/**
 * Classifies the pixels of the video canvas against the frame the paused <video> shows (drawn on a scratch
 * canvas): unchanged, tinted (the overlay's 40% green, within compositing rounding), contour (yellow) or other.
 */
async function videoCensus(page: Page): Promise<{ total: number; unchanged: number; tinted: number; contour: number; other: number }> {
  return page.evaluate(() => {
    const canvas = document.getElementById('video-canvas') as HTMLCanvasElement;
    const video = document.getElementById('video') as HTMLVideoElement;
    const shown = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    if (video.videoWidth !== canvas.width || video.videoHeight !== canvas.height)
      throw new Error(`the canvas is ${canvas.width}x${canvas.height}, the video ${video.videoWidth}x${video.videoHeight}`);
    const scratch = new OffscreenCanvas(canvas.width, canvas.height).getContext('2d')!;
    scratch.drawImage(video, 0, 0);
    const src = scratch.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts = { total: src.length / 4, unchanged: 0, tinted: 0, contour: 0, other: 0 };
    const tint = [0, 255, 0];
    for (let o = 0; o < src.length; o += 4) {
      const near = (f: (c: number) => number, tol: number) => [0, 1, 2].every((c) => Math.abs(shown[o + c]! - f(c)) <= tol);
      if (near((c) => [255, 255, 0][c]!, 0)) counts.contour++;
      else if (near((c) => src[o + c]!, 0)) counts.unchanged++;
      else if (near((c) => src[o + c]! * 0.6 + tint[c]! * 0.4, 2)) counts.tinted++;
      else counts.other++;
    }
    return counts;
  });
}

/** The region size the page reports under the video: its pixel count, or 0 when it says no polyp was found. */
async function regionPixels(page: Page): Promise<number> {
  const text = (await page.textContent('#video-area')) ?? '';
  if (/: no polyp found at threshold \d\.\d\d \(highest probability \d\.\d\d\)\.$/.test(text)) return 0;
  const n = /\((\d+) pixels; highest probability \d\.\d\d\)\.$/.exec(text)?.[1];
  if (n === undefined) throw new Error(`#video-area says '${text}'`);
  return Number(n);
}

const setVideoThreshold = (page: Page, value: string) => setSlider(page, '#video-threshold', value);

/** The strip's slider: its value and bounds, and what its value text says about the column it is on (1-based). */
async function checkStripSlider(page: Page, column: number): Promise<void> {
  const frames = await history(page);
  const aria = await page.$eval('#presence-strip', (c) =>
    Object.fromEntries(
      ['role', 'tabindex', 'aria-disabled', 'aria-valuemin', 'aria-valuemax', 'aria-valuenow', 'aria-valuetext'].map((a) => [a, c.getAttribute(a)]),
    ),
  );
  const f = frames[column - 1]!;
  expect(aria, `the strip's slider on column ${column} of ${frames.length}`).to.deep.include({
    role: 'slider',
    tabindex: '0',
    'aria-disabled': 'false',
    'aria-valuemin': '1',
    'aria-valuemax': String(frames.length),
    'aria-valuenow': String(column),
  });
  const text = /^Frame (\d+) of (\d+), at (\d+):(\d\d\.\d\d): (polyp found|no polyp) \(highest probability (\d\.\d\d)\)$/.exec(aria['aria-valuetext'] ?? '');
  expect(text, `aria-valuetext '${aria['aria-valuetext']}'`).to.not.equal(null);
  expect(text!.slice(1, 3).map(Number)).to.deep.equal([column, frames.length]);
  expect(60 * Number(text![3]) + Number(text![4]), 'the time in the value text').to.be.closeTo(f.mediaTime, 0.006);
  expect(text![5]).to.equal(f.polypPresent ? 'polyp found' : 'no polyp');
  expect(text![6]).to.equal(f.maxProbability.toFixed(2));
}

/**
 * Presses `key` on the focused strip: the slider must go to the column `expected` gives (0-based, from the
 * columns and the column it was on) and, unless that frame is the one shown, the video to that frame, processed
 * again: its own column updated, no new one, so the slider's maximum stays the number of frames. Returns the
 * column's frame.
 */
async function stripKey(page: Page, key: string, expected: (columns: ProcessedFrame[], now: number) => number): Promise<ProcessedFrame> {
  const columns = await history(page);
  const now = Number(await page.getAttribute('#presence-strip', 'aria-valuenow')) - 1;
  const want = expected(columns, now);
  expect(want, `the column ${key} should go to from ${now + 1}`).to.be.within(0, columns.length - 1);
  const target = columns[want]!;
  const shown = await shownFrame(page);
  const { results } = await counters(page);
  await page.keyboard.press(key);
  expect(Number(await page.getAttribute('#presence-strip', 'aria-valuenow')), `the slider after ${key}`).to.equal(want + 1);
  if (Math.abs(target.mediaTime - shown!.mediaTime) > 1e-3) {
    const f = await nextProcessed(page, results);
    await settled(page);
    expect(f.mediaTime, `the frame ${key} went to`).to.be.closeTo(target.mediaTime, 0.001);
    expect(await videoState(page)).to.equal('paused');
  }
  expect(await page.getAttribute('#presence-strip', 'aria-valuemax'), `the slider's maximum after ${key}: the ${columns.length} frames processed`).to.equal(
    String(columns.length),
  );
  expect(
    (await history(page)).map((f) => f.mediaTime),
    `the strip's frames after ${key}`,
  ).to.deep.equal(columns.map((f) => f.mediaTime));
  await checkStripSlider(page, want + 1);
  expect(await page.evaluate(() => document.activeElement?.id), `focus after ${key}`).to.equal('presence-strip');
  return target;
}

/** Seeks the paused video as a user scrubbing would (the strip's click does the same), and returns the frame processed. */
async function seekTo(page: Page, t: number): Promise<ProcessedFrame> {
  const before = (await counters(page)).results;
  await page.$eval('#video', (v, time) => ((v as HTMLVideoElement).currentTime = time), t);
  const f = await nextProcessed(page, before);
  await settled(page);
  return f;
}

async function openReadyPage(session: Session): Promise<Page> {
  const page = session.page;
  await page.goto(session.url); // the shipped model
  await page.waitForFunction(() => ['ready', 'error', 'no-webgpu'].includes(document.body.dataset.state ?? ''), undefined, { timeout: 300_000, polling: 250 });
  expect(await page.evaluate(() => document.body.dataset.state), `the page says: ${await message(page)}`).to.equal('ready');
  expect(await videoState(page)).to.equal('off');
  expect(await page.isDisabled('#video-file')).to.equal(false);
  expect(await page.isDisabled('#camera')).to.equal(false);
  return page;
}

describe('browser: the demo page with a video file and a camera', function () {
  let session: Session | undefined;
  let dir: string | undefined;
  let clip: string;

  before(async function () {
    this.timeout(180_000);
    const ffmpeg = spawnSync('ffmpeg', ['-version'], { encoding: 'utf8' });
    requireOrSkip(this, ffmpeg.status === 0 ? null : 'ffmpeg is not on PATH (the video test makes its clip with it; .ci/install-system installs it)');
    if (!existsSync(join(REPO_ROOT, 'web/dist/app.js'))) throw new Error('web/dist/app.js is missing: run npm run build:web (npm run test:browser does)');
    session = await openSession({ webgpu: true, args: FAKE_CAMERA });
    dir = session.files;
    clip = makeClip(dir);
  });

  after(async () => {
    if (dir) rmSync(join(dir, 'sample-and-crop.webm'), { force: true });
    await session?.close();
  });

  it('plays a video file with the overlay on the polyp frames only, fps, latency, dropped frames and one strip column per processed frame', async function () {
    this.timeout(600_000);
    const page = await openReadyPage(session!);
    await page.setInputFiles('#video-file', clip);
    await waitFor(page, 'the video playing', async () => (await videoState(page)) === 'playing' || undefined, 240_000);
    const probe = await page.evaluate(() => ({ rvfc: window.pranetVideo!.videoFrameCallbacks }));
    expect(probe.rvfc, 'requestVideoFrameCallback drives the processing in Chromium').to.equal(true);
    await nextProcessed(page, 1, 240_000); // two results: the fps readout has a value
    await screenshot(page, 'demo-video-file.png');
    await waitFor(page, 'the end of the clip', async () => ((await videoState(page)) === 'ended' ? true : undefined), 120_000);
    await settled(page);
    const path = await page.evaluate(() => window.pranetVideo!.framePath);
    const frames = await history(page);
    const c = await counters(page);
    console.log(
      `      [video file] ${frames.length} frames processed and ${c.dropped} dropped of ${CLIP_S * FPS} (frames go to the engine as ${path}s); ` +
        frames.map((f) => `${f.mediaTime.toFixed(1)} s: ${f.maxProbability.toFixed(3)}${f.regionPixels ? ` (${f.regionPixels} px)` : ''}`).join(', '),
    );
    expect(frames.length, 'frames processed').to.be.greaterThan(0);
    expect(frames.length + c.dropped, 'processed and dropped frames vs the frames in the clip').to.be.at.most(CLIP_S * FPS);
    const fps = await checkReadouts(page, 'video file');
    // An engine slower than the clip must drop frames, not queue them.
    if (fps !== undefined && fps < 0.8 * FPS) expect(c.dropped, 'frames dropped by an engine slower than the clip').to.be.greaterThan(0);
    for (const f of frames) {
      if (polypAt(f.mediaTime)) {
        expect(f.maxProbability, `sample frame at ${f.mediaTime} s`).to.be.at.least(0.9);
        expect(f.polypPresent).to.equal(true);
        expect(f.regionPixels, `region drawn on the sample frame at ${f.mediaTime} s`).to.be.greaterThan(0);
      } else {
        expect(f.maxProbability, `polyp-free frame at ${f.mediaTime} s`).to.be.at.most(0.45);
        expect(f.polypPresent).to.equal(false);
        expect(f.regionPixels, `region drawn on the polyp-free frame at ${f.mediaTime} s`).to.equal(0);
      }
    }
    expect(
      frames.map((f) => f.index),
      'results in order',
    ).to.deep.equal([...frames.map((f) => f.index)].sort((a, b) => a - b));
    await checkStrip(page, frames);
    expect(await page.textContent('#video-found')).to.equal(
      `${frames.filter((f) => f.polypPresent).length} of ${frames.length} processed frames (highest probability 0.50 or more)`,
    );

    // Paused on a sample frame: the canvas shows that frame with its region; every drawn pixel is the frame, its tint or the contour.
    const onPolyp = await seekTo(page, 1.05);
    expect(onPolyp.mediaTime).to.be.closeTo(1.0, 0.001);
    expect(await videoState(page)).to.equal('paused');
    const polypCensus = await videoCensus(page);
    console.log(`      [video file] paused at 1.0 s: ${JSON.stringify(polypCensus)}; ${await page.textContent('#video-area')}`);
    expect(polypCensus.tinted + polypCensus.contour, 'region pixels drawn vs the count the page reports').to.equal(await regionPixels(page));
    expect(polypCensus.tinted).to.be.greaterThan(0.1 * polypCensus.total);
    expect(polypCensus.contour).to.be.greaterThan(0);
    expect(polypCensus.other, 'pixels that are neither the frame, its tint nor the contour').to.be.at.most(polypCensus.total * 0.001);
    await screenshot(page, 'demo-video-paused.png');

    // On a polyp-free frame nothing is drawn, and the page says so; the slider redraws it without running the network again.
    const onCrop = await seekTo(page, 3.05);
    expect(onCrop.mediaTime).to.be.closeTo(3.0, 0.001);
    const cropCensus = await videoCensus(page);
    expect(cropCensus.unchanged, 'the polyp-free frame drawn as it is').to.equal(cropCensus.total);
    expect(await page.textContent('#video-area')).to.match(/^Frame at 0:03\.00: no polyp found at threshold 0\.50 \(highest probability 0\.[0-4]\d\)\.$/);
    const { results } = await counters(page);
    // A threshold at or under the frame's highest probability marks a region, drawn from the map in hand.
    const low = (Math.floor(onCrop.maxProbability * 100) / 100).toFixed(2);
    await setVideoThreshold(page, low);
    const lowered = await videoCensus(page);
    console.log(`      [video file] the polyp-free frame at threshold ${low}: ${JSON.stringify(lowered)}; ${await page.textContent('#video-area')}`);
    expect(lowered.tinted + lowered.contour, `region at threshold ${low} on the polyp-free frame`).to.be.greaterThan(0);
    expect(lowered.tinted + lowered.contour).to.equal(await regionPixels(page));
    expect(await page.textContent('#video-threshold-value')).to.equal(low);
    await screenshot(page, 'demo-video-threshold.png');
    await setVideoThreshold(page, '0.5');
    expect((await videoCensus(page)).unchanged).to.equal(cropCensus.total);
    expect((await counters(page)).results, 'network runs after moving the slider').to.equal(results);

    // Step: exactly one more frame, the next one.
    for (const expected of [3.1, 3.2]) {
      const before = await counters(page);
      await page.click('#video-step');
      const stepped = await nextProcessed(page, before.results);
      await settled(page);
      expect(stepped.mediaTime, 'the frame a step processed').to.be.closeTo(expected, 0.001);
      const after = await counters(page);
      expect([after.results, after.processed], 'results and strip columns after one step').to.deep.equal([before.results + 1, before.processed + 1]);
    }

    // The strip by keyboard: Tab reaches it (after the camera button), with a visible focus style.
    await page.focus('#camera');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('presence-strip');
    const focus = await page.$eval('#presence-strip', (c) => ({ visible: c.matches(':focus-visible'), outline: getComputedStyle(c).outlineStyle }));
    expect(focus, 'the focused strip is outlined').to.deep.equal({ visible: true, outline: 'solid' });
    expect(await page.isVisible('#strip-cursor'), "the slider's column is marked while the strip has focus").to.equal(true);
    // Right, again and again from the first column, reaches the last: each frame it goes to is processed again
    // and updates its own column, so the slider's maximum stays the number of frames processed.
    const distinct = (await history(page)).length;
    await stripKey(page, 'Home', () => 0);
    for (let pressed = 1; pressed < distinct; pressed++) await stripKey(page, 'ArrowRight', (_cs, now) => now + 1);
    expect(await sliderValue(page), `the slider after Right ${distinct - 1} times`).to.deep.include({
      'aria-valuenow': String(distinct),
      'aria-valuemax': String(distinct),
    });
    const polypBefore = (cs: ProcessedFrame[], from: number) => {
      for (let i = from - 1; i >= 0; i--) if (cs[i]!.polypPresent) return i;
      return from;
    };
    const polypAfter = (cs: ProcessedFrame[], from: number) => {
      const i = cs.findIndex((c, j) => j > from && c.polypPresent);
      return i < 0 ? from : i;
    };
    // End stays on the frame shown; Shift+Left then jumps back over the polyp-free frames of 3.0-3.2 s to 1.0 s.
    await stripKey(page, 'End', (cs) => cs.length - 1);
    const jumped = await stripKey(page, 'Shift+ArrowLeft', polypBefore);
    expect(jumped.mediaTime, 'the previous frame with a polyp').to.be.closeTo(1.0, 0.001);
    const crop = await stripKey(page, 'ArrowRight', (_cs, now) => now + 1);
    expect(crop.polypPresent, 'the frame after 1.0 s in the strip (3.0 s)').to.equal(false);
    await stripKey(page, 'Shift+ArrowRight', polypAfter); // none after 3.0 s (3.1 and 3.2 s have no polyp): it stays
    await stripKey(page, 'Home', () => 0);
    await stripKey(page, 'Shift+ArrowRight', polypAfter);
    await stripKey(page, 'PageUp', (cs, now) => Math.min(cs.length - 1, now + 10));

    // A click on the strip goes back to that column's frame, and updates that column.
    const columns = await history(page);
    const box = (await page.locator('#presence-strip').boundingBox())!;
    const before = await counters(page);
    await page.click('#presence-strip', { position: { x: ((2 + 0.5) / columns.length) * box.width, y: box.height / 2 } });
    const again = await nextProcessed(page, before.results);
    await settled(page);
    expect(again.mediaTime, "the frame of the strip's third column").to.be.closeTo(columns[2]!.mediaTime, 0.001);
    expect(again.maxProbability).to.be.closeTo(columns[2]!.maxProbability, 0.02);
    expect((await counters(page)).processed, 'strip columns after going back to a frame').to.equal(before.processed);
    await checkStripSlider(page, 3);

    // Play with the strip focused and one frame held back in the engine (its ImageBitmap delayed) while later
    // ones come back; then pause. At a quarter of the speed, so that the clip cannot reach its end (and 'Play
    // again') while a loaded machine takes seconds per frame. A screen reader is not told of every frame: the
    // strip's value stays until the pause. The held frame's result, older than the one on show, never replaces it.
    await page.$eval('#video', (v) => ((v as HTMLVideoElement).playbackRate = 0.25));
    await holdNextBitmap(page);
    await page.focus('#presence-strip');
    const announced = await sliderValue(page);
    await clickKeepingFocus(page, '#video-play');
    expect(await videoState(page)).to.equal('playing');
    await nextProcessed(page, (await counters(page)).results);
    expect(await sliderValue(page), "the focused strip's value while frames come in").to.deep.equal(announced);
    await clickKeepingFocus(page, '#video-play');
    expect(await videoState(page)).to.equal('paused');
    await waitFor(page, 'every frame but the held one coming back', async () => (await counters(page)).inFlight <= 1 || undefined, 120_000);
    const newest = (await shownFrame(page))!;
    const beforeLate = (await counters(page)).results;
    expect(await releaseBitmap(page), 'the engine made an ImageBitmap of a frame (this Chromium cannot copy video directly), which the test held').to.equal(
      true,
    );
    const late = await nextProcessed(page, beforeLate);
    await settled(page);
    expect(late.index, 'the held frame came back after a later one').to.be.lessThan(newest.index);
    expect((await shownFrame(page))?.index, 'the frame on show once an older result came back').to.equal(newest.index);
    await checkStripSlider(page, (await history(page)).findIndex((f) => f.index === newest.index) + 1);
    const atPause = await counters(page);
    await page.waitForTimeout(4000);
    const later = await counters(page);
    expect(later, 'counters 4 s after pausing').to.deep.equal(atPause);
    await checkStrip(page, await history(page));
    await checkReadouts(page, 'video file, paused');

    // A video dropped on the page opens like a chosen one.
    await page.evaluate(async () => {
      const blob = await (await fetch('/test-files/sample-and-crop.webm')).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'dropped.webm', { type: 'video/webm' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await waitFor(page, 'the dropped video playing', async () => (await videoState(page)) === 'playing' || undefined, 120_000);
    expect(await page.textContent('#video-status')).to.match(/^Playing dropped\.webm \(626 x 546, 0:08\.00/);
    expect(await page.evaluate(() => document.body.dataset.state), 'the still-image part is untouched').to.equal('ready');
    // Closed while the strip has focus: focus goes to the file chooser, not to the page's body.
    await page.focus('#presence-strip');
    await clickKeepingFocus(page, '#video-close');
    expect(await videoState(page)).to.equal('off');
    expect(await page.isHidden('#video-body')).to.equal(true);
    expect(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName), 'focus once the video is closed').to.equal('video-file');
  });

  it("plays Chromium's fake camera with fps, latency and dropped frames; pause stops it, step takes one frame", async function () {
    this.timeout(600_000);
    const page = await openReadyPage(session!);
    await page.click('#camera');
    await waitFor(page, 'the camera playing', async () => (await videoState(page)) === 'playing' || undefined, 240_000);
    const status = (await page.textContent('#video-status')) ?? '';
    console.log(`      [camera] ${status}`);
    expect(status).to.match(/^Playing the camera( \(.+\))? \(640 x 480/);
    await nextProcessed(page, 1, 180_000);
    await screenshot(page, 'demo-video-camera.png');
    const size = await page.$eval('#video-canvas', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(size, 'the canvas at the frame size').to.deep.equal([640, 480]);
    await checkReadouts(page, 'camera');

    await page.click('#video-play');
    expect(await videoState(page)).to.equal('paused');
    await settled(page);
    const atPause = await counters(page);
    await page.waitForTimeout(4000);
    expect(await counters(page), 'counters 4 s after pausing the camera').to.deep.equal(atPause);
    await page.click('#video-step');
    const stepped = await nextProcessed(page, atPause.results);
    await settled(page);
    await page.waitForTimeout(3000);
    const afterStep = await counters(page);
    expect(afterStep.results, 'frames processed by one step of the camera').to.equal(atPause.results + 1);
    expect(stepped.mediaTime).to.be.greaterThan(atPause.presentedTime ?? 0);
    expect(await videoState(page)).to.equal('paused');
    expect(await page.$eval('#video', (v) => (v as HTMLVideoElement).paused)).to.equal(true);
    const frames = await history(page);
    await checkStrip(page, frames);
    await checkReadouts(page, 'camera, paused');
    console.log(
      `      [camera] ${frames.length} frames processed, ${afterStep.dropped} dropped; highest probabilities ${frames.map((f) => f.maxProbability.toFixed(2)).join(', ')}`,
    );

    await page.click('#video-close');
    expect(await videoState(page)).to.equal('off');
    expect(await page.$eval('#video', (v) => (v as HTMLVideoElement).srcObject === null)).to.equal(true);
  });
});

// In Node, no browser: the strip's window with a column limit of 5 instead of 4096 (which takes hours of video).
describe('demo: the presence strip past its column limit (web/strip-view.ts)', () => {
  const MAX = 5;
  it('the strip always draws the selected frame, and the slider’s column names that frame, never a neighbour', () => {
    for (let total = 0; total <= 3 * MAX; total++) {
      for (const selected of [undefined, ...Array.from({ length: total }, (_, i) => i)]) {
        const w = stripWindow(total, selected, MAX);
        const at = `${total} frames, entry ${selected} selected`;
        expect(w.count, at).to.equal(Math.min(total, MAX));
        // the latest frames, unless the selected one is older: then it is the first column
        expect(w.offset, at).to.equal(Math.min(total - w.count, selected ?? Infinity));
        if (selected === undefined) {
          expect(w.column, at).to.equal(undefined);
          continue;
        }
        expect(w.column, at).to.be.within(0, w.count - 1);
        expect(w.offset + w.column!, `${at}: the entry of the slider's column`).to.equal(selected);
      }
    }
  });
});
