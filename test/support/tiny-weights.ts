// A random PraNet of the "tiny" preset (tools/reference/pranet_config.py) as an engine weight file, made
// without Python or a checkpoint: enough to run the whole network quickly in tests. Browser-safe (no Node
// imports), so browser tests can use it too. The key list follows the engine's folded form (every conv
// `<key>.weight` + `<key>.bias`, as src/models/convert.ts writes it); buildPraNet rejects any key this
// gets wrong, so loading the file checks the list.
import { encodeWeightFile, type WeightFileTensorInput } from '../../src/weights/engine-file.js';
import { rng } from './random.js';

/** The "tiny" preset's topology numbers: stem 8, layers [1,2,1,1], planes [16,32,64,128], base width 26, scale 4. */
export const TINY_PRESET = {
  stem: 8,
  layers: [1, 2, 1, 1],
  planes: [16, 32, 64, 128],
  baseWidth: 26,
  scale: 4,
  channel: 8,
  ra4: 16,
  ra3: 16,
  ra2: 16,
} as const;

type Shape = [number, number, number, number];

/** Every conv of the tiny network with its weight shape [cout, cin, kh, kw], in the order the graph reads them. */
export function tinyConvShapes(): [string, Shape][] {
  const p = TINY_PRESET;
  const convs: [string, Shape][] = [];
  const conv = (key: string, cout: number, cin: number, kh: number, kw = kh) => convs.push([key, [cout, cin, kh, kw]]);

  conv('resnet.conv1.0', p.stem, 3, 3);
  conv('resnet.conv1.3', p.stem, p.stem, 3);
  conv('resnet.conv1.6', 2 * p.stem, p.stem, 3);
  let cin = 2 * p.stem;
  const stageOut: number[] = [];
  p.planes.forEach((planes, s) => {
    const width = Math.floor((planes * p.baseWidth) / 64);
    const out = 4 * planes;
    for (let b = 0; b < p.layers[s]!; b++) {
      const prefix = `resnet.layer${s + 1}.${b}`;
      conv(`${prefix}.conv1`, width * p.scale, cin, 1);
      for (let i = 0; i < p.scale - 1; i++) conv(`${prefix}.convs.${i}`, width, width, 3);
      conv(`${prefix}.conv3`, out, width * p.scale, 1);
      if (b === 0) conv(`${prefix}.downsample.1`, out, cin, 1);
      cin = out;
    }
    stageOut.push(out);
  });

  const c = p.channel;
  const rfb = (name: string, inputs: number) => {
    conv(`${name}.branch0.0.conv`, c, inputs, 1);
    for (const [i, k] of [[1, 3], [2, 5], [3, 7]] as const) {
      conv(`${name}.branch${i}.0.conv`, c, inputs, 1);
      conv(`${name}.branch${i}.1.conv`, c, c, 1, k);
      conv(`${name}.branch${i}.2.conv`, c, c, k, 1);
      conv(`${name}.branch${i}.3.conv`, c, c, 3);
    }
    conv(`${name}.conv_cat.conv`, c, 4 * c, 3);
    conv(`${name}.conv_res.conv`, c, inputs, 1);
  };
  rfb('rfb2_1', stageOut[1]!);
  rfb('rfb3_1', stageOut[2]!);
  rfb('rfb4_1', stageOut[3]!);

  for (const i of [1, 2, 3, 4]) conv(`agg1.conv_upsample${i}.conv`, c, c, 3);
  conv('agg1.conv_upsample5.conv', 2 * c, 2 * c, 3);
  conv('agg1.conv_concat2.conv', 2 * c, 2 * c, 3);
  conv('agg1.conv_concat3.conv', 3 * c, 3 * c, 3);
  conv('agg1.conv4.conv', 3 * c, 3 * c, 3);
  conv('agg1.conv5', 1, 3 * c, 1);

  const ra = (name: string, width: number, inputs: number, kernels: number[]) => {
    conv(`${name}_conv1.conv`, width, inputs, 1);
    kernels.forEach((k, i) => conv(`${name}_conv${i + 2}.conv`, i === kernels.length - 1 ? 1 : width, width, k));
  };
  ra('ra4', p.ra4, stageOut[3]!, [5, 5, 5, 1]);
  ra('ra3', p.ra3, stageOut[2]!, [3, 3, 3]);
  ra('ra2', p.ra2, stageOut[1]!, [3, 3, 3]);
  return convs;
}

/**
 * Folded weights with random values: He-style uniform weights (so activations neither vanish nor blow up
 * through the un-normalised stack) and small biases. The same seed gives the same weights.
 */
export function tinyPraNetTensors(seed = 1): Map<string, WeightFileTensorInput> {
  const random = rng(seed);
  const uniform = (n: number, bound: number) => Float32Array.from({ length: n }, () => (2 * random() - 1) * bound);
  const tensors = new Map<string, WeightFileTensorInput>();
  for (const [key, shape] of tinyConvShapes()) {
    const [cout, cin, kh, kw] = shape;
    const fanIn = cin * kh * kw;
    tensors.set(`${key}.weight`, { shape, data: uniform(cout * fanIn, Math.sqrt(3 / fanIn)) });
    tensors.set(`${key}.bias`, { shape: [cout], data: uniform(cout, 0.1) });
  }
  return tensors;
}

/** The tiny random network as the bytes of an engine weight file (.pnw). */
export function tinyPraNetWeightFile(seed = 1): Uint8Array {
  const meta = { model: 'PraNet', description: `random tiny PraNet for tests (seed ${seed})`, batchnormFolded: true };
  return encodeWeightFile(tinyPraNetTensors(seed), { dtype: 'f32', meta });
}
