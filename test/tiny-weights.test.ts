// The random tiny PraNet that tests use instead of the shipped model (test/support/tiny-weights.ts).
import { expect } from 'chai';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { buildPraNet } from '../src/models/pranet-graph.js';
import { expectedConfig, tinyPraNetTensors, tinyPraNetWeightFile, TINY_PRESET } from './support/tiny-weights.js';

describe('test support: tiny random PraNet weights', () => {
  it('load as an engine file whose every key the graph uses, with the "tiny" preset\'s numbers', () => {
    const loaded = weightsFromBytes(tinyPraNetWeightFile(3), 'tiny.pnw');
    expect(loaded.kind).to.equal('engine');
    const built = buildPraNet(loaded.weights, { source: 'tiny.pnw' }); // throws on a missing or unused key
    expect(built.rawBatchnorm).to.equal(false);
    const p = TINY_PRESET;
    expect(built.config).to.deep.equal(expectedConfig(p));
    // Worked by hand from pranet_config.py: floor(planes * 26 / 64).
    expect(built.config.stages.map((s) => s.width)).to.deep.equal([6, 13, 26, 52]);
  });

  it('are reproducible from the seed and differ between seeds', () => {
    const a = tinyPraNetTensors(5).get('ra2_conv4.conv.weight')!.data;
    expect(tinyPraNetTensors(5).get('ra2_conv4.conv.weight')!.data).to.deep.equal(a);
    expect(tinyPraNetTensors(6).get('ra2_conv4.conv.weight')!.data).to.not.deep.equal(a);
  });
});
