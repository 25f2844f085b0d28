// A seeded random PraNet of any topology, in the engine's folded form (every conv `<key>.weight` + `<key>.bias`,
// exactly as src/models/convert.ts writes them): for benchmarks, profiles and tests that need the real
// network's shapes and work but no trained weights, no Python and no checkpoint. Browser-safe.
// The presets mirror tools/reference/pranet_config.py; buildPraNet rejects any key or shape this gets wrong.
import type { NamedTensor } from './weight-reader.js';

/** PraNet's topology numbers as tools/reference/pranet_config.py names them. */
export interface PraNetPreset {
  /** stem convs 3 -> stem -> stem -> 2 * stem */
  stem: number;
  /** Bottle2neck blocks per stage */
  layers: readonly [number, number, number, number];
  /** stage output channels are 4 * planes */
  planes: readonly [number, number, number, number];
  /** split width w = floor(planes * baseWidth / 64) */
  baseWidth: number;
  /** splits per Bottle2neck */
  scale: number;
  /** RFB and decoder width */
  channel: number;
  ra4: number;
  ra3: number;
  ra2: number;
}

export const PRANET_PRESETS = {
  official: { stem: 32, layers: [3, 4, 6, 3], planes: [64, 128, 256, 512], baseWidth: 26, scale: 4, channel: 32, ra4: 256, ra3: 64, ra2: 64 },
  // The shipped default model's topology.
  compact: { stem: 16, layers: [2, 3, 4, 2], planes: [32, 64, 128, 256], baseWidth: 26, scale: 4, channel: 32, ra4: 64, ra3: 48, ra2: 48 },
  // Odd split widths (6, 13, 26, 52) and uneven block counts, for tests.
  tiny: { stem: 8, layers: [1, 2, 1, 1], planes: [16, 32, 64, 128], baseWidth: 26, scale: 4, channel: 8, ra4: 16, ra3: 16, ra2: 16 },
} as const satisfies Record<string, PraNetPreset>;

export type PraNetPresetName = keyof typeof PRANET_PRESETS;

export function isPresetName(name: string): name is PraNetPresetName {
  return Object.hasOwn(PRANET_PRESETS, name);
}

/** The same checks as PraNetConfig.__post_init__ in pranet_config.py, with the offending numbers named. */
export function checkPreset(p: PraNetPreset): void {
  const bad = (why: string) => new Error(`PraNet preset ${JSON.stringify(p)}: ${why}`);
  const counts = { stem: p.stem, baseWidth: p.baseWidth, scale: p.scale, channel: p.channel, ra4: p.ra4, ra3: p.ra3, ra2: p.ra2 };
  for (const [name, v] of Object.entries(counts)) if (!Number.isInteger(v) || v < 1) throw bad(`${name} must be a positive integer, got ${v}`);
  if (p.layers.length !== 4 || p.planes.length !== 4) throw bad(`layers and planes need 4 entries, got [${p.layers.join(',')}] and [${p.planes.join(',')}]`);
  if (p.layers.some((n) => !Number.isInteger(n) || n < 1)) throw bad(`every stage needs at least one block, got layers [${p.layers.join(',')}]`);
  if (p.planes.some((n) => !Number.isInteger(n) || n < 1)) throw bad(`planes must be positive integers, got [${p.planes.join(',')}]`);
  if (p.scale < 2) throw bad(`scale must be >= 2, got ${p.scale}`);
  if (p.planes.some((n) => Math.floor((n * p.baseWidth) / 64) < 1))
    throw bad(`split width floor(planes * baseWidth / 64) is 0 for planes [${p.planes.join(',')}]`);
  // The reference always builds layer1's shortcut conv; upstream drops it in this case.
  if (2 * p.stem === 4 * p.planes[0]) throw bad('2 * stem must differ from 4 * planes[0] (layer1 shortcut would vanish)');
}

export type ConvShape = [number, number, number, number];

/** Every conv of the network with its weight shape [cout, cin, kh, kw], in the order the graph reads them. */
export function praNetConvShapes(p: PraNetPreset): [string, ConvShape][] {
  checkPreset(p);
  const convs: [string, ConvShape][] = [];
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
    for (const [i, k] of [
      [1, 3],
      [2, 5],
      [3, 7],
    ] as const) {
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

/** Uniform numbers in [0, 1) from a 32-bit seed (a small counter-based mixer): the same seed, the same stream. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomWeightOptions {
  /**
   * Weight variance is gain / fan_in (uniform in +-sqrt(3 gain / fan_in)). Without batchnorm, gain 1 halves
   * a signal's power through each ReLU, which the residual adds make up for: activations of the official
   * network stay within a few orders of magnitude of the input (checked in test/random-weights.test.ts).
   */
  gain?: number;
  /** biases are uniform in +-biasBound */
  biasBound?: number;
}

export function resolvePreset(preset: PraNetPresetName | PraNetPreset): PraNetPreset {
  if (typeof preset !== 'string') return preset;
  if (!isPresetName(preset)) throw new Error(`unknown PraNet preset '${String(preset)}'; known: ${Object.keys(PRANET_PRESETS).join(', ')}`);
  return PRANET_PRESETS[preset];
}

/** Folded random weights for a preset (by name or numbers). The same preset and seed give the same weights. */
export function randomPraNetWeights(preset: PraNetPresetName | PraNetPreset, seed = 0, opts: RandomWeightOptions = {}): Map<string, NamedTensor> {
  const gain = opts.gain ?? 1;
  const biasBound = opts.biasBound ?? 0.1;
  const random = seededRandom(seed);
  const uniform = (n: number, bound: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (2 * random() - 1) * bound;
    return out;
  };
  const tensors = new Map<string, NamedTensor>();
  for (const [key, shape] of praNetConvShapes(resolvePreset(preset))) {
    const [cout, cin, kh, kw] = shape;
    const fanIn = cin * kh * kw;
    tensors.set(`${key}.weight`, { shape, data: uniform(cout * fanIn, Math.sqrt((3 * gain) / fanIn)) });
    tensors.set(`${key}.bias`, { shape: [cout], data: uniform(cout, biasBound) });
  }
  return tensors;
}
