// The engine's own outputs on fixed networks and inputs, as SHA-256 digests of their float32 bytes: a guard for
// changes that must not change a single bit (refactors of kernels, graph, planner). The cases cover every
// conv family, the folded and the batchnorm-carrying (checkpoint) paths, the converter, float16 weight
// storage, odd Res2Net split widths (tiny), the compact topology, and the post-processing of a real image.
// `node dist/test/record-engine-outputs.js` rewrites test/fixtures/engine-outputs.json: do that only in a
// commit that means to change results, and say why in its message.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Segmenter } from '../../src/api/segmenter.js';
import type { GpuContext } from '../../src/gpu/context.js';
import type { PipelineCache } from '../../src/gpu/pipelines.js';
import { decodeImage } from '../../src/io/image.js';
import { convertStateDict } from '../../src/models/convert.js';
import { loadWeights, type LoadedWeights } from '../../src/models/load-weights.js';
import { PRANET_OUTPUTS, type PraNetOutput } from '../../src/models/pranet-graph.js';
import { PraNetModel, type PraNetModelOptions } from '../../src/models/pranet-model.js';
import { randomPraNetWeights, seededRandom } from '../../src/models/random-weights.js';
import type { StateDict } from '../../src/weights/index.js';
import { DEFAULT_WEIGHTS_PATH } from '../../src/index.js';
import { forcedTiling } from '../../src/kernels/tiling-policy.js';
import { REPO_ROOT } from './paths.js';

export const FIXTURE = join(REPO_ROOT, 'test/fixtures/engine-outputs.json');
export const SAMPLE = join(REPO_ROOT, 'samples/kvasir-cju0u82z3cuma0835wlxrnrjv.jpg');

export type Digests = Record<string, string>;

const digest = (a: Float32Array | Uint8Array) =>
  createHash('sha256')
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

const LATERAL: PraNetOutput[] = ['lateral_map_5', 'lateral_map_4', 'lateral_map_3', 'lateral_map_2'];

/** A normalised-image-like input, the same on every run. */
function input(n: number, size: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n * 3 * size * size }, () => 4 * r() - 2);
}

/** The batchnorm key PraNet pairs with each conv (agg1.conv5 has none). */
function batchnormOf(conv: string): string | undefined {
  if (conv === 'agg1.conv5') return undefined;
  const stem: Record<string, string> = { 'resnet.conv1.0': 'resnet.conv1.1', 'resnet.conv1.3': 'resnet.conv1.4', 'resnet.conv1.6': 'resnet.bn1' };
  if (stem[conv]) return stem[conv];
  const m = /^(.*)\.(conv1|conv3|convs\.(\d+)|downsample\.1|conv)$/.exec(conv);
  if (!m) throw new Error(`no batchnorm rule for ${conv}`);
  const [, prefix, what, i] = m;
  const bn = what === 'conv1' ? 'bn1' : what === 'conv3' ? 'bn3' : what === 'downsample.1' ? 'downsample.2' : what === 'conv' ? 'bn' : `bns.${i}`;
  return `${prefix}.${bn}`;
}

/** A checkpoint-like state dict (conv without bias + batchnorm statistics) from folded random weights. */
export function unfoldedStateDict(preset: 'tiny', seed: number): StateDict {
  const r = seededRandom(seed + 1000);
  const sd: StateDict = new Map();
  for (const [key, t] of randomPraNetWeights(preset, seed)) {
    const conv = key.replace(/\.(weight|bias)$/, '');
    const bn = batchnormOf(conv);
    if (!bn) {
      sd.set(key, { ...t, dtype: 'f32' });
      continue;
    }
    if (key.endsWith('.bias')) continue;
    sd.set(key, { ...t, dtype: 'f32' });
    const c = t.shape[0]!;
    const vec = (lo: number, hi: number) => ({ shape: [c], dtype: 'f32' as const, data: Float32Array.from({ length: c }, () => lo + (hi - lo) * r()) });
    sd.set(`${bn}.weight`, vec(0.5, 1.5));
    sd.set(`${bn}.bias`, vec(-0.2, 0.2));
    sd.set(`${bn}.running_mean`, vec(-0.3, 0.3));
    sd.set(`${bn}.running_var`, vec(0.5, 2));
  }
  return sd;
}

async function modelDigests(
  ctx: GpuContext,
  cache: PipelineCache,
  loaded: LoadedWeights,
  opts: PraNetModelOptions,
  x: Float32Array,
  into: Digests,
  prefix: string,
): Promise<void> {
  const model = await PraNetModel.create(ctx, cache, loaded, opts);
  try {
    const out = await model.run(x);
    for (const name of Object.keys(out).sort()) into[`${prefix} ${name}`] = digest(out[name]!);
  } finally {
    model.destroy();
  }
}

export async function engineOutputDigests(ctx: GpuContext, cache: PipelineCache): Promise<Digests> {
  const d: Digests = {};
  const tiny: LoadedWeights = { weights: randomPraNetWeights('tiny', 3), source: 'tiny seed 3', kind: 'engine', meta: {} };
  await modelDigests(ctx, cache, tiny, { batch: 2, size: 64, outputs: PRANET_OUTPUTS }, input(2, 64, 1), d, 'tiny b2 64 default');
  const forced = {
    channels: { tm: 8, tn: 2, wgx: 4, wgy: 16, lanes: 'channels' },
    pixels: { tm: 4, tn: 2, wgx: 16, wgy: 1, lanes: 'pixels' },
    shared: { tm: 4, tn: 1, wgx: 8, wgy: 8, lanes: 'shared', kc: 2 },
  } as const;
  for (const [family, t] of Object.entries(forced)) {
    await modelDigests(ctx, cache, tiny, { size: 64, outputs: ['lateral_map_2'], tiling: forcedTiling(t) }, input(1, 64, 2), d, `tiny 64 ${family}`);
  }
  const sd = unfoldedStateDict('tiny', 4);
  const raw: LoadedWeights = { weights: sd, source: 'tiny unfolded', kind: 'checkpoint', meta: {} };
  await modelDigests(ctx, cache, raw, { size: 64, outputs: LATERAL }, input(1, 64, 3), d, 'tiny 64 checkpoint');
  for (const dtype of ['f32', 'f16'] as const) d[`tiny convert ${dtype}`] = digest(convertStateDict(sd, { dtype, source: 'tiny.pth' }).bytes);

  const compact: LoadedWeights = { weights: randomPraNetWeights('compact', 5), source: 'compact seed 5', kind: 'engine', meta: {} };
  await modelDigests(ctx, cache, compact, { size: 128, outputs: LATERAL }, input(1, 128, 4), d, 'compact 128');

  const builtIn = await loadWeights(DEFAULT_WEIGHTS_PATH);
  const seg = await Segmenter.create(ctx, builtIn, { allMaps: true });
  try {
    const img = decodeImage(readFileSync(SAMPLE), SAMPLE);
    const s = await seg.segment(img, { logits: true });
    d['built-in sample logits'] = digest(s.logits!);
    d['built-in sample normalized'] = digest(s.normalized);
    d['built-in sample probability'] = digest(s.probability);
    d['built-in sample mask'] = digest(s.mask);
    for (const name of LATERAL) d[`built-in sample ${name}`] = digest(s.lateralMaps![name as keyof typeof s.lateralMaps]);
  } finally {
    await seg.dispose();
  }
  return d;
}

export interface Fixture {
  adapter: string;
  digests: Digests;
}

export const adapterKey = (ctx: GpuContext) => `${ctx.adapter.description || ctx.adapter.device} (${ctx.adapter.backend})`;

export function readFixture(): Fixture {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
}
