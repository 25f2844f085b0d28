// The random "tiny" PraNet that tests use instead of the shipped model, as an engine weight file: a thin
// wrapper over src/models/random-weights.ts (which holds the key list for every preset). Browser-safe, so
// browser tests can use it too.
import { encodeWeightFile, type WeightFileTensorInput } from '../../src/weights/engine-file.js';
import type { PraNetConfig } from '../../src/models/pranet-config.js';
import { type ConvShape, PRANET_PRESETS, type PraNetPreset, praNetConvShapes, randomPraNetWeights } from '../../src/models/random-weights.js';

/** The "tiny" preset's topology numbers: stem 8, layers [1,2,1,1], planes [16,32,64,128], base width 26, scale 4. */
export const TINY_PRESET = PRANET_PRESETS.tiny;

/** Every conv of the tiny network with its weight shape [cout, cin, kh, kw], in the order the graph reads them. */
export function tinyConvShapes(): [string, ConvShape][] {
  return praNetConvShapes(TINY_PRESET);
}

/** Folded weights with random values (variance 1 / fan_in, small biases); the same seed gives the same weights. */
export function tinyPraNetTensors(seed = 1): Map<string, WeightFileTensorInput> {
  return randomPraNetWeights('tiny', seed);
}

/** The tiny random network as the bytes of an engine weight file (.pnw). */
export function tinyPraNetWeightFile(seed = 1): Uint8Array {
  const meta = { model: 'PraNet', description: `random tiny PraNet for tests (seed ${seed})`, batchnormFolded: true };
  return encodeWeightFile(tinyPraNetTensors(seed), { dtype: 'f32', meta });
}

/** The configuration the engine must infer from a preset's shapes, worked out from the preset's numbers. */
export function expectedConfig(p: PraNetPreset): PraNetConfig {
  return {
    stem: p.stem,
    stemOut: 2 * p.stem,
    stages: p.planes.map((planes, i) => ({
      blocks: p.layers[i]!,
      width: Math.floor((planes * p.baseWidth) / 64),
      scale: p.scale,
      out: 4 * planes,
    })) as PraNetConfig['stages'],
    channel: p.channel,
    ra4: p.ra4,
    ra4Kernel: 5,
    ra3: p.ra3,
    ra2: p.ra2,
  };
}
