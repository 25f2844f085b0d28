// A third WebGPU implementation: Deno runs WebGPU on wgpu (naga compiles WGSL), where Node and Chromium run
// Dawn (Tint). The browser build in Deno must give Node's logits for the built-in model on the sample image,
// and Node's outputs for the kernel cases of the Chromium tests that need no subgroups (wgpu offers none to
// Deno today, so the engine picks tilings without them there). `npm run test:deno` runs this file.
//
// Bounds: logits within 1e-4 relative L2 of Node's, the bound the Chromium tests use. Different compilers may
// contract a*b+c into a fused multiply-add differently, a float32 rounding difference per operation that the
// network accumulates to far below 1e-4; a wrong kernel is off by 1e-1 or more. On lavapipe the logits have
// been identical bit for bit (printed). Kernels: within 1e-5 of Node's largest magnitude, as in Chromium.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WEIGHTS_FILE } from '../../src/api/default-weights.js';
import { Segmenter } from '../../src/api/segmenter.js';
import { unpackNhwc } from '../../src/kernels/layout.js';
import { weightsFromBytes } from '../../src/models/load-weights.js';
import { kernelCases } from '../browser/support/kernel-cases.js';
import { expectClose, expectOutputWindow } from '../support/compare.js';
import { distance } from '../support/golden.js';
import { runCall, testGpu } from '../support/gpu.js';
import { REPO_ROOT } from '../support/paths.js';
import { requireOrSkip } from '../support/prerequisites.js';
import { DICE_FLOOR, sampleDice, sampleImage } from '../support/shipped-model.js';
import { type DenoRun, runDenoHarness, whyNoDeno } from './support/run-deno.js';

const WEIGHTS = join(REPO_ROOT, DEFAULT_WEIGHTS_FILE);
/** The kernel cases whose shaders need no WGSL extension (the others share weights through subgroups). */
const CASES = [...kernelCases().entries()].filter(([, c]) => !/^enable /m.test(c.call.code));

describe('Deno (WebGPU on wgpu) equals Node (Dawn)', function () {
  let run: DenoRun | undefined;
  let node: Awaited<ReturnType<Segmenter['segment']>>;

  before(async function () {
    this.timeout(900_000);
    requireOrSkip(this, whyNoDeno());
    const image = sampleImage();
    const { ctx } = await testGpu();
    const segmenter = await Segmenter.create(ctx, weightsFromBytes(readFileSync(WEIGHTS), WEIGHTS));
    node = await segmenter.segment(image, { logits: true }).finally(() => segmenter.dispose());
    run = await runDenoHarness(
      WEIGHTS,
      image,
      CASES.map(([i]) => i),
      840_000,
    );
    const { adapter, features, coldStart: c, kernelsMs } = run.report;
    console.log(`      [Deno GPU] ${adapter.description || adapter.device} (vendor ${adapter.vendor}); features: ${features.join(', ') || 'none'}`);
    console.log(
      `      Deno cold start: device ${c.deviceMs.toFixed(0)} ms, weights ${c.weightsMs.toFixed(0)} ms, build ${c.buildMs.toFixed(0)} ms, ` +
        `first run ${(c.firstRunMs / 1000).toFixed(1)} s, second run ${c.secondRunMs.toFixed(0)} ms; ${CASES.length} kernel cases ${(kernelsMs / 1000).toFixed(1)} s`,
    );
  });

  after(() => run?.cleanup());

  it('the built-in model on the sample image: the same logits and probability map as Node, and the ground truth matched', function () {
    const logits = run!.floats('logits');
    const probability = run!.floats('probability');
    const dLogits = distance(logits, node.logits!);
    const dProb = distance(probability, node.probability);
    const identical = logits.every((v, i) => Object.is(v, node.logits![i]));
    console.log(
      `      logits relL2 ${dLogits.rel_l2.toExponential(2)} (max |diff| ${dLogits.max_abs.toExponential(2)}${identical ? ', identical bit for bit' : ''}); probability relL2 ${dProb.rel_l2.toExponential(2)}`,
    );
    expect(logits.length).to.equal(352 * 352);
    expect(dLogits.rel_l2, 'lateral_map_2: relative L2 of Deno vs Node').to.be.at.most(1e-4);
    expect(dProb.rel_l2, 'probability: relative L2 of Deno vs Node').to.be.at.most(1e-4);
    const image = sampleImage();
    expect(sampleDice(probability, image.width, image.height), "Dice against the sample's ground truth").to.be.at.least(DICE_FLOOR);
  });

  for (const [index, c] of CASES) {
    it(`kernel: ${c.name}`, async function () {
      this.timeout(120_000);
      const ref = unpackNhwc((await runCall(c.call, c.inputs, { y: c.yFloats })).y!, c.y);
      const got = run!.floats(`case-${index}`);
      expect(got.length, 'output floats').to.equal(c.yFloats);
      expectClose(unpackNhwc(got, c.y), ref, 1e-5, `${c.name}: Deno vs Node`);
      expectOutputWindow(got, c.y.cs, c.y.co, c.y.c, `${c.name}: Deno output window`);
    });
  }

  it('the subset holds a kernel case of every family', function () {
    const ran = CASES.map(([, c]) => c.name.split(' ')[0]!);
    for (const family of ['conv', 'maxpool', 'avgpool', 'resize', 'relu', 'add', 'batchnorm', 'erase', 'minmax', 'sigmoid'])
      expect(ran, `a ${family} case`).to.include(family);
  });
});
