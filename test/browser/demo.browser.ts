// The demo page (web/index.html + the web/dist/app.js bundle) driven like a user in headless Chromium, with a
// screenshot of each state in test-artifacts/: loading, ready (with the research-use notice), running (busy,
// controls disabled), done (original beside the overlay), the heat map, no polyp found, an error after a bad
// file, a CORS failure and a tuned page. It segments the sample with the tiny random PraNet, re-thresholds
// without re-running the network, resets the threshold per image, downloads the mask and the overlay as PNGs,
// clears the previous image after an error, tunes for this GPU, outlines the sample's polyp with the shipped
// model, and explains a missing model, a file that is not a model, a cross-origin URL and a browser without WebGPU.
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { DEFAULT_WEIGHTS_FILE } from '../../src/api/default-weights.js';
import { decodeImage } from '../../src/io/image.js';
import type * as Serve from '../../tools/serve.mjs';
import { HEAT_LUT } from '../../web/heatmap.js';
import { REPO_ROOT } from '../support/paths.js';
import { DICE_FLOOR } from '../support/shipped-model.js';
import { setSlider } from './support/slider.js';
import { openSession, type Session } from './support/session.js';

const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');
const SAMPLE_PATH = '/samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const FORMATS = /\.pnw\b[\s\S]*\.pth\b[\s\S]*\.safetensors\b/;

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/** Holds requests for the URL path `path` until the returned function is called (then lets them through). */
async function holdRequests(page: Page, path: string): Promise<() => Promise<void>> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  // By path: a glob would also match the page's own URL, whose ?weights= can end with the same path.
  const matches = (url: URL) => url.pathname === path;
  await page.route(matches, async (route) => {
    await held;
    await route.continue();
  });
  return async () => {
    release();
    await page.unroute(matches);
  };
}

/** The controls a user can act on, by id, and whether each is disabled. */
async function disabledControls(page: Page): Promise<Record<string, boolean>> {
  return page.evaluate(() =>
    Object.fromEntries(
      ['file', 'sample', 'tune', 'threshold', 'view-overlay', 'view-heatmap', 'download-mask', 'download-overlay', 'profile'].map((id) => [
        id,
        (document.getElementById(id) as HTMLInputElement | HTMLButtonElement).disabled,
      ]),
    ),
  );
}

/** A canvas's RGBA pixels. */
async function canvasRgba(page: Page, id: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { width, height, base64 } = await page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let text = '';
    for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, base64: btoa(text) };
  }, id);
  return { width, height, data: Buffer.from(base64, 'base64') };
}

/** Moves the threshold slider as a user does. */
const setThreshold = (page: Page, value: string) => setSlider(page, '#threshold', value);

/** Clicks a download button and returns the file the browser saved: its suggested name and decoded pixels. */
async function download(page: Page, button: string): Promise<{ name: string; width: number; height: number; data: Uint8Array }> {
  const [saved] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click(button)]);
  const name = saved.suggestedFilename();
  const bytes = readFileSync(await saved.path());
  expect([...bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), `${name} is a PNG`).to.equal('PNG');
  return { name, ...decodeImage(bytes, name) };
}

/** Waits until the page's data-state is one of `states`; a timeout names the state and status it got stuck in. */
async function waitForState(page: Page, states: string[], ms: number): Promise<string> {
  try {
    await page.waitForFunction((s) => s.includes(document.body.dataset.state ?? ''), states, { timeout: ms, polling: 250 });
  } catch (err) {
    const state = await page.evaluate(() => document.body.dataset.state).catch(() => '?');
    const status = await page.textContent('#model-status').catch(() => '?');
    throw new Error(
      `the demo page did not reach ${states.join(' or ')} within ${ms / 1000} s: it is '${state}' (${status}); ${(err as Error).message.split('\n')[0]}`,
      { cause: err },
    );
  }
  return (await page.evaluate(() => document.body.dataset.state))!;
}

async function message(page: Page): Promise<string> {
  return page.evaluate(() => (document.getElementById('message')!.hidden ? '' : document.getElementById('message')!.innerText));
}

/**
 * Classifies every pixel of a canvas (the result by default) against the sample as the browser decodes it: unchanged,
 * tinted (the overlay's 40% green blend) or contour (yellow). Anything else means the page drew something wrong.
 */
async function overlayCensus(page: Page, canvasId = 'result'): Promise<{ total: number; unchanged: number; tinted: number; contour: number; other: number }> {
  return page.evaluate(async (id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const shown = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const blob = await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg')).blob();
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const scratch = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    scratch.drawImage(bitmap, 0, 0);
    const src = scratch.getImageData(0, 0, bitmap.width, bitmap.height).data;
    if (src.length !== shown.length) throw new Error(`${id} canvas is ${canvas.width}x${canvas.height}, the sample ${bitmap.width}x${bitmap.height}`);
    const tint = [0, 255, 0];
    const counts = { total: src.length / 4, unchanged: 0, tinted: 0, contour: 0, other: 0 };
    for (let o = 0; o < src.length; o += 4) {
      const same = (f: (c: number) => number) => [0, 1, 2].every((c) => shown[o + c] === f(c));
      if (same((c) => [255, 255, 0][c]!)) counts.contour++;
      else if (same((c) => src[o + c]!)) counts.unchanged++;
      else if (same((c) => Math.round(src[o + c]! * 0.6 + tint[c]! * 0.4))) counts.tinted++;
      else counts.other++;
    }
    return counts;
  }, canvasId);
}

/** The region size the page reports: its pixel count, or 0 when it says no polyp was found. */
async function regionPixels(page: Page): Promise<number> {
  const text = (await page.textContent('#area')) ?? '';
  if (/^No polyp found at threshold/.test(text)) return 0;
  return Number(/\((\d+) pixels;/.exec(text)?.[1] ?? NaN);
}

describe('browser: the demo page with WebGPU', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(120_000);
    if (!existsSync(join(REPO_ROOT, 'web/dist/app.js'))) throw new Error('web/dist/app.js is missing: run npm run build:web (npm run test:browser does)');
    session = await openSession({ webgpu: true });
  });

  after(async () => {
    await session?.close();
  });

  it('shows the download while loading, then a ready page with the research-use notice, the model in plain words and labelled controls', async function () {
    this.timeout(300_000);
    const page = session!.page;
    const release = await holdRequests(page, '/test-files/tiny.pnw');
    try {
      await page.goto(`${session!.url}?weights=/test-files/tiny.pnw`);
      await page.waitForFunction(() => document.getElementById('model-status')!.textContent.startsWith('Loading the model'), undefined, {
        timeout: 60_000,
      });
      expect(await page.evaluate(() => document.body.dataset.state)).to.equal('loading');
      expect(await page.isVisible('#weights-progress'), 'download progress while loading').to.equal(true);
      const controls = await disabledControls(page);
      expect(controls, 'controls while loading').to.include({ file: true, sample: true, tune: true });
      await screenshot(page, 'demo-loading.png');
    } finally {
      await release();
    }
    const loaded = await waitForState(page, ['ready', 'error', 'no-webgpu'], 180_000);
    expect(loaded, `the page says: ${await message(page)}`).to.equal('ready');
    expect(await disabledControls(page), 'controls once ready').to.include({ file: false, sample: false, tune: false });
    await screenshot(page, 'demo-ready.png');

    expect(await page.isVisible('#notice')).to.equal(true);
    expect(await page.innerText('#notice')).to.match(/^Research use only\. This is not a medical device\./);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#notice').screenshot({ path: join(ARTIFACTS, 'demo-notice.png') });

    const info = await page.innerText('#model-info');
    expect(info).to.match(/^Model: PraNet weights from \/test-files\/tiny\.pnw/);
    expect(info, 'the architecture string stays in the details').not.to.match(/blocks \[/);
    expect(await page.innerText('#adapter')).to.match(/^Runs on .+, a (software adapter|graphics processor|graphics card)/);
    expect(await page.$eval('#details', (d) => (d as HTMLDetailsElement).open), 'details closed at first').to.equal(false);
    expect(await page.textContent('#detail-architecture')).to.match(/^stem \d+\/\d+, blocks \[/);
    expect(await page.textContent('#tiling')).to.match(/^the defaults for a (software|integrated|discrete) adapter \(no tuning table for this adapter yet/);

    // Each control is found by the name a screen reader announces.
    for (const [role, name] of [
      ['button', 'Try the sample image'],
      ['button', 'Tune for this GPU'],
      ['slider', 'Threshold'],
      ['radio', 'Region outlined at the threshold'],
      ['radio', 'Probability heat map'],
      ['button', 'Download the mask (PNG)'],
      ['button', 'Download the overlay (PNG)'],
      ['button', 'Profile the network'],
      ['img', 'The original image'],
      ['img', 'The result'],
    ] as const) {
      expect(await page.getByRole(role, { name, exact: true, includeHidden: true }).count(), `${role} named '${name}'`).to.equal(1);
    }
    expect(await page.getByLabel('Choose a colonoscopy image').count(), 'the file input by its label').to.equal(1);
  });

  it('segments the sample image chosen with the file input, and re-thresholds without re-running', async function () {
    this.timeout(400_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/test-files/tiny.pnw`);
    const loaded = await waitForState(page, ['ready', 'error', 'no-webgpu'], 180_000);
    expect(loaded, `the page says: ${await message(page)}`).to.equal('ready');
    console.log(`      [demo page] ${await page.textContent('#adapter')}`);

    await page.setInputFiles('#file', SAMPLE);
    const done = await waitForState(page, ['done', 'error'], 180_000);
    expect(done, `the page says: ${await message(page)}`).to.equal('done');
    await screenshot(page, 'demo-done-overlay.png');
    expect(await page.isVisible('#original'), 'the original beside the result').to.equal(true);
    const original = await overlayCensus(page, 'original');
    expect(original.unchanged, 'pixels of the original drawn as the sample').to.equal(original.total);
    expect(await page.getAttribute('#result', 'aria-label')).to.equal(
      'kvasir-cju0u82z3cuma0835wlxrnrjv.jpg with the pixels whose probability reaches 0.50 tinted green and outlined in yellow',
    );

    const atHalf = await overlayCensus(page);
    console.log(`      [demo page] overlay at 0.50: ${JSON.stringify(atHalf)}`);
    expect(atHalf.other, 'pixels that are neither the image, its tint nor the contour').to.equal(0);
    expect(atHalf.tinted, 'tinted pixels').to.be.greaterThan(0);
    expect(atHalf.contour, 'contour pixels').to.be.greaterThan(0);
    expect(atHalf.tinted + atHalf.contour, 'region pixels drawn vs the count the page reports').to.equal(await regionPixels(page));

    const timings = await page.$$eval('#timings tr', (rows) => rows.map((r) => (r as HTMLTableRowElement).innerText.replace(/\s+/g, ' ')));
    console.log(`      [demo page] ${timings.join('; ')}`);
    for (const stage of ['decode', 'upload', 'network', 'read-back']) {
      expect(
        timings.some((t) => t.startsWith(stage) && /\d+\.\d ms$/.test(t)),
        `a timing row for ${stage}`,
      ).to.equal(true);
    }

    await setThreshold(page, '0.8');
    const atHigher = await overlayCensus(page);
    expect(atHigher.other).to.equal(0);
    expect(atHigher.tinted + atHigher.contour, 'region at threshold 0.8 vs 0.5').to.be.lessThan(atHalf.tinted + atHalf.contour);
    expect(atHigher.tinted + atHigher.contour).to.equal(await regionPixels(page));
    expect(await page.evaluate(() => document.body.dataset.runs), 'network runs after moving the slider').to.equal('1');

    // Above the highest probability nothing is marked, and the page says so.
    await setThreshold(page, '1');
    expect((await overlayCensus(page)).tinted).to.equal(0);
    expect(await page.textContent('#area')).to.match(/^No polyp found at threshold 1\.00 \(highest probability 0\.\d\d\)\.$/);
    await screenshot(page, 'demo-no-polyp.png');

    // The same profiler as `pranet profile`, shown as a table.
    await page.click('#profile');
    await page.waitForFunction(() => document.body.dataset.profiled === 'yes', undefined, { timeout: 180_000 });
    const method = (await page.textContent('#profile-method')) ?? '';
    console.log(`      [demo page] ${method}`);
    expect(method).to.match(/timestamp-query|host clock/);
    const stages = await page.$$eval('#profile-stages tbody tr', (rows) => rows.map((r) => (r.firstChild as HTMLElement).textContent));
    expect(stages).to.include.members(['stem', 'layer1', 'RFB', 'decoder', 'RA2']);
    expect(await page.$$eval('#profile-kernels tbody tr', (rows) => rows.length)).to.equal(12);
  });

  it('segments an image dropped on the page and the one-click sample, each at the default threshold again', async function () {
    this.timeout(400_000);
    const page = session!.page; // still showing the result of the previous test, at threshold 1.00
    const runs = () => page.evaluate(() => document.body.dataset.runs);
    expect(await runs(), 'the previous test left one run').to.equal('1');
    expect(await page.inputValue('#threshold'), 'the threshold the previous test left').to.equal('1');
    await page.evaluate(async () => {
      const blob = await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg')).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'dropped.jpg', { type: 'image/jpeg' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.body.dataset.runs === '2' || document.body.dataset.state === 'error', undefined, { timeout: 180_000 });
    expect(await message(page), 'message after the drop').to.equal('');
    expect(await page.textContent('#result-status')).to.match(/^dropped\.jpg: 626 x 546/);
    expect(await page.inputValue('#threshold'), 'the slider after a new image').to.equal('0.5');
    expect(await page.textContent('#threshold-value')).to.equal('0.50');
    expect(await page.textContent('#area')).to.match(/^Predicted polyp at threshold 0\.50:/);

    await setThreshold(page, '0.7');
    await page.click('#sample');
    await page.waitForFunction(() => document.body.dataset.runs === '3' || document.body.dataset.state === 'error', undefined, { timeout: 180_000 });
    expect(await message(page), 'message after the sample button').to.equal('');
    expect(await page.textContent('#result-status')).to.match(/^the sample image: 626 x 546/);
    expect(await page.inputValue('#threshold'), 'the slider after the sample').to.equal('0.5');
    const census = await overlayCensus(page);
    expect(census.other).to.equal(0);
    expect(census.tinted + census.contour).to.equal(await regionPixels(page));
  });

  it('shows the probability as a heat map: unstretched, in the legend’s colours, above 0.5 exactly where the overlay marks', async function () {
    this.timeout(120_000);
    const page = session!.page; // the sample at threshold 0.50
    const region = await regionPixels(page);
    const highest = Number(/highest probability (\d\.\d\d)/.exec((await page.textContent('#area')) ?? '')?.[1]);
    await page.check('#view-heatmap');
    expect(await page.isVisible('#legend'), 'the legend beside the heat map').to.equal(true);
    expect(await page.textContent('#result-caption')).to.equal('Probability heat map');
    await screenshot(page, 'demo-heatmap.png');

    const shown = await canvasRgba(page, 'result');
    const entry = new Map<number, number>();
    for (let i = 0; i < 256; i++) entry.set((HEAT_LUT[3 * i]! << 16) | (HEAT_LUT[3 * i + 1]! << 8) | HEAT_LUT[3 * i + 2]!, i);
    expect(entry.size, 'distinct colours in the heat map table').to.equal(256);
    let offTable = 0;
    let atLeastHalf = 0;
    let top = 0;
    for (let o = 0; o < shown.data.length; o += 4) {
      const i = entry.get((shown.data[o]! << 16) | (shown.data[o + 1]! << 8) | shown.data[o + 2]!);
      if (i === undefined) offTable++;
      else {
        if (i >= 128) atLeastHalf++;
        top = Math.max(top, i);
      }
    }
    console.log(
      `      [demo page] heat map: ${atLeastHalf} pixels at 0.5 or more, top entry ${top} (${(top / 255).toFixed(3)}), highest probability ${highest}`,
    );
    expect(offTable, 'pixels not in the heat map colours').to.equal(0);
    expect(atLeastHalf, 'heat map pixels at 0.5 or more vs the region at threshold 0.50').to.equal(region);
    // PraNet's min-max map would put its top pixel at 255; the probability's top is the highest probability.
    expect(Math.abs(top / 255 - highest), 'top of the heat map vs the highest probability').to.be.at.most(0.005 + 0.5 / 255);
    expect(highest, 'the tiny model stays below 1, so the two maps differ').to.be.below(0.99);

    await page.check('#view-overlay');
    expect(await page.isVisible('#legend')).to.equal(false);
    const census = await overlayCensus(page);
    expect(census.other).to.equal(0);
    expect(census.tinted + census.contour).to.equal(region);
  });

  it('downloads the mask at the threshold and the overlay as PNGs of the image’s size', async function () {
    this.timeout(120_000);
    const page = session!.page; // the sample, overlay view, threshold 0.50
    expect(await page.textContent('#download-note')).to.match(
      /^Both PNGs are 626 x 546, like the image\. The mask is the threshold's: white \(255\) where the probability reaches 0\.50/,
    );
    for (const t of ['0.5', '0.8']) {
      await setThreshold(page, t);
      const region = await regionPixels(page);
      const mask = await download(page, '#download-mask');
      expect(mask.name).to.equal(`kvasir-cju0u82z3cuma0835wlxrnrjv.mask-${Number(t).toFixed(2)}.png`);
      expect([mask.width, mask.height]).to.deep.equal([626, 546]);
      let white = 0;
      let notBinary = 0;
      for (let o = 0; o < mask.data.length; o += 4) {
        const [r, g, b, a] = mask.data.subarray(o, o + 4);
        if (r === 255 && g === 255 && b === 255 && a === 255) white++;
        else if (r !== 0 || g !== 0 || b !== 0 || a !== 255) notBinary++;
      }
      expect(notBinary, `${mask.name}: pixels neither black nor white`).to.equal(0);
      expect(white, `${mask.name}: white pixels vs the region the page reports`).to.equal(region);

      const overlay = await download(page, '#download-overlay');
      expect(overlay.name).to.equal(`kvasir-cju0u82z3cuma0835wlxrnrjv.overlay-${Number(t).toFixed(2)}.png`);
      const canvas = await canvasRgba(page, 'result');
      expect([overlay.width, overlay.height]).to.deep.equal([canvas.width, canvas.height]);
      expect(Buffer.from(overlay.data).equals(canvas.data), `${overlay.name} vs the overlay on the page`).to.equal(true);
    }
    await setThreshold(page, '0.5');
  });

  it('while running shows a busy indicator and disables the controls, and enables them again when done', async function () {
    this.timeout(300_000);
    const page = session!.page;
    const runsBefore = Number(await page.evaluate(() => document.body.dataset.runs));
    const release = await holdRequests(page, SAMPLE_PATH);
    try {
      await page.click('#sample');
      await waitForState(page, ['running'], 30_000);
      expect(await page.isVisible('#busy'), 'busy indicator').to.equal(true);
      expect(await page.getAttribute('#output', 'aria-busy')).to.equal('true');
      expect(await page.textContent('#result-status')).to.equal('Segmenting the sample image…');
      const controls = await disabledControls(page);
      expect(
        Object.entries(controls).filter(([, disabled]) => !disabled),
        'controls left enabled while running',
      ).to.deep.equal([]);
      await screenshot(page, 'demo-running.png');
    } finally {
      await release();
    }
    expect(await waitForState(page, ['done', 'error'], 180_000), `the page says: ${await message(page)}`).to.equal('done');
    expect(await page.evaluate(() => document.body.dataset.runs)).to.equal(String(runsBefore + 1));
    expect(await page.isVisible('#busy')).to.equal(false);
    expect(Object.values(await disabledControls(page)), 'controls disabled after the run').not.to.include(true);
  });

  it('after a file that is not an image, says so and clears the previous image', async function () {
    this.timeout(300_000);
    const page = session!.page; // the sample's result
    await page.setInputFiles('#file', { name: 'not-an-image.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a JPEG file') });
    expect(await waitForState(page, ['error'], 60_000)).to.equal('error');
    expect(await message(page)).to.match(/^Could not read not-an-image\.jpg as an image\n/);
    expect(await page.isVisible('#output'), 'the previous result under the error').to.equal(false);
    expect(await page.$eval('#result', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]), 'the result canvas').to.deep.equal([1, 1]);
    expect(await disabledControls(page), 'controls after the error').to.include({ file: false, sample: false, 'download-mask': true, threshold: true });
    await screenshot(page, 'demo-error-bad-file.png');

    await page.click('#sample');
    expect(await waitForState(page, ['done', 'error'], 180_000), `the page says: ${await message(page)}`).to.equal('done');
    expect(await message(page), 'the error once an image works').to.equal('');
  });

  it('with the shipped model (no ?weights=), outlines the polyp of the one-click sample like its ground truth', async function () {
    this.timeout(400_000);
    const page = session!.page;
    await page.goto(session!.url);
    const loaded = await waitForState(page, ['ready', 'error', 'no-webgpu'], 180_000);
    expect(loaded, `the page says: ${await message(page)}`).to.equal('ready');
    expect(await page.textContent('#model-info')).to.include(`the built-in PraNet (${DEFAULT_WEIGHTS_FILE})`);
    await page.click('#sample');
    expect(await waitForState(page, ['done', 'error'], 300_000), `the page says: ${await message(page)}`).to.equal('done');
    await screenshot(page, 'demo-shipped-model.png');
    const census = await overlayCensus(page);
    expect(census.other).to.equal(0);
    // Dice between the drawn region (tint and contour, at the default threshold 0.5) and the sample's mask.
    const dice = await page.evaluate(async () => {
      const canvas = document.getElementById('result') as HTMLCanvasElement;
      const shown = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const blob = await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.mask.jpg')).blob();
      const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none' });
      const scratch = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
      scratch.drawImage(bitmap, 0, 0);
      const gt = scratch.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const image = await createImageBitmap(await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg')).blob(), {
        colorSpaceConversion: 'none',
        premultiplyAlpha: 'none',
      });
      const plain = new OffscreenCanvas(image.width, image.height).getContext('2d')!;
      plain.drawImage(image, 0, 0);
      const src = plain.getImageData(0, 0, image.width, image.height).data;
      let tp = 0;
      let pred = 0;
      let pos = 0;
      for (let o = 0; o < shown.length; o += 4) {
        const drawn = shown[o] !== src[o] || shown[o + 1] !== src[o + 1] || shown[o + 2] !== src[o + 2];
        const truth = 0.2989 * gt[o]! + 0.587 * gt[o + 1]! + 0.114 * gt[o + 2]! > 128;
        pred += Number(drawn);
        pos += Number(truth);
        tp += Number(drawn && truth);
      }
      return (2 * tp) / (pred + pos);
    });
    console.log(`      [demo page, shipped model] Dice of the outlined region vs the sample's ground truth: ${dice.toFixed(4)}`);
    expect(dice).to.be.at.least(DICE_FLOOR);
  });

  it('says clearly when the weights are not on the server (HTTP 404), listing the formats it takes', async function () {
    this.timeout(120_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/test-files/no-such-model.pnw`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
    const text = await message(page);
    expect(text).to.match(/The model \/test-files\/no-such-model\.pnw could not be loaded/);
    expect(text).to.match(/HTTP 404/);
    expect(text).to.match(FORMATS);
    expect(text, 'a same-origin 404 is no CORS problem').not.to.match(/CORS/);
    expect(await page.isDisabled('#file'), 'file input disabled without a model').to.equal(true);
  });

  it('says clearly when the file is not a model, listing the formats it takes', async function () {
    this.timeout(120_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
    const text = await message(page);
    expect(text).to.match(/could not be loaded[\s\S]*kvasir-cju0u82z3cuma0835wlxrnrjv\.jpg/);
    expect(text).to.match(FORMATS);
  });

  it('says "blocked by CORS" with the URL for weights on another origin that does not allow this page, and tells an unreachable server apart', async function () {
    this.timeout(120_000);
    const page = session!.page;
    const serve = (await import(pathToFileURL(join(REPO_ROOT, 'tools/serve.mjs')).href)) as typeof Serve;
    // The same file on a second port: another origin, and the server sends no CORS headers.
    const other = await serve.startServer({ port: 0, mounts: { '/test-files/': session!.files } });
    try {
      const url = `${other.url}test-files/tiny.pnw`;
      expect(new URL(url).origin).not.to.equal(new URL(session!.url).origin);
      await page.goto(`${session!.url}?weights=${encodeURIComponent(url)}`);
      expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
      const text = await message(page);
      console.log(`      [demo page, cross-origin] ${text.split('\n')[0]}`);
      expect(text.split('\n')[0]).to.equal(`The model ${url} could not be loaded: blocked by CORS`);
      expect(text).to.include(`${url}: download failed`);
      expect(text).to.match(FORMATS);
      await screenshot(page, 'demo-cors.png');
    } finally {
      await other.close();
    }
    // Nothing listens there any more: not a CORS problem.
    const gone = `${other.url}test-files/tiny.pnw`;
    await page.goto(`${session!.url}?weights=${encodeURIComponent(gone)}`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
    expect((await message(page)).split('\n')[0]).to.equal(`The model ${gone} could not be loaded: the server could not be reached`);
  });

  // Last: the table it stores in this browser profile would be used by every later load.
  it('tunes the tiny network for this GPU with progress, then uses the table it stored in IndexedDB', async function () {
    this.timeout(600_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/test-files/tiny.pnw&size=64`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 180_000), `the page says: ${await message(page)}`).to.equal('ready');
    expect(await page.textContent('#tiling')).to.match(/^the defaults for a /);
    expect(await page.textContent('#tune-note')).to.match(/several minutes/);
    await page.check('#tune-quick'); // the full tuning takes 3-4 minutes on SwiftShader; the same path, fewer candidates
    const t0 = Date.now();
    await page.click('#tune');
    await waitForState(page, ['tuning'], 30_000);
    expect(await disabledControls(page), 'controls while tuning').to.include({ file: true, sample: true, tune: true });
    // Progress reaches the page while it tunes: the page keeps drawing between the measurements.
    const seen = new Set<string>();
    while ((await page.evaluate(() => document.body.dataset.state)) === 'tuning' && Date.now() - t0 < 540_000) {
      const text = (await page.textContent('#tune-text')) ?? '';
      if (!seen.has(text) && seen.size === 2) await screenshot(page, 'demo-tuning.png');
      seen.add(text);
      await page.waitForTimeout(100);
    }
    const tuneText = (await page.textContent('#tune-text')) ?? '';
    console.log(`      [demo page] tuning took ${((Date.now() - t0) / 1000).toFixed(1)} s; ${seen.size} progress texts seen; ${tuneText}`);
    expect(await waitForState(page, ['ready'], 1000), `the page says: ${await message(page)}`).to.equal('ready');
    expect(
      [...seen].filter((t) => /^Timing the candidate tilings of convolution \d+ of \d+…$/.test(t)).length,
      `progress seen: ${[...seen].join(' | ')}`,
    ).to.be.at.least(2);
    expect(tuneText).to.match(
      /^Tuned in \d+ s: \d+ kinds of convolution measured, and the fastest whole pass was ".+"\. Saved in IndexedDB pranet-wgsl\/tuning\/\S+; the model now uses it/,
    );
    const where = /Saved in (IndexedDB \S+);/.exec(tuneText)![1]!;
    expect(await page.textContent('#tiling'), 'the tilings the reloaded model uses').to.match(
      new RegExp(`^tuning table ${where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, tuned `),
    );
    await page.click('#details summary');
    await screenshot(page, 'demo-tuned.png');

    await page.click('#sample');
    expect(await waitForState(page, ['done', 'error'], 180_000), `the page says: ${await message(page)}`).to.equal('done');
    const census = await overlayCensus(page);
    expect(census.other).to.equal(0);
    expect(census.tinted + census.contour).to.equal(await regionPixels(page));
  });
});

describe('browser: the demo page in a Chromium without WebGPU', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(120_000);
    session = await openSession({ webgpu: false });
  });

  after(async () => {
    await session?.close();
  });

  it('shows the no-WebGPU message and disables the inputs', async function () {
    this.timeout(120_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/test-files/tiny.pnw`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('no-webgpu');
    const text = await message(page);
    console.log(`      [demo page without WebGPU] ${text.split('\n')[0]}`);
    expect(text).to.match(/This browser has no WebGPU/);
    expect(text).to.match(/requestAdapter returned null|navigator\.gpu is missing/);
    expect(await disabledControls(page)).to.include({ file: true, sample: true, tune: true });
    await screenshot(page, 'demo-no-webgpu.png');
  });
});
