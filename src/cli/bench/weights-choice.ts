// The weights `pranet profile` and `pranet bench` run: a file (the shipped model by default) or seeded random
// weights of a preset, made in memory (folded, no Python needed).
import { DEFAULT_WEIGHTS_PATH } from '../../index.js';
import { loadWeights, type LoadedWeights } from '../../models/load-weights.js';
import { isPresetName, PRANET_PRESETS, type PraNetPresetName, randomPraNetWeights } from '../../models/random-weights.js';
import type { ConvTiling } from '../../kernels/conv2d.js';
import { tilingProblem } from '../../kernels/tiling-policy.js';
import { type OptionSpec, type OptionsOf, UsageError } from '../args.js';
import { WEIGHTS_OPTION } from '../command.js';

const PRESETS = Object.keys(PRANET_PRESETS).filter(isPresetName);
/** For usage lines: official|compact|tiny. */
export const PRESET_NAMES = PRESETS.join('|');

export const MODEL_OPTIONS = [
  WEIGHTS_OPTION,
  { name: 'random', type: 'string', meta: 'PRESET', choices: PRESETS, help: 'seeded random weights of a preset instead of a file' },
  { name: 'seed', type: 'int', meta: 'N', default: 0, help: 'seed of --random' },
  { name: 'size', type: 'int', meta: 'PX', default: 352, help: 'network input size (a multiple of 32)' },
  { name: 'batch', type: 'int', meta: 'N', default: 1, help: 'images per forward pass' },
  {
    name: 'tiling',
    type: 'string',
    meta: 'JSON',
    help: 'one conv tiling for every conv instead of the per-device default, e.g. \'{"lanes":"shared","tm":4,"tn":1,"wgx":16,"wgy":16}\'',
  },
] as const satisfies readonly OptionSpec[];

export type WeightsChoice = { kind: 'file'; path: string } | { kind: 'random'; preset: PraNetPresetName; seed: number };

export interface ModelChoice {
  weights: WeightsChoice;
  size: number;
  batch: number;
  /** --tiling: forced on every conv */
  tiling?: ConvTiling;
}

function parseTiling(text: string, command: string): ConvTiling {
  let t: unknown;
  try {
    t = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--tiling needs a JSON object: ${(err as Error).message}`, command);
  }
  const problem = tilingProblem(t);
  if (problem) throw new UsageError(`--tiling: ${problem}`, command);
  return t as ConvTiling;
}

export function modelChoice(o: OptionsOf<typeof MODEL_OPTIONS>, command: string): ModelChoice {
  const { size, batch, random, seed } = o;
  if (size < 32 || size % 32 !== 0) throw new UsageError(`--size must be a positive multiple of 32, got ${size}`, command);
  if (batch < 1) throw new UsageError(`--batch must be at least 1, got ${batch}`, command);
  if (random !== undefined && o.weights !== undefined) throw new UsageError('give either --weights or --random, not both', command);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer in [0, 2^32), got ${seed}`, command);
  const weights: WeightsChoice = random !== undefined ? { kind: 'random', preset: random, seed } : { kind: 'file', path: o.weights ?? DEFAULT_WEIGHTS_PATH };
  const tiling = o.tiling === undefined ? undefined : parseTiling(o.tiling, command);
  return { weights, size, batch, ...(tiling ? { tiling } : {}) };
}

export function describeWeights(w: WeightsChoice): string {
  return w.kind === 'random' ? `random ${w.preset} preset (seed ${w.seed}, folded, made in memory)` : w.path;
}

export async function loadChosenWeights(w: WeightsChoice): Promise<LoadedWeights> {
  if (w.kind === 'file') return loadWeights(w.path);
  return { weights: randomPraNetWeights(w.preset, w.seed), source: `random ${w.preset} (seed ${w.seed})`, kind: 'engine', meta: {} };
}

/** A fixed, deterministic input batch (N x 3 x size x size) in the range of normalised images. */
export function benchInput(batch: number, size: number): Float32Array {
  const out = new Float32Array(batch * 3 * size * size);
  for (let i = 0; i < out.length; i++) out[i] = 2 * Math.sin(i * 0.37) * Math.cos(i * 0.0011);
  return out;
}
