// PraNet as a graph, built from a weight map (spec sections 1.1-1.7): Res2Net-50 v1b backbone, three RFB
// modules, the partial decoder and three reverse-attention branches. Batchnorm is either still separate
// (a PyTorch state dict: the graph gets batchnorm nodes, which the folding pass removes) or already folded
// into conv biases (the engine's weight file). Only the outputs asked for are computed.
import { conv2dAttrs, type Conv2dAttrs } from '../kernels/conv2d.js';
import { poolAttrs } from '../kernels/pool.js';
import { resizeByScale } from '../kernels/resize.js';
import { Graph, type TensorId } from '../graph/ir.js';
import { type Groups, expandConvWeights, expandVector, padded, realCount, repeatGroups, storedCount } from './channel-groups.js';
import { inferConfig, type PraNetConfig } from './pranet-config.js';
import { type WeightMap, WeightReader } from './weight-reader.js';

/** Tensors a caller may ask for: the four lateral maps (logits at input size) and intermediates for parity checks. */
export const PRANET_OUTPUTS = ['lateral_map_2', 'lateral_map_3', 'lateral_map_4', 'lateral_map_5', 'x2', 'x3', 'x4', 'x2_rfb', 'x3_rfb', 'x4_rfb', 'ra5_feat', 's4', 's3', 's2'] as const;
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
  /** channel groups of each output, to drop storage padding (only narrow variants have any) */
  outputGroups: Map<string, Groups>;
  /** every conv with its weights as read (real channels, before any folding), in graph order */
  convs: ConvRecord[];
}

export interface ConvRecord {
  /** the conv's key prefix: its weight is `${key}.weight`, a folded bias `${key}.bias` */
  key: string;
  shape: [number, number, number, number];
  weight: Float32Array;
  bias?: Float32Array;
  batchnorm?: { weight: Float32Array; bias: Float32Array; mean: Float32Array; variance: Float32Array; eps: number };
}

interface T {
  id: TensorId;
  groups: Groups;
}

type ConvOpts = Partial<Omit<Conv2dAttrs, 'cout' | 'kh' | 'kw' | 'bias' | 'residual' | 'relu'>> & { pad?: number; stride?: number; dil?: number };

class Builder {
  readonly g = new Graph();
  readonly convs: ConvRecord[] = [];
  constructor(private readonly r: WeightReader, private readonly raw: boolean) {}

  /**
   * Conv without bias + batchnorm (or the folded equivalent: conv with bias). `outG` says how the output's
   * channels are stored; by default padded to a multiple of 4.
   */
  convBn(conv: string, bn: string, x: T, cout: number, kh: number, kw: number, opts: ConvOpts = {}, outG: Groups = padded(cout)): T {
    return this.emitConv(conv, x, this.readConv(conv, bn, realCount(x.groups), cout, kh, kw), [0, cout], outG, opts);
  }

  /** Reads a conv's weights (and its batchnorm, or its folded bias) once, and records them for the converter. */
  readConv(conv: string, bn: string, cin: number, cout: number, kh: number, kw: number): ConvRecord {
    const rec: ConvRecord = { key: conv, shape: [cout, cin, kh, kw], weight: this.r.take(`${conv}.weight`, [cout, cin, kh, kw]) };
    if (!this.raw) rec.bias = this.r.take(`${conv}.bias`, [cout]);
    else {
      rec.batchnorm = {
        weight: this.r.take(`${bn}.weight`, [cout]),
        bias: this.r.take(`${bn}.bias`, [cout]),
        mean: this.r.take(`${bn}.running_mean`, [cout]),
        variance: this.r.take(`${bn}.running_var`, [cout]),
        eps: 1e-5,
      };
    }
    this.convs.push(rec);
    return rec;
  }

  /** Graph nodes for output channels [from, to) of a conv read by readConv, stored as `outG`. */
  emitConv(name: string, x: T, rec: ConvRecord, [from, to]: [number, number], outG: Groups, opts: ConvOpts = {}): T {
    const [, , kh, kw] = rec.shape;
    const per = rec.shape[1] * kh * kw;
    const rows = (v: Float32Array, size: number) => (from === 0 && to === rec.shape[0] ? v : v.subarray(from * size, to * size));
    const weight = expandConvWeights(rows(rec.weight, per), kh, kw, x.groups, outG);
    const c = storedCount(outG);
    if (rec.bias) {
      return { id: this.g.conv2d(name, x.id, conv2dAttrs(c, kh, kw, { ...opts, bias: true }), { weight, bias: expandVector(rows(rec.bias, 1), outG, 0) }), groups: outG };
    }
    const b = rec.batchnorm!;
    const y = this.g.conv2d(name, x.id, conv2dAttrs(c, kh, kw, opts), { weight });
    // Padding channels get weight 0 and bias 0 (mean 0, var 1), so they stay exactly zero.
    const params = {
      weight: expandVector(rows(b.weight, 1), outG, 0),
      bias: expandVector(rows(b.bias, 1), outG, 0),
      mean: expandVector(rows(b.mean, 1), outG, 0),
      variance: expandVector(rows(b.variance, 1), outG, 1),
      eps: b.eps,
    };
    return { id: this.g.batchnorm(`${name}.bn`, y, params), groups: outG };
  }

  /** A plain conv with its own bias and no batchnorm (agg1.conv5). */
  biasedConv(name: string, x: T, cout: number): T {
    const cin = realCount(x.groups);
    const w = this.r.take(`${name}.weight`, [cout, cin, 1, 1]);
    const bias = this.r.take(`${name}.bias`, [cout]);
    this.convs.push({ key: name, shape: [cout, cin, 1, 1], weight: w, bias });
    const outG = padded(cout);
    const weight = expandConvWeights(w, 1, 1, x.groups, outG);
    return { id: this.g.conv2d(name, x.id, conv2dAttrs(storedCount(outG), 1, 1, { bias: true }), { weight, bias: expandVector(bias, outG, 0) }), groups: outG };
  }

  /** A head BasicConv2d: conv + BN, no activation (spec 1.2). */
  basic(name: string, x: T, cout: number, kh: number, kw: number, opts: ConvOpts = {}): T {
    return this.convBn(`${name}.conv`, `${name}.bn`, x, cout, kh, kw, opts);
  }

  relu(name: string, x: T): T {
    return { id: this.g.unary('relu', name, x.id), groups: x.groups };
  }

  add(name: string, a: T, b: T): T {
    return { id: this.g.binary('add', name, a.id, b.id), groups: a.groups };
  }

  mul(name: string, a: T, b: T): T {
    return { id: this.g.binary('mul', name, a.id, b.id), groups: a.groups };
  }

  concat(name: string, parts: T[]): T {
    return { id: this.g.concat(name, parts.map((p) => p.id)), groups: parts.flatMap((p) => p.groups) };
  }

  /** Bilinear resize by a scale factor, as nn.Upsample / F.interpolate(scale_factor=) does it. */
  up(name: string, x: T, scale: number, alignCorners: boolean): T {
    return { id: this.g.resize(name, x.id, resizeByScale(this.g.shape(x.id), scale, alignCorners)), groups: x.groups };
  }
}

function bottleneck(b: Builder, prefix: string, x: T, st: PraNetConfig['stages'][number], stage: boolean, stride: number): T {
  const { width: w, scale, out } = st;
  // conv1 runs as two convs: the first scale-1 splits, and the last split on its own, so that the last split
  // can be written straight into its window of the concat below instead of being copied there.
  const conv1 = b.readConv(`${prefix}.conv1`, `${prefix}.bn1`, realCount(x.groups), w * scale, 1, 1);
  const t = b.relu(`${prefix}.relu1`, b.emitConv(`${prefix}.conv1`, x, conv1, [0, w * (scale - 1)], repeatGroups(scale - 1, w)));
  const lastSplit = b.relu(`${prefix}.relu1.last`, b.emitConv(`${prefix}.conv1.last`, x, conv1, [w * (scale - 1), w * scale], repeatGroups(1, w)));
  const wp = t.groups[0]![1];
  const split = (i: number): T => (i === scale - 1 ? lastSplit : { id: b.g.slice(`${prefix}.split${i}`, t.id, i * wp, (i + 1) * wp), groups: [[w, wp]] });
  const ys: T[] = [];
  for (let i = 0; i < scale - 1; i++) {
    const input = stage || i === 0 ? split(i) : b.add(`${prefix}.cascade${i}`, ys[i - 1]!, split(i));
    const y = b.convBn(`${prefix}.convs.${i}`, `${prefix}.bns.${i}`, input, w, 3, 3, { stride, pad: 1 }, [[w, wp]]);
    ys.push(b.relu(`${prefix}.relus.${i}`, y));
  }
  const last = split(scale - 1);
  ys.push(stage ? { id: b.g.pool(`${prefix}.pool`, last.id, poolAttrs('avg', 3, stride, 1)), groups: last.groups } : last);
  const z = b.convBn(`${prefix}.conv3`, `${prefix}.bn3`, b.concat(`${prefix}.cat`, ys), out, 1, 1);
  let shortcut = x;
  if (stage) {
    const pooled = stride === 1 ? x : { id: b.g.pool(`${prefix}.downsample.0`, x.id, poolAttrs('avg', stride, stride, 0, { ceilMode: true, countIncludePad: false })), groups: x.groups };
    shortcut = b.convBn(`${prefix}.downsample.1`, `${prefix}.downsample.2`, pooled, out, 1, 1);
  }
  return b.relu(`${prefix}.relu`, b.add(`${prefix}.add`, z, shortcut));
}

function rfb(b: Builder, name: string, x: T, c: number): T {
  const branch = (i: number, k: number): T => {
    let t = b.basic(`${name}.branch${i}.0`, x, c, 1, 1);
    t = b.basic(`${name}.branch${i}.1`, t, c, 1, k, { padL: k >> 1, padR: k >> 1 });
    t = b.basic(`${name}.branch${i}.2`, t, c, k, 1, { padT: k >> 1, padB: k >> 1 });
    return b.basic(`${name}.branch${i}.3`, t, c, 3, 3, { pad: k, dil: k });
  };
  const cat = b.concat(`${name}.cat`, [b.basic(`${name}.branch0.0`, x, c, 1, 1), branch(1, 3), branch(2, 5), branch(3, 7)]);
  const sum = b.add(`${name}.add`, b.basic(`${name}.conv_cat`, cat, c, 3, 3, { pad: 1 }), b.basic(`${name}.conv_res`, x, c, 1, 1));
  return b.relu(`${name}.relu`, sum);
}

/** agg1(x4_rfb, x3_rfb, x2_rfb): the partial decoder, upsampling with align_corners=True (x4 = two x2 steps). */
function decoder(b: Builder, a: T, bb: T, cc: T, c: number): T {
  const up = (name: string, x: T) => b.up(name, x, 2, true);
  const upA = up('agg1.up_a', a);
  const p = b.mul('agg1.p', b.basic('agg1.conv_upsample1', upA, c, 3, 3, { pad: 1 }), bb);
  const q1 = b.mul('agg1.q1', b.basic('agg1.conv_upsample2', up('agg1.up_up_a', upA), c, 3, 3, { pad: 1 }), b.basic('agg1.conv_upsample3', up('agg1.up_b', bb), c, 3, 3, { pad: 1 }));
  const q = b.mul('agg1.q', q1, cc);
  const r = b.basic('agg1.conv_concat2', b.concat('agg1.cat2', [p, b.basic('agg1.conv_upsample4', upA, c, 3, 3, { pad: 1 })]), 2 * c, 3, 3, { pad: 1 });
  const s = b.basic('agg1.conv_concat3', b.concat('agg1.cat3', [q, b.basic('agg1.conv_upsample5', up('agg1.up_r', r), 2 * c, 3, 3, { pad: 1 })]), 3 * c, 3, 3, { pad: 1 });
  const s4 = b.basic('agg1.conv4', s, 3 * c, 3, 3, { pad: 1 });
  // conv5 is the only plain conv with a bias (and no batchnorm) in either form of the weights.
  return b.biasedConv('agg1.conv5', s4, 1);
}

interface RaSpec {
  name: string;
  width: number;
  /** [kernel, relu after] for conv2.. up to the one-channel conv */
  convs: [number, boolean][];
}

/** Reverse attention: (1 - sigmoid(crop)) gates the raw backbone feature, convs, then + crop. */
function reverseAttention(b: Builder, ra: RaSpec, feature: T, crop: T): T {
  const gated: T = { id: b.g.erase(`${ra.name}_erase`, feature.id, crop.id), groups: feature.groups };
  let t = b.basic(`${ra.name}_conv1`, gated, ra.width, 1, 1);
  ra.convs.forEach(([k, relu], i) => {
    const last = i === ra.convs.length - 1;
    const name = `${ra.name}_conv${i + 2}`;
    t = b.basic(name, t, last ? 1 : ra.width, k, k, { pad: k >> 1 });
    if (relu) t = b.relu(`${name}.relu`, t);
  });
  return b.add(`${ra.name}.residual`, t, crop);
}

export function buildPraNet(weights: WeightMap, opts: BuildOptions = {}): BuiltPraNet {
  const source = opts.source ?? 'weights';
  const size = opts.size ?? 352;
  const batch = opts.batch ?? 1;
  const wanted = new Set<string>(opts.outputs ?? ['lateral_map_2']);
  for (const o of wanted) {
    if (!(PRANET_OUTPUTS as readonly string[]).includes(o)) throw new Error(`unknown PraNet output '${o}'; known: ${PRANET_OUTPUTS.join(', ')}`);
  }
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new Error(`PraNet input size ${size} must be a positive multiple of 32`);
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`batch ${batch} must be a positive integer`);

  const r = new WeightReader(weights, source);
  const config = inferConfig(r);
  const raw = r.has('resnet.bn1.weight');
  const b = new Builder(r, raw);
  const out = new Map<string, Groups>();
  const emit = (name: string, t: T) => {
    if (!wanted.has(name)) return;
    b.g.output(name, t.id);
    out.set(name, t.groups);
  };

  const image: T = { id: b.g.input('image', { n: batch, c: 3, h: size, w: size }), groups: [[3, 3]] };
  let x = b.relu('resnet.relu0', b.convBn('resnet.conv1.0', 'resnet.conv1.1', image, config.stem, 3, 3, { stride: 2, pad: 1 }));
  x = b.relu('resnet.relu1', b.convBn('resnet.conv1.3', 'resnet.conv1.4', x, config.stem, 3, 3, { pad: 1 }));
  x = b.relu('resnet.relu', b.convBn('resnet.conv1.6', 'resnet.bn1', x, config.stemOut, 3, 3, { pad: 1 }));
  x = { id: b.g.pool('resnet.maxpool', x.id, poolAttrs('max', 3, 2, 1)), groups: x.groups };
  const feats: T[] = [];
  config.stages.forEach((st, i) => {
    for (let k = 0; k < st.blocks; k++) x = bottleneck(b, `resnet.layer${i + 1}.${k}`, x, st, k === 0, k === 0 && i > 0 ? 2 : 1);
    feats.push(x);
  });
  const [, x2, x3, x4] = feats as [T, T, T, T];
  emit('x2', x2);
  emit('x3', x3);
  emit('x4', x4);

  const c = config.channel;
  const x2r = rfb(b, 'rfb2_1', x2, c);
  const x3r = rfb(b, 'rfb3_1', x3, c);
  const x4r = rfb(b, 'rfb4_1', x4, c);
  emit('x2_rfb', x2r);
  emit('x3_rfb', x3r);
  emit('x4_rfb', x4r);
  const ra5 = decoder(b, x4r, x3r, x2r, c);
  emit('ra5_feat', ra5);
  if (wanted.has('lateral_map_5')) emit('lateral_map_5', b.up('lateral_map_5', ra5, 8, false));

  const k4 = config.ra4Kernel;
  const s4 = reverseAttention(b, { name: 'ra4', width: config.ra4, convs: [[k4, true], [k4, true], [k4, true], [1, false]] }, x4, b.up('crop_4', ra5, 0.25, false));
  emit('s4', s4);
  if (wanted.has('lateral_map_4')) emit('lateral_map_4', b.up('lateral_map_4', s4, 32, false));
  const s3 = reverseAttention(b, { name: 'ra3', width: config.ra3, convs: [[3, true], [3, true], [3, false]] }, x3, b.up('crop_3', s4, 2, false));
  emit('s3', s3);
  if (wanted.has('lateral_map_3')) emit('lateral_map_3', b.up('lateral_map_3', s3, 16, false));
  const s2 = reverseAttention(b, { name: 'ra2', width: config.ra2, convs: [[3, true], [3, true], [3, false]] }, x2, b.up('crop_2', s3, 2, false));
  emit('s2', s2);
  if (wanted.has('lateral_map_2')) emit('lateral_map_2', b.up('lateral_map_2', s2, 8, false));

  r.finish();
  pruneUnused(b.g);
  return { graph: b.g, config, rawBatchnorm: raw, outputGroups: out, convs: b.convs };
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
