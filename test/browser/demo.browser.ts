// The demo page (web/index.html + the web/dist/app.js bundle) driven like a user in headless Chromium: it
// segments the sample image chosen through the file input with the tiny random PraNet, re-thresholds without
// re-running the network, outlines the sample's polyp with the shipped model, and explains a missing model
// and a browser without WebGPU.
import { expect } from 'chai';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEFAULT_WEIGHTS_FILE } from '../../src/api/default-weights.js';
import { REPO_ROOT } from '../support/paths.js';
import { DICE_FLOOR } from '../support/shipped-model.js';
import { openSession, type Session } from './support/session.js';

const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');

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
 * Classifies every pixel of the result canvas against the sample as the browser decodes it: unchanged,
 * tinted (the overlay's 40% green blend) or contour (yellow). Anything else means the page drew something wrong.
 */
async function overlayCensus(page: Page): Promise<{ total: number; unchanged: number; tinted: number; contour: number; other: number }> {
  return page.evaluate(async () => {
    const canvas = document.getElementById('result') as HTMLCanvasElement;
    const shown = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const blob = await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg')).blob();
    const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const scratch = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    scratch.drawImage(bitmap, 0, 0);
    const src = scratch.getImageData(0, 0, bitmap.width, bitmap.height).data;
    if (src.length !== shown.length) throw new Error(`result canvas is ${canvas.width}x${canvas.height}, the sample ${bitmap.width}x${bitmap.height}`);
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
  });
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
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });

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

    await page.$eval('#threshold', (el) => {
      (el as HTMLInputElement).value = '0.8';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    const atHigher = await overlayCensus(page);
    expect(atHigher.other).to.equal(0);
    expect(atHigher.tinted + atHigher.contour, 'region at threshold 0.8 vs 0.5').to.be.lessThan(atHalf.tinted + atHalf.contour);
    expect(atHigher.tinted + atHigher.contour).to.equal(await regionPixels(page));
    expect(await page.evaluate(() => document.body.dataset.runs), 'network runs after moving the slider').to.equal('1');

    // Above the highest probability nothing is marked, and the page says so.
    await page.$eval('#threshold', (el) => {
      (el as HTMLInputElement).value = '1';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    expect((await overlayCensus(page)).tinted).to.equal(0);
    expect(await page.textContent('#area')).to.match(/^No polyp found at threshold 1\.00 \(highest probability 0\.\d\d\)\.$/);

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

  it('segments an image dropped on the page and the one-click sample', async function () {
    this.timeout(400_000);
    const page = session!.page; // still showing the result of the previous test
    const runs = () => page.evaluate(() => document.body.dataset.runs);
    expect(await runs(), 'the previous test left one run').to.equal('1');
    await page.evaluate(async () => {
      const blob = await (await fetch('samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg')).blob();
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'dropped.jpg', { type: 'image/jpeg' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.body.dataset.runs === '2' || document.body.dataset.state === 'error', undefined, { timeout: 180_000 });
    expect(await message(page), 'message after the drop').to.equal('');
    expect(await page.textContent('#result-status')).to.match(/^dropped\.jpg: 626 x 546/);

    await page.click('#sample');
    await page.waitForFunction(() => document.body.dataset.runs === '3' || document.body.dataset.state === 'error', undefined, { timeout: 180_000 });
    expect(await message(page), 'message after the sample button').to.equal('');
    expect(await page.textContent('#result-status')).to.match(/^the sample image: 626 x 546/);
    const census = await overlayCensus(page);
    expect(census.other).to.equal(0);
    expect(census.tinted + census.contour).to.equal(await regionPixels(page));
  });

  it('with the shipped model (no ?weights=), outlines the polyp of the one-click sample like its ground truth', async function () {
    this.timeout(400_000);
    const page = session!.page;
    await page.goto(session!.url);
    const loaded = await waitForState(page, ['ready', 'error', 'no-webgpu'], 180_000);
    expect(loaded, `the page says: ${await message(page)}`).to.equal('ready');
    expect(await page.textContent('#model-info')).to.include(DEFAULT_WEIGHTS_FILE);
    await page.click('#sample');
    expect(await waitForState(page, ['done', 'error'], 300_000), `the page says: ${await message(page)}`).to.equal('done');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'demo-shipped-model.png'), fullPage: true });
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

  it('says clearly when the weights are not on the server (HTTP 404)', async function () {
    this.timeout(120_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/test-files/no-such-model.pnw`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
    const text = await message(page);
    expect(text).to.match(/The model \/test-files\/no-such-model\.pnw could not be loaded/);
    expect(text).to.match(/HTTP 404/);
    expect(await page.isDisabled('#file'), 'file input disabled without a model').to.equal(true);
  });

  it('says clearly when the file is not a model', async function () {
    this.timeout(120_000);
    const page = session!.page;
    await page.goto(`${session!.url}?weights=/samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg`);
    expect(await waitForState(page, ['ready', 'error', 'no-webgpu'], 60_000)).to.equal('error');
    expect(await message(page)).to.match(/could not be loaded[\s\S]*kvasir-cju0u82z3cuma0835wlxrnrjv\.jpg/);
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
    expect(await page.isDisabled('#sample')).to.equal(true);
  });
});
