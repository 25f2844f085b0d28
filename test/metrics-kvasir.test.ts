// Reference test: the 100 official PraNet Kvasir maps against the Kvasir-SEG GT masks must reproduce the
// values that PraNet's eval/main.m rules give (docs/metrics.md, Reference values), each within 0.0005.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { decodeImage } from '../src/io/image.js';
import { evaluateDataset, type DatasetMetrics, type ImagePair } from '../src/metrics/evaluate.js';
import { rgbaFirstChannel, rgbaToGrayMatlab } from '../src/metrics/from-rgba.js';
import { KVASIR_TEST, PRANET_MAPS } from './support/paths.js';
import { requireSharedData } from './support/shared-data.js';

// The MATLAB-rule values on the released maps (docs/metrics.md, Reference values), and the mean Dice at a
// fixed 0.5 threshold.
const REFERENCE = { mDice: 0.8944, mIoU: 0.8362, wFm: 0.8803, Sm: 0.9125, maxEm: 0.9443, MAE: 0.0303, meanEm: 0.9403, maxDice: 0.8995 };
const REFERENCE_DICE05 = 0.8993;
const TOLERANCE = 0.0005;

describe('metrics: Kvasir reference (official PraNet maps, main.m rules)', function () {
  this.timeout(300_000);
  const mapDir = PRANET_MAPS;
  const maskDir = path.join(KVASIR_TEST, 'masks');
  const pairs: ImagePair[] = [];
  let maskRgba: { width: number; height: number; data: Uint8Array }[] = [];
  let result: DatasetMetrics;

  before(function () {
    requireSharedData(this, mapDir, maskDir);
    const maps = fs
      .readdirSync(mapDir)
      .filter((f) => f.endsWith('.png'))
      .sort();
    const masks = new Map(fs.readdirSync(maskDir).map((f) => [path.parse(f).name, f] as const));
    expect(maps, `PNG maps in ${mapDir}`).to.have.length(100);
    maskRgba = [];
    for (const file of maps) {
      const name = path.parse(file).name;
      const maskFile = masks.get(name);
      if (maskFile === undefined) throw new Error(`${maskDir}: no mask for map ${file}`);
      const mapSource = path.join(mapDir, file);
      const maskSource = path.join(maskDir, maskFile);
      const map = decodeImage(new Uint8Array(fs.readFileSync(mapSource)), mapSource);
      const mask = decodeImage(new Uint8Array(fs.readFileSync(maskSource)), maskSource);
      maskRgba.push(mask);
      pairs.push({
        name,
        pred: rgbaFirstChannel(map.data, map.width, map.height),
        gt: rgbaToGrayMatlab(mask.data, mask.width, mask.height),
      });
    }
    result = evaluateDataset(pairs);
    const f = (x: number) => x.toFixed(5);
    const dice05 = result.images.reduce((s, r) => s + r.dice05, 0) / result.n;
    console.log(
      `      Kvasir n=${result.n}: mDice ${f(result.mDice)} mIoU ${f(result.mIoU)} wFm ${f(result.wFm)} ` +
        `Sm ${f(result.Sm)} maxEm ${f(result.maxEm)} meanEm ${f(result.meanEm)} MAE ${f(result.MAE)} ` +
        `maxDice ${f(result.maxDice)} Dice@0.5 ${f(dice05)}`,
    );
  });

  it('GT binarisation does not depend on the luma rounding or the JPEG decoder', () => {
    // The masks' JPEG noise stays far from 128 (PIL sees only 0..8 and 247..255), so rgb2gray's exact
    // weights, their 4-digit forms or a decoder differing by a level or two all give the same G.
    for (let i = 0; i < pairs.length; i++) {
      const { data } = pairs[i]!.gt;
      const rgba = maskRgba[i]!.data;
      for (let p = 0; p < data.length; p++) {
        const g = data[p]!;
        if (g > 64 && g < 192) throw new Error(`${pairs[i]!.name}: GT gray ${g} at pixel ${p} is near the 128 threshold`);
        const rounded = Math.round(0.2989 * rgba[4 * p]! + 0.587 * rgba[4 * p + 1]! + 0.114 * rgba[4 * p + 2]!);
        if (rounded > 128 !== g > 128) throw new Error(`${pairs[i]!.name}: 4-digit luma flips pixel ${p}`);
      }
    }
  });

  for (const key of Object.keys(REFERENCE) as (keyof typeof REFERENCE)[]) {
    it(`${key} = ${REFERENCE[key]} +- ${TOLERANCE}`, () => {
      expect(result.n).to.equal(100);
      expect(result[key]).to.be.closeTo(REFERENCE[key], TOLERANCE);
    });
  }

  it(`Dice at a fixed 0.5 threshold = ${REFERENCE_DICE05} +- ${TOLERANCE} (not the paper's mDice)`, () => {
    const dice05 = result.images.reduce((s, r) => s + r.dice05, 0) / result.n;
    expect(dice05).to.be.closeTo(REFERENCE_DICE05, TOLERANCE);
  });
});
