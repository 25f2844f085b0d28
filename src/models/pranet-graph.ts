// PraNet as a graph, built from a weight map the way its PyTorch module computes (docs/pranet.md): the
// Res2Net-50 v1b backbone, three RFB modules, the partial decoder and three reverse-attention branches.
// Tensors keep their real channel counts (Res2Net's 26-wide splits included); how channels sit in GPU
// storage is the memory planner's business. Batchnorm is either still separate (a PyTorch state dict: the
// graph gets batchnorm nodes, which the folding pass removes) or already folded into conv biases (the
// engine's weight file). Only the outputs asked for are computed.
import { conv2dAttrs, type Conv2dAttrs, conv2dOp } from '../kernels/conv2d.js';
import { addOp, batchnormOp, eraseOp, mulOp, reluOp } from '../kernels/elementwise.js';
import { poolAttrs, poolOp } from '../kernels/pool.js';
import { resizeByScale, resizeOp } from '../kernels/resize.js';
import { Graph, type TensorId } from '../graph/ir.js';
import { concatOp, sliceOp } from '../graph/view-ops.js';
import { inferConfig, type PraNetConfig } from './pranet-config.js';
import { type WeightMap, WeightReader } from './weight-reader.js';

/** Tensors a caller may ask for: the four lateral maps (logits at input size) and intermediates for parity checks. */
export const PRANET_OUTPUTS = [
  'lateral_map_2',
  'lateral_map_3',
  'lateral_map_4',
  'lateral_map_5',
  'x2',
  'x3',
  'x4',
  'x2_rfb',
  'x3_rfb',
  'x4_rfb',
  'ra5_feat',
  's4',
  's3',
  's2',
] as const;
export type PraNetOutput = (typeof PRANET_OUTPUTS)[number];

export interface BuildOptions {
  batch?: number;
  /** input height and width; a multiple of 32 (352 in PraNet's tests) */
  size?: number;
  outputs?: readonly PraNetOutput[];
  source?: string;
}

export interface BuiltPraNet {
  graph: Graph;
  config: PraNetConfig;
  /** true when the weights still had separate batchnorm layers */
  rawBatchnorm: boolean;
}

type ConvOpts = Partial<Omit<Conv2dAttrs, 'cout' | 'kh' | 'kw' | 'bias' | 'residual' | 'relu'>> & { pad?: number; stride?: number; dil?: number };

/** The layers PraNet is made of, each reading its weights by key as nn.Module names them. */
class Layers {
  readonly g = new Graph();
  constructor(
    private readonly r: WeightReader,
    private readonly raw: boolean,
  ) {}

  private cin = (x: TensorId) => this.g.shape(x).c;

  /** nn.Conv2d without bias followed by nn.BatchNorm2d (or, folded, a conv with bias) */
  convBn(conv: string, bn: string, x: TensorId, cout: number, kh: number, kw = kh, opts: ConvOpts = {}): TensorId {
    const shape = [cout, this.cin(x), kh, kw];
    const weight = this.r.take(`${conv}.weight`, shape);
    if (!this.raw) {
      return this.g.add(conv2dOp, conv, [x], {
        ...conv2dAttrs(cout, kh, kw, { ...opts, bias: true }),
        weights: { weight, bias: this.r.take(`${conv}.bias`, [cout]) },
      });
    }
    const y = this.g.add(conv2dOp, conv, [x], { ...conv2dAttrs(cout, kh, kw, opts), weights: { weight } });
    const stat = (key: string) => this.r.take(`${bn}.${key}`, [cout]);
    return this.g.add(batchnormOp, bn, [y], {
      weight: stat('weight'),
      bias: stat('bias'),
      mean: stat('running_mean'),
      variance: stat('running_var'),
      eps: 1e-5,
    });
  }

  /** BasicConv2d: conv + BN, no activation */
  basic(name: string, x: TensorId, cout: number, kh: number, kw = kh, opts: ConvOpts = {}): TensorId {
    return this.convBn(`${name}.conv`, `${name}.bn`, x, cout, kh, kw, opts);
  }

  /** nn.Conv2d with its own bias (agg1.conv5, the only one in either form of the weights) */
  biasedConv(name: string, x: TensorId, cout: number): TensorId {
    const weights = { weight: this.r.take(`${name}.weight`, [cout, this.cin(x), 1, 1]), bias: this.r.take(`${name}.bias`, [cout]) };
    return this.g.add(conv2dOp, name, [x], { ...conv2dAttrs(cout, 1, 1, { bias: true }), weights });
  }

  relu = (name: string, x: TensorId) => this.g.add(reluOp, name, [x], {});
  add = (name: string, a: TensorId, b: TensorId) => this.g.add(addOp, name, [a, b], {});
  mul = (name: string, a: TensorId, b: TensorId) => this.g.add(mulOp, name, [a, b], {});
  cat = (name: string, parts: TensorId[]) => this.g.add(concatOp, name, parts, {});
  pool = (name: string, x: TensorId, attrs: ReturnType<typeof poolAttrs>) => this.g.add(poolOp, name, [x], attrs);
  /** (1 - sigmoid(s)) * x, s one channel */
  erase = (name: string, x: TensorId, s: TensorId) => this.g.add(eraseOp, name, [x, s], {});

  /** torch.split(x, width, dim=1) */
  split(name: string, x: TensorId, width: number): TensorId[] {
    const c = this.cin(x);
    return Array.from({ length: Math.ceil(c / width) }, (_, i) =>
      this.g.add(sliceOp, `${name}${i}`, [x], { start: i * width, end: Math.min(c, (i + 1) * width) }),
    );
  }

  /** F.interpolate(x, scale_factor=scale, mode='bilinear') */
  up(name: string, x: TensorId, scale: number, alignCorners = false): TensorId {
    return this.g.add(resizeOp, name, [x], resizeByScale(this.g.shape(x), scale, alignCorners));
  }
}

/** Bottle2neck.forward; `stage` is block 0 of a stage (independent splits, pooled last split, downsample). */
function bottle2neck(l: Layers, p: string, x: TensorId, st: PraNetConfig['stages'][number], stage: boolean, stride: number): TensorId {
  const spx = l.split(`${p}.split`, l.relu(`${p}.relu1`, l.convBn(`${p}.conv1`, `${p}.bn1`, x, st.width * st.scale, 1)), st.width);
  const ys: TensorId[] = [];
  for (let i = 0; i < st.scale - 1; i++) {
    const sp = stage || i === 0 ? spx[i]! : l.add(`${p}.cascade${i}`, ys[i - 1]!, spx[i]!);
    ys.push(l.relu(`${p}.relus.${i}`, l.convBn(`${p}.convs.${i}`, `${p}.bns.${i}`, sp, st.width, 3, 3, { stride, pad: 1 })));
  }
  ys.push(stage ? l.pool(`${p}.pool`, spx[st.scale - 1]!, poolAttrs('avg', 3, stride, 1)) : spx[st.scale - 1]!);
  const out = l.convBn(`${p}.conv3`, `${p}.bn3`, l.cat(`${p}.cat`, ys), st.out, 1);
  let residual = x;
  if (stage) {
    const pooled = stride === 1 ? x : l.pool(`${p}.downsample.0`, x, poolAttrs('avg', stride, stride, 0, { ceilMode: true, countIncludePad: false }));
    residual = l.convBn(`${p}.downsample.1`, `${p}.downsample.2`, pooled, st.out, 1);
  }
  return l.relu(`${p}.relu`, l.add(`${p}.add`, out, residual));
}

/** RFB_modified.forward */
function rfb(l: Layers, name: string, x: TensorId, c: number): TensorId {
  const branch = (i: number, k: number) => {
    const b = `${name}.branch${i}`;
    const t = l.basic(`${b}.1`, l.basic(`${b}.0`, x, c, 1), c, 1, k, { padL: k >> 1, padR: k >> 1 });
    return l.basic(`${b}.3`, l.basic(`${b}.2`, t, c, k, 1, { padT: k >> 1, padB: k >> 1 }), c, 3, 3, { pad: k, dil: k });
  };
  const xCat = l.cat(`${name}.cat`, [l.basic(`${name}.branch0.0`, x, c, 1), branch(1, 3), branch(2, 5), branch(3, 7)]);
  const convCat = l.basic(`${name}.conv_cat`, xCat, c, 3, 3, { pad: 1 });
  return l.relu(`${name}.relu`, l.add(`${name}.add`, convCat, l.basic(`${name}.conv_res`, x, c, 1)));
}

/** aggregation.forward(x1, x2, x3) = agg1(x4_rfb, x3_rfb, x2_rfb): upsampling x2 with align_corners=True. */
function aggregation(l: Layers, x1: TensorId, x2: TensorId, x3: TensorId, c: number): TensorId {
  const up = (name: string, x: TensorId) => l.up(name, x, 2, true);
  const conv3x3 = (name: string, x: TensorId, cout: number) => l.basic(`agg1.${name}`, x, cout, 3, 3, { pad: 1 });
  const upX1 = up('agg1.up_a', x1);
  const x2_1 = l.mul('agg1.p', conv3x3('conv_upsample1', upX1, c), x2);
  const x3_1 = l.mul('agg1.q', l.mul('agg1.q1', conv3x3('conv_upsample2', up('agg1.up_up_a', upX1), c), conv3x3('conv_upsample3', up('agg1.up_b', x2), c)), x3);
  const x2_2 = conv3x3('conv_concat2', l.cat('agg1.cat2', [x2_1, conv3x3('conv_upsample4', upX1, c)]), 2 * c);
  const x3_2 = conv3x3('conv_concat3', l.cat('agg1.cat3', [x3_1, conv3x3('conv_upsample5', up('agg1.up_r', x2_2), 2 * c)]), 3 * c);
  return l.biasedConv('agg1.conv5', conv3x3('conv4', x3_2, 3 * c), 1);
}

/**
 * One reverse-attention branch: x = ra_conv1((1 - sigmoid(crop)) * feature), then the convs `kernels` (ReLU
 * after all but the last, which has one output channel), then + crop.
 */
function reverseAttention(l: Layers, ra: string, feature: TensorId, crop: TensorId, width: number, kernels: number[]): TensorId {
  let x = l.basic(`${ra}_conv1`, l.erase(`${ra}_erase`, feature, crop), width, 1);
  kernels.forEach((k, i) => {
    const last = i === kernels.length - 1;
    x = l.basic(`${ra}_conv${i + 2}`, x, last ? 1 : width, k, k, { pad: k >> 1 });
    if (!last) x = l.relu(`${ra}_conv${i + 2}.relu`, x);
  });
  return l.add(`${ra}.residual`, x, crop);
}

/** Throws for options no weights could build (checked before the weights, so the error is not blamed on them). */
export function checkBuildOptions(opts: BuildOptions): void {
  const { size = 352, batch = 1 } = opts;
  for (const o of opts.outputs ?? []) {
    if (!(PRANET_OUTPUTS as readonly string[]).includes(o)) throw new Error(`unknown PraNet output '${o}'; known: ${PRANET_OUTPUTS.join(', ')}`);
  }
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new Error(`PraNet input size ${size} must be a positive multiple of 32`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch ${batch} must be a positive integer`);
}

export function buildPraNet(weights: WeightMap, opts: BuildOptions = {}): BuiltPraNet {
  checkBuildOptions(opts);
  const source = opts.source ?? 'weights';
  const size = opts.size ?? 352;
  const batch = opts.batch ?? 1;
  const wanted = new Set<string>(opts.outputs ?? ['lateral_map_2']);

  const r = new WeightReader(weights, source);
  const config = inferConfig(r);
  // PyTorch's state dict keeps the batchnorms (their running statistics); an engine file has them folded into
  // the convs. Asked of every key, so a checkpoint missing one batchnorm tensor is not read as folded.
  const raw = [...r.keys()].some((k) => /(^|\.)(running_mean|running_var)$/.test(k) || k.startsWith('resnet.bn1.'));
  const l = new Layers(r, raw);
  const emit = (name: PraNetOutput, t: TensorId) => {
    if (wanted.has(name)) l.g.output(name, t);
  };

  // Res2Net-50 v1b: deep stem, max pool, four stages
  const image = l.g.input('image', { n: batch, c: 3, h: size, w: size });
  let x = l.relu('resnet.relu0', l.convBn('resnet.conv1.0', 'resnet.conv1.1', image, config.stem, 3, 3, { stride: 2, pad: 1 }));
  x = l.relu('resnet.relu1', l.convBn('resnet.conv1.3', 'resnet.conv1.4', x, config.stem, 3, 3, { pad: 1 }));
  x = l.relu('resnet.relu', l.convBn('resnet.conv1.6', 'resnet.bn1', x, config.stemOut, 3, 3, { pad: 1 }));
  x = l.pool('resnet.maxpool', x, poolAttrs('max', 3, 2, 1));
  const features = config.stages.map((st, i) => {
    for (let k = 0; k < st.blocks; k++) x = bottle2neck(l, `resnet.layer${i + 1}.${k}`, x, st, k === 0, k === 0 && i > 0 ? 2 : 1);
    return x;
  });
  const [, x2, x3, x4] = features as [TensorId, TensorId, TensorId, TensorId];
  emit('x2', x2);
  emit('x3', x3);
  emit('x4', x4);

  const c = config.channel;
  const x2Rfb = rfb(l, 'rfb2_1', x2, c);
  const x3Rfb = rfb(l, 'rfb3_1', x3, c);
  const x4Rfb = rfb(l, 'rfb4_1', x4, c);
  emit('x2_rfb', x2Rfb);
  emit('x3_rfb', x3Rfb);
  emit('x4_rfb', x4Rfb);
  const ra5 = aggregation(l, x4Rfb, x3Rfb, x2Rfb, c);
  emit('ra5_feat', ra5);
  if (wanted.has('lateral_map_5')) emit('lateral_map_5', l.up('lateral_map_5', ra5, 8));

  const k4 = config.ra4Kernel;
  const s4 = reverseAttention(l, 'ra4', x4, l.up('crop_4', ra5, 0.25), config.ra4, [k4, k4, k4, 1]);
  emit('s4', s4);
  if (wanted.has('lateral_map_4')) emit('lateral_map_4', l.up('lateral_map_4', s4, 32));
  const s3 = reverseAttention(l, 'ra3', x3, l.up('crop_3', s4, 2), config.ra3, [3, 3, 3]);
  emit('s3', s3);
  if (wanted.has('lateral_map_3')) emit('lateral_map_3', l.up('lateral_map_3', s3, 16));
  const s2 = reverseAttention(l, 'ra2', x2, l.up('crop_2', s3, 2), config.ra2, [3, 3, 3]);
  emit('s2', s2);
  if (wanted.has('lateral_map_2')) emit('lateral_map_2', l.up('lateral_map_2', s2, 8));

  r.finish();
  pruneUnused(l.g);
  return { graph: l.g, config, rawBatchnorm: raw };
}

/** Drops nodes whose results no output needs (e.g. RFB work when only x2 is asked for). */
function pruneUnused(g: Graph): void {
  const needed = new Set<number>(g.outputs.values());
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (needed.has(n.output)) for (const t of n.inputs) needed.add(t);
  }
  g.nodes = g.nodes.filter((n) => needed.has(n.output));
}
