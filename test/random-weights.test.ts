// Seeded random PraNet weights for every preset (src/models/random-weights.ts): the keys and shapes the
// PyTorch reference has, the topology the loader infers, reproducibility, and a network that stays finite.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PipelineCache } from '../src/gpu/pipelines.js';
import { buildPraNet } from '../src/models/pranet-graph.js';
import { PraNetModel } from '../src/models/pranet-model.js';
import { checkPreset, PRANET_PRESETS, type PraNetPresetName, praNetConvShapes, randomPraNetWeights } from '../src/models/random-weights.js';
import { requireTorch } from './support/python.js';
import { testGpu } from './support/gpu.js';
import { PYTHON, REPO_ROOT } from './support/paths.js';
import { expectedConfig } from './support/tiny-weights.js';

const PRESETS = Object.keys(PRANET_PRESETS) as PraNetPresetName[];

describe('random PraNet weights', () => {
  it('every preset loads through the graph builder (no missing or unused key) with its own topology', () => {
    for (const name of PRESETS) {
      const p = PRANET_PRESETS[name];
      const built = buildPraNet(randomPraNetWeights(name, 0), { size: 64, source: name });
      expect(built.rawBatchnorm).to.equal(false);
      expect(built.config, name).to.deep.equal(expectedConfig(p));
    }
    // Worked by hand from pranet_config.py: floor(planes * 26 / 64).
    expect(buildPraNet(randomPraNetWeights('compact', 0)).config.stages.map((s) => s.width)).to.deep.equal([13, 26, 52, 104]);
  });

  it('reports every missing, mis-shaped and unexpected key at once, even keys that the configuration is read from', () => {
    const w = randomPraNetWeights('official', 0);
    const shape = (k: string) => [...w.get(k)!.shape];
    const stem = shape('resnet.conv1.0.weight');
    const block = shape('resnet.layer3.2.conv1.weight');
    const split = shape('resnet.layer2.0.convs.0.weight');
    w.delete('resnet.conv1.0.weight'); // the stem width is also the input width of resnet.conv1.3
    w.delete('resnet.layer3.2.conv1.weight'); // a middle block: layer3 must keep its 6 blocks
    w.delete('resnet.layer2.0.convs.0.weight'); // the split width is also in layer2.1.convs.0
    w.set('ra3_conv2.conv.weight', { shape: [64, 64, 5, 5], data: new Float32Array(64 * 64 * 25) });
    w.set('extra.weight', { shape: [3], data: new Float32Array(3) });
    expect(() => buildPraNet(w, { size: 64, source: 'broken.pth' })).to.throw(
      `broken.pth: the weights do not fit the PraNet architecture (5 problems):\n` +
        `  missing key 'resnet.conv1.0.weight' (expected shape [${stem.join(', ')}])\n` +
        `  missing key 'resnet.layer2.0.convs.0.weight' (expected shape [${split.join(', ')}])\n` +
        `  missing key 'resnet.layer3.2.conv1.weight' (expected shape [${block.join(', ')}])\n` +
        `  key 'ra3_conv2.conv.weight' has shape [64, 64, 5, 5], expected [64, 64, 3, 3]\n` +
        `  unexpected key 'extra.weight' (shape [3])`,
    );
  });

  it('names every number of the configuration it cannot find', () => {
    const w = randomPraNetWeights('tiny', 0);
    for (const k of [...w.keys()]) if (k.startsWith('resnet.layer4.') || k.startsWith('ra2_conv')) w.delete(k);
    expect(() => buildPraNet(w, { source: 'cut.pth' })).to.throw(
      /^cut\.pth: cannot tell the PraNet configuration from the tensor shapes \(the file's keys begin 'resnet\.conv1\.0\.weight', .*, \.\.\.\); not found: the depth of resnet\.layer4 .*; the split width of resnet\.layer4 .*; the output width of resnet\.layer4 .*; the RA2 width /,
    );
  });

  it('says what is wrong with a PraNet saved inside another module (every key prefixed) in one line, not as 20 widths not found', () => {
    const w = new Map([...randomPraNetWeights('tiny', 0)].map(([k, t]) => [`net.${k}`, t]));
    expect(() => buildPraNet(w, { source: 'wrapped.pth' })).to.throw(
      "wrapped.pth: its keys start with 'net.' (e.g. 'net.resnet.conv1.0.weight'), where PraNet's have no prefix: save the PraNet module's own state_dict(), or strip 'net.' from the keys",
    );
  });

  it('has exactly the conv weight keys and shapes of the PyTorch reference for every preset', function () {
    requireTorch(this);
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(join(REPO_ROOT, 'tools/reference'))})`,
      'from pranet import PraNet',
      'from pranet_config import PRESETS',
      'out = {n: {k[:-len(".weight")]: list(v.shape) for k, v in PraNet(c).state_dict().items() if v.dim() == 4} for n, c in PRESETS.items()}',
      'print(json.dumps(out))',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).to.equal(0);
    const torch = JSON.parse(r.stdout) as Record<string, Record<string, number[]>>;
    expect(Object.keys(torch).sort()).to.deep.equal([...PRESETS].sort());
    for (const name of PRESETS) {
      const ours = Object.fromEntries(praNetConvShapes(PRANET_PRESETS[name]).map(([k, s]) => [k, s]));
      expect(ours, name).to.deep.equal(torch[name]);
    }
  });

  it('are reproducible from the seed, differ between seeds, with the variance 1 / fan_in and small biases', () => {
    const a = randomPraNetWeights('compact', 4);
    const b = randomPraNetWeights('compact', 4);
    const key = 'resnet.layer3.1.conv3';
    expect(b.get(`${key}.weight`)!.data).to.deep.equal(a.get(`${key}.weight`)!.data);
    expect(randomPraNetWeights('compact', 5).get(`${key}.weight`)!.data).to.not.deep.equal(a.get(`${key}.weight`)!.data);
    const { shape, data } = a.get(`${key}.weight`)!;
    const fanIn = shape[1]! * shape[2]! * shape[3]!;
    const variance = data.reduce((s, v) => s + v * v, 0) / data.length;
    expect(variance * fanIn).to.be.closeTo(1, 0.05); // 131072 samples: the estimate is good to about 1%
    expect(Math.max(...a.get(`${key}.bias`)!.data.map(Math.abs))).to.be.at.most(0.1);
  });

  it('rejects topologies the reference rejects, naming the numbers', () => {
    const official = PRANET_PRESETS.official;
    expect(() => checkPreset({ ...official, scale: 1 })).to.throw(/scale must be >= 2, got 1/);
    expect(() => checkPreset({ ...official, stem: 32, planes: [16, 128, 256, 512] })).to.throw(/2 \* stem must differ from 4 \* planes\[0\]/);
    expect(() => checkPreset({ ...official, layers: [3, 0, 6, 3] })).to.throw(/at least one block, got layers \[3,0,6,3\]/);
    expect(() => checkPreset({ ...official, planes: [1, 128, 256, 512] })).to.throw(/split width/);
    expect(() => randomPraNetWeights('huge' as PraNetPresetName)).to.throw(/unknown PraNet preset 'huge'/);
  });

  it('keep the official network finite and of moderate size without batchnorm (size 64 on the GPU)', async () => {
    const { ctx } = await testGpu();
    const cache = new PipelineCache(ctx);
    const outputs = ['x4', 'ra5_feat', 's4', 'lateral_map_2'] as const;
    const model = await PraNetModel.create(
      ctx,
      cache,
      { weights: randomPraNetWeights('official', 0), source: 'random official', kind: 'engine', meta: {} },
      { size: 64, outputs },
    );
    try {
      const image = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => 2 * Math.sin(i * 0.37));
      const out = await model.run(image);
      for (const name of outputs) {
        const v = out[name]!;
        expect(v.every(Number.isFinite), `${name} finite`).to.equal(true);
        const rms = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
        expect(rms, `${name} rms`).to.be.within(1e-2, 1e2);
      }
    } finally {
      model.destroy();
    }
  });
});
