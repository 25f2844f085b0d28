// The weights `pranet profile` and `pranet bench` run: a file (the shipped model by default) or seeded random
// weights of a preset, made in memory (folded, no Python needed).
import { DEFAULT_WEIGHTS_PATH } from '../../../src/index.js';
import { loadWeights, type LoadedWeights } from '../../../src/models/load-weights.js';
import { isPresetName, PRANET_PRESETS, type PraNetPresetName, randomPraNetWeights } from '../../../src/models/random-weights.js';
import { type ParsedOptions, UsageError } from '../args.js';
import { WEIGHTS_OPTION } from '../command.js';

export const PRESET_NAMES = Object.keys(PRANET_PRESETS).join('|');

export const MODEL_OPTIONS = [
  WEIGHTS_OPTION,
  { name: 'random', type: 'string', meta: 'PRESET', help: `seeded random weights of a preset instead of a file: ${PRESET_NAMES.replaceAll('|', ', ')}` },
  { name: 'seed', type: 'int', meta: 'N', default: 0, help: 'seed of --random' },
  { name: 'size', type: 'int', meta: 'PX', default: 352, help: 'network input size (a multiple of 32)' },
  { name: 'batch', type: 'int', meta: 'N', default: 1, help: 'images per forward pass' },
] as const;

export type WeightsChoice = { kind: 'file'; path: string } | { kind: 'random'; preset: PraNetPresetName; seed: number };

export interface ModelChoice {
  weights: WeightsChoice;
  size: number;
  batch: number;
}

export function modelChoice(o: ParsedOptions, command: string): ModelChoice {
  const size = o.size as number;
  const batch = o.batch as number;
  if (size < 32 || size % 32 !== 0) throw new UsageError(`--size must be a positive multiple of 32, got ${size}`, command);
  if (batch < 1) throw new UsageError(`--batch must be at least 1, got ${batch}`, command);
  const random = o.random as string | undefined;
  if (random !== undefined && o.weights !== undefined) throw new UsageError('give either --weights or --random, not both', command);
  if (random !== undefined && !isPresetName(random)) throw new UsageError(`--random needs a preset name (${PRESET_NAMES}), got '${random}'`, command);
  const seed = o.seed as number;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer in [0, 2^32), got ${seed}`, command);
  const weights: WeightsChoice = random !== undefined ? { kind: 'random', preset: random as PraNetPresetName, seed } : { kind: 'file', path: (o.weights as string | undefined) ?? DEFAULT_WEIGHTS_PATH };
  return { weights, size, batch };
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
