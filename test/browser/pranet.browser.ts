// The whole network through the public browser API (loadSegmenter from src/browser.ts, weights fetched from
// the static server) against the same network in Node: the tiny random PraNet's logits (lateral_map_2) and
// probabilities on a fixed synthetic image must match within 1e-4 relative L2; so must the shipped model's
// (float16 weights from /weights/) on the sample image, which must also match its ground truth.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEIGHTS_FILE } from '../../src/api/default-weights.js';
import { FrameSegmenter } from '../../src/api/frames.js';
import { Segmenter } from '../../src/api/segmenter.js';
import { weightsFromBytes } from '../../src/models/load-weights.js';
import { distance } from '../support/golden.js';
import { testGpu } from '../support/gpu.js';
import { REPO_ROOT } from '../support/paths.js';
import { rng } from '../support/random.js';
import { DICE_FLOOR, sampleDice, sampleImage } from '../support/shipped-model.js';
import { tinyPraNetWeightFile } from '../support/tiny-weights.js';
import { openHarness, openSession, type Session, withDeadline } from './support/session.js';
import { floatsFromBase64, toBase64 } from './support/wire.js';

const SIZE = 64;

/** An 83 x 71 RGBA image: smooth colour gradients, a bright disc and seeded noise, so the resize has work to do. */
function syntheticImage(): { width: number; height: number; data: Uint8Array } {
  const width = 83;
  const height = 71;
  const r = rng(5);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const disc = (x - 50) ** 2 + (y - 30) ** 2 < 15 ** 2 ? 90 : 0;
      const o = 4 * (y * width + x);
      data[o] = Math.min(255, 120 + x + disc + Math.floor(20 * r()));
      data[o + 1] = Math.min(255, 40 + 2 * y + Math.floor(20 * r()));
      data[o + 2] = Math.min(255, 30 + disc / 2 + Math.floor(40 * r()));
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

describe('browser: tiny PraNet in headless Chromium equals Node', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(120_000);
    session = await openSession({ webgpu: true });
    await openHarness(session);
  });

  after(async () => {
    await session?.close();
  });

  it(`lateral_map_2 and the probability map of a fixed image at ${SIZE} x ${SIZE}`, async function () {
    this.timeout(300_000);
    const image = syntheticImage();
    const { ctx } = await testGpu();
    const nodeSegmenter = await Segmenter.create(ctx, weightsFromBytes(tinyPraNetWeightFile(1), 'tiny PraNet (seed 1)'), { size: SIZE });
    const node = await nodeSegmenter.segment(image, { logits: true }).finally(() => nodeSegmenter.dispose());

    const page = session!.page;
    const wire = { width: image.width, height: image.height, data: toBase64(image.data) };
    const sent = await withDeadline(
      page.evaluate(([url, size, img]) => window.harnessReady!.then((h) => h.segment(url, size, img)), ['tiny.pnw', SIZE, wire] as const),
      240_000,
      'segmenting in the page',
    );
    console.log(`      [browser GPU] ${JSON.stringify(sent.adapter)}`);

    const logits = floatsFromBase64(sent.logits);
    const probability = floatsFromBase64(sent.probability);
    expect(logits.length).to.equal(SIZE * SIZE);
    expect(probability.length).to.equal(image.width * image.height);
    const spread = Math.max(...node.logits!) - Math.min(...node.logits!);
    expect(spread, 'Node logits spread (a constant map would make the comparison empty)').to.be.greaterThan(1e-3);
    const dLogits = distance(logits, node.logits!);
    const dProb = distance(probability, node.probability);
    console.log(
      `      logits relL2 ${dLogits.rel_l2.toExponential(2)} maxabs ${dLogits.max_abs.toExponential(2)}; probability relL2 ${dProb.rel_l2.toExponential(2)}`,
    );
    expect(dLogits.rel_l2, 'lateral_map_2: relative L2 of browser vs Node').to.be.at.most(1e-4);
    expect(dProb.rel_l2, 'probability: relative L2 of browser vs Node').to.be.at.most(1e-4);
  });

  it('the frame segmenter: RGBA frames and ImageBitmaps of one size, alternating, give the map Node gives', async function () {
    this.timeout(300_000);
    const image = syntheticImage();
    const { ctx } = await testGpu();
    const nodeFrames = await FrameSegmenter.create(ctx, weightsFromBytes(tinyPraNetWeightFile(1), 'tiny PraNet (seed 1)'), { size: SIZE });
    const node = await nodeFrames.segment(image).finally(() => nodeFrames.dispose());
    const wire = { width: image.width, height: image.height, data: toBase64(image.data) };
    const maps = await withDeadline(
      session!.page.evaluate(([url, size, img]) => window.harnessReady!.then((h) => h.frames(url, size, img)), ['tiny.pnw', SIZE, wire] as const),
      240_000,
      'segmenting frames in the page',
    );
    const [first, ...rest] = maps.map(floatsFromBase64);
    expect(distance(first!, node.probability).rel_l2, 'RGBA frame: relative L2 of browser vs Node').to.be.at.most(1e-4);
    rest.forEach((m, i) => expect(distance(m, first!).max_abs, `frame ${i + 2} (${i % 2 === 0 ? 'ImageBitmap' : 'RGBA'}) vs frame 1`).to.equal(0));
  });

  it('the shipped model on the sample image: equals Node, matches the ground truth, and an ImageBitmap gives the same map', async function () {
    this.timeout(400_000);
    const image = sampleImage();
    const { ctx } = await testGpu();
    const path = join(REPO_ROOT, DEFAULT_WEIGHTS_FILE);
    const nodeSegmenter = await Segmenter.create(ctx, weightsFromBytes(readFileSync(path), path));
    const node = await nodeSegmenter.segment(image).finally(() => nodeSegmenter.dispose());

    const wire = { width: image.width, height: image.height, data: toBase64(image.data) };
    const sent = await withDeadline(
      session!.page.evaluate(([url, img]) => window.harnessReady!.then((h) => h.segment(url, 352, img, true)), [`/${DEFAULT_WEIGHTS_FILE}`, wire] as const),
      360_000,
      'segmenting the sample with the shipped model in the page',
    );
    const probability = floatsFromBase64(sent.probability);
    const fromBitmap = floatsFromBase64(sent.bitmapProbability!);
    const normalized = floatsFromBase64(sent.normalized);
    const d = distance(probability, node.probability);
    const dNormalized = distance(normalized, node.normalized);
    const dice = sampleDice(normalized, image.width, image.height);
    console.log(
      `      shipped model in the browser: relL2 vs Node: probability ${d.rel_l2.toExponential(2)}, normalized ${dNormalized.rel_l2.toExponential(2)}; Dice at 0.5 vs ground truth ${dice.toFixed(4)}`,
    );
    expect(d.rel_l2, 'probability: relative L2 of browser vs Node').to.be.at.most(1e-4);
    expect(dNormalized.rel_l2, 'normalized map: relative L2 of browser vs Node').to.be.at.most(1e-4);
    expect(dice, "Dice against the sample's ground truth").to.be.at.least(DICE_FLOOR);
    expect(distance(fromBitmap, probability).max_abs, 'ImageBitmap input vs the same RGBA pixels').to.equal(0);
  });
});

describe('browser: tuning in headless Chromium (SwiftShader)', function () {
  let session: Session | undefined;

  before(async function () {
    this.timeout(120_000);
    session = await openSession({ webgpu: true });
    await openHarness(session);
  });

  after(async () => {
    await session?.close();
  });

  it('imageToRgba refuses an image above 40 megapixels (as decodeImage does) instead of reading it blank (Chromium above 16384^2)', async function () {
    const read = (w: number, h: number) => session!.page.evaluate(([w, h]) => window.harnessReady!.then((x) => x.readCanvas(w, h)), [w, h] as const);
    expect(await read(20000, 20000)).to.equal('imageToRgba: the image is 20000x20000 = 400000000 pixels, above the limit of 40000000');
    expect(await read(3, 2)).to.equal('read');
  });

  it('tuneThisDevice measures the tiny network, stores the table in IndexedDB (a second tuning at half the size adds to it), and the next loadSegmenter uses it', async function () {
    this.timeout(600_000);
    const r = await withDeadline(
      session!.page.evaluate((size) => window.harnessReady!.then((h) => h.tune('tiny.pnw', size)), SIZE),
      540_000,
      'tuning in the page',
    );
    console.log(`      [browser tuning] ${r.convs.length} convs; chose ${r.chosen}; ${r.tilingDescription}`);
    expect(r.convs.length).to.be.greaterThan(20);
    expect(r.passes).to.include.members(['defaults', 'per-conv choice']);
    expect(r.where).to.match(/^IndexedDB pranet-wgsl\/tuning\//);
    expect(r.tilingDescription.startsWith(`tuning table ${r.where}, tuned `), r.tilingDescription).to.equal(true);
    expect(r.tilingDescription).to.include(`: ${r.chosen}`);
    // The tuning at half the size measured other convs (some shapes recur at both sizes): the stored table
    // has a rule for every conv either tuning measured, each once.
    expect(r.halfSizeConvs.filter((c) => !r.convs.includes(c)).length, 'convs only the second tuning measured').to.be.greaterThan(0);
    expect(r.storedRules.length, 'one rule per conv').to.equal(new Set(r.storedRules).size);
    expect(new Set(r.storedRules)).to.deep.equal(new Set([...r.halfSizeConvs, ...r.convs]));
    expect(r.storedEarlier).to.deep.equal([{ size: SIZE, batch: 1 }]);
    expect(r.tilingDescription).to.include(`also holds rules from earlier tunings for tiny.pnw at ${SIZE} px, batch 1`);
  });
});
