// How good a tuning table is: the tuned policy against the adapter class's defaults and a sweep of tilings forced
// on every conv (each family the engine has, in the variants the tuner tries, whatever the adapter's class), in
// whole forward passes. The README's tuning tables come from it (tools/tuning/sweep.ts, tools/browser/).
import type { GpuContext } from '../gpu/context.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import type { ConvTiling } from '../kernels/conv2d.js';
import { adapterClass, defaultTilingPolicy, forcedTiling, type TilingPolicy } from '../kernels/tiling-policy.js';
import type { LoadedWeights } from '../models/load-weights.js';
import { PraNetModel } from '../models/pranet-model.js';
import { tilingText } from '../profile/gemm-ceiling.js';
import { convCandidates, distinctTilings } from './candidates.js';
import type { TuningTable } from './table.js';
import { comparePasses } from './whole-pass.js';

/** Every tiling the tuner may pick for a large map on any class of adapter, once each. */
export function sweepTilings(subgroupSize?: number): ConvTiling[] {
  const all = [...convCandidates('software', Infinity, subgroupSize), ...convCandidates('discrete', Infinity, subgroupSize)];
  return distinctTilings(all);
}

/** What a sweep times, by name: the defaults, the tuned rules (when there are any) before them, each forced tiling. */
export function sweepContestants(defaults: TilingPolicy, subgroupSize?: number, tuned?: TilingPolicy): { name: string; policy: TilingPolicy }[] {
  return [
    { name: 'defaults', policy: defaults },
    ...(tuned && tuned.length > 0 ? [{ name: 'tuning table', policy: [...tuned, ...defaults] }] : []),
    ...sweepTilings(subgroupSize).map((t) => ({ name: `every conv ${tilingText(t)}`, policy: forcedTiling(t) })),
  ];
}

/** The rules of `t` to sweep against the defaults: none when its tuning chose the defaults (its rules then restate them). */
export const tunedPolicy = (t: TuningTable): TilingPolicy => (t.chosen === 'defaults' ? [] : t.rules);

export interface SweepOptions {
  size?: number;
  batch?: number;
  rounds?: number;
  /** the tuned policy to judge (tunedPolicy of a table); left out or empty, it is the defaults and not timed twice */
  tuned?: TilingPolicy;
  onProgress?: (what: string, done: number, total: number) => void;
}

/** Median ms of a whole forward pass for 'defaults', 'tuning table' (with rules in opts.tuned) and each forced tiling. */
export async function sweep(ctx: GpuContext, cache: PipelineCache, loaded: LoadedWeights, opts: SweepOptions = {}): Promise<Record<string, number>> {
  const [size, batch, rounds] = [opts.size ?? 352, opts.batch ?? 1, opts.rounds ?? 5];
  const progress = opts.onProgress ?? (() => undefined);
  const contestants = sweepContestants(defaultTilingPolicy(adapterClass(ctx.adapter)), ctx.subgroupSize, opts.tuned);
  const models: { name: string; model: PraNetModel }[] = [];
  try {
    for (const [i, c] of contestants.entries()) {
      progress('compiling', i, contestants.length);
      models.push({ name: c.name, model: await PraNetModel.create(ctx, cache, loaded, { batch, size, tiling: c.policy, outputs: ['lateral_map_2'] }) });
    }
    return await comparePasses(models, batch, size, rounds, (done) => progress('whole passes', done, rounds));
  } finally {
    for (const m of models) m.model.destroy();
  }
}
