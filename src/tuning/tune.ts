// The tuner behind `pranet tune`: measures candidate tilings for every distinct conv of a network on this
// adapter, then decides by whole forward passes. Per-dispatch times mislead (on lavapipe a tiling measured
// 1.47x faster dispatch by dispatch ran 0.97x as fast in the whole pass), so each candidate is timed as a pass
// of the same dispatch repeated back to back, by the clock from submit to completion, and the result is only
// kept if whole passes confirm it: the per-conv choice, a few tilings forced on every conv and the defaults run
// in alternating rounds, and the fastest median wins (the defaults included, so tuning never makes it slower).
import { createStorageBuffer, settle, uploadFloat32 } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/context.js';
import { encodeDispatches, prepareDispatches, type PreparedDispatch } from '../gpu/dispatch.js';
import type { PipelineCache } from '../gpu/pipelines.js';
import { isOp } from '../graph/ir.js';
import {
  conv2dKernel,
  type Conv2dOpAttrs,
  conv2dOp,
  type ConvTiling,
  convKey,
  packConv2dBias,
  withBias,
  packConv2dWeights,
  packConv2dWeightsF16,
} from '../kernels/conv2d.js';
import { denseView, type TensorView } from '../kernels/layout.js';
import { adapterClass, chooseTiling, defaultTilingPolicy, forcedTiling, type TilingPolicy, type TilingRule } from '../kernels/tiling-policy.js';
import type { LoadedWeights } from '../models/load-weights.js';
import { PraNetModel } from '../models/pranet-model.js';
import { tilingText } from '../profile/gemm-ceiling.js';
import { ENGINE_VERSION } from '../version.js';
import { convCandidates, distinctTilings, predictedUniform, uniformCandidates } from './candidates.js';
import { identityOf, type TuningTable } from './table.js';
import { comparePasses, median } from './whole-pass.js';

export interface TuneOptions {
  batch?: number;
  size?: number;
  /** what the weights are, for the table's record */
  model: string;
  /** rounds of whole passes in the final comparison (default 5) */
  rounds?: number;
  /** a candidate's timed run repeats its dispatch until it lasts this long (default 30 ms) */
  minRunMs?: number;
  /** per-conv candidates; default convCandidates for the adapter's class */
  candidates?: (pixels: number) => ConvTiling[];
  /** try at most this many per-conv candidates (the first ones; default all), for a quick tuning */
  maxCandidates?: number;
  /** tilings forced on every conv in the final comparison; default the two predictedUniform puts first, then uniformCandidates */
  uniform?: ConvTiling[];
  onProgress?: (what: string, done: number, total: number) => void;
}

export interface ConvMeasurement {
  conv: string;
  /** how many convs of the network have this shape */
  count: number;
  /** ms per dispatch of each candidate that ran */
  ms: { tiling: ConvTiling; ms: number }[];
  best: ConvTiling;
  /** candidates that fit the conv but failed on this adapter (a driver's shader compiler, say): left out */
  failed: { tiling: ConvTiling; error: string }[];
}

export interface TuneResult {
  table: TuningTable;
  convs: ConvMeasurement[];
  /** tilings forced on every conv whose network failed to build here, left out of the whole-pass comparison */
  skipped: { tiling: ConvTiling; error: string }[];
}

interface ConvCase {
  key: string;
  count: number;
  attrs: Conv2dOpAttrs;
  x: TensorView;
  y: TensorView;
  f16: boolean;
}

/** Wall-clock ms of one pass of `dispatches`, from submit until the GPU is done. */
async function timePass(ctx: GpuContext, dispatches: readonly PreparedDispatch[]): Promise<number> {
  await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
  const t0 = performance.now();
  const encoder = ctx.device.createCommandEncoder({ label: 'tune' });
  encodeDispatches(encoder, dispatches, 'tune');
  ctx.device.queue.submit([encoder.finish()]);
  await settle(ctx, ctx.device.queue.onSubmittedWorkDone());
  return performance.now() - t0;
}

/** The distinct convs of a compiled network, as the executor laid them out. */
function convCases(model: PraNetModel): ConvCase[] {
  const byKey = new Map<string, ConvCase>();
  for (const { node, call } of model.compiled.steps) {
    if (!isOp(node, conv2dOp)) continue;
    const x = model.compiled.plan.views.get(node.inputs[0]!)!.view;
    const y = model.compiled.plan.views.get(node.output)!.view;
    const key = convKey(node.attrs, x, y);
    const seen = byKey.get(key);
    if (seen) seen.count++;
    else byKey.set(key, { key, count: 1, attrs: { ...node.attrs, cout: y.c }, x: denseView(x), y: denseView(y), f16: call.label.endsWith('(f16 weights)') });
  }
  return [...byKey.values()];
}

/** ms per dispatch of one conv under each candidate (candidates that cannot run are left out). */
async function measureConv(ctx: GpuContext, cache: PipelineCache, c: ConvCase, candidates: ConvTiling[], minRunMs: number): Promise<ConvMeasurement> {
  const floats = (v: TensorView) => v.n * v.h * v.w * v.cs;
  const fill = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
  const x = uploadFloat32(ctx, fill(floats(c.x), 1), 'tune x');
  const y = createStorageBuffer(ctx, 4 * floats(c.y), 'tune y');
  const res = c.attrs.residual ? uploadFloat32(ctx, fill(floats(c.y), 2), 'tune res') : undefined;
  const status = createStorageBuffer(ctx, 16, 'tune status');
  const cin = c.x.c;
  const weights = fill(c.y.c * cin * c.attrs.kh * c.attrs.kw, 3).map((v) => Math.fround(v)); // exact in float16 too
  const ms: ConvMeasurement['ms'] = [];
  const failed: ConvMeasurement['failed'] = [];
  try {
    for (const tiling of candidates) {
      let call;
      try {
        call = conv2dKernel(c.attrs, c.x, c.y, tiling, {
          ...(res ? { res: c.y } : {}),
          maxGroups: ctx.limits.maxComputeWorkgroupsPerDimension,
          limits: ctx.limits,
          weights: c.f16 ? 'f16' : 'f32',
        });
      } catch {
        continue; // this tiling does not fit this conv (or this device's workgroup limits)
      }
      const packed = c.f16
        ? packConv2dWeightsF16(
            weights.map((v) => Math.round(v * 1024) / 1024),
            c.y.c,
            cin,
            c.attrs.kh,
            c.attrs.kw,
            tiling.tn,
          )
        : packConv2dWeights(weights, c.y.c, cin, c.attrs.kh, c.attrs.kw, tiling.tn);
      const constants = withBias(packed, c.attrs.bias ? packConv2dBias(new Float32Array(c.attrs.cout), c.attrs.cout, tiling.tn) : undefined);
      const w = createStorageBuffer(ctx, constants.byteLength, 'tune w', (m) =>
        m.set(new Uint8Array(constants.buffer, constants.byteOffset, constants.byteLength)),
      );
      try {
        const resources = {
          x: { buffer: x },
          w: { buffer: w },
          y: { buffer: y },
          status: { buffer: status },
          ...(res ? { res: { buffer: res } } : {}),
        };
        // A candidate that compiles on lavapipe may still fail on another driver: one such candidate must not
        // end the whole tuning, so it is left out and named; a lost device ends it (every wait says so).
        const batch = await prepareDispatches(ctx, cache, [{ call, resources }]).catch((e: Error) => {
          failed.push({ tiling, error: e.message });
        });
        if (!batch) continue;
        try {
          const repeated = (n: number) => Array.from({ length: n }, () => batch.dispatches[0]!);
          const once = await timePass(ctx, batch.dispatches); // warm-up
          // On a fast GPU one pass is mostly the submit's round trip (a 10 us conv read as 1 ms): the dispatch's
          // own time is read from a short run before sizing the timed one, so that the round trip is spread
          // over enough repeats to stop deciding the ranking. Where one dispatch already lasts minRunMs, no extra.
          const probe = Math.min(20, Math.ceil(minRunMs / Math.max(once, 0.01)));
          const each = probe > 1 ? (await timePass(ctx, repeated(probe))) / probe : once;
          const repeats = Math.min(200, Math.max(1, Math.ceil(minRunMs / Math.max(each, 0.001))));
          const run = repeated(repeats);
          const times: number[] = [];
          for (let i = 0; i < 3; i++) times.push((await timePass(ctx, run)) / repeats);
          ms.push({ tiling, ms: median(times) });
        } finally {
          batch.destroy();
        }
      } finally {
        w.destroy();
      }
    }
  } finally {
    x.destroy();
    y.destroy();
    res?.destroy();
    status.destroy();
  }
  if (ms.length === 0)
    throw new Error(`tune: no candidate tiling runs the conv ${c.key}${failed.length ? ` (${failed.length} failed; the first: ${failed[0]!.error})` : ''}`);
  return { conv: c.key, count: c.count, ms, best: ms.reduce((a, b) => (b.ms < a.ms ? b : a)).tiling, failed };
}

/** Tunes the convs of `loaded` (at opts.size and opts.batch) on `ctx`; the result is not stored anywhere. */
export async function tune(ctx: GpuContext, cache: PipelineCache, loaded: LoadedWeights, opts: TuneOptions): Promise<TuneResult> {
  const batch = opts.batch ?? 1;
  const size = opts.size ?? 352;
  const rounds = opts.rounds ?? 5;
  const minRunMs = opts.minRunMs ?? 30;
  const cls = adapterClass(ctx.adapter);
  const progress = opts.onProgress ?? (() => undefined);
  const defaults = defaultTilingPolicy(cls);
  const build = (tiling: TilingPolicy) => PraNetModel.create(ctx, cache, loaded, { batch, size, tiling, outputs: ['lateral_map_2'] });

  const base = await build(defaults);
  const models: { name: string; rules: TilingRule[]; model: PraNetModel }[] = [{ name: 'defaults', rules: [], model: base }];
  try {
    const cases = convCases(base);
    const convs: ConvMeasurement[] = [];
    for (const [i, c] of cases.entries()) {
      progress(`conv ${c.key}`, i, cases.length);
      const pixels = c.y.n * c.y.h * c.y.w;
      const candidates = (opts.candidates?.(pixels) ?? convCandidates(cls, pixels, ctx.subgroupSize)).slice(0, opts.maxCandidates);
      convs.push(await measureConv(ctx, cache, c, candidates, minRunMs));
    }
    const perConv = convs.map((m): TilingRule => ({ conv: m.conv, tiling: m.best }));
    models.push({ name: 'per-conv choice', rules: perConv, model: await build([...perConv, ...defaults]) });
    // Forced on every conv: the two the per-conv times predict fastest, then the class's usual ones.
    const uniform = opts.uniform ?? [...predictedUniform(convs).slice(0, 2), ...uniformCandidates(cls, ctx.subgroupSize)];
    const skipped: TuneResult['skipped'] = [];
    for (const t of distinctTilings(uniform).slice(0, opts.maxCandidates)) {
      const rules = forcedTiling(t) as TilingRule[];
      const model = await build(rules).catch((e: Error) => {
        skipped.push({ tiling: t, error: e.message });
      });
      if (model) models.push({ name: `every conv ${tilingText(t)}`, rules, model });
    }
    const passMs = await comparePasses(models, batch, size, rounds, (done) => progress('whole passes', done, rounds));
    const winner = models.reduce((a, b) => (passMs[b.name]! < passMs[a.name]! ? b : a));
    // The winner as one rule per conv of this network, whatever it was (defaults and a tiling forced on every
    // conv included): the same tilings here, nothing claimed for convs it never measured, and a table that
    // later tunings (another batch, size or network) can add to without undoing it (mergeTables).
    const winning = [...winner.rules, ...defaults];
    const rules = cases.map((c): TilingRule => ({ conv: c.key, tiling: chooseTiling(winning, c.y.n * c.y.h * c.y.w, c.y.c, ctx.subgroupSize, c.key) }));
    const table: TuningTable = {
      format: 'pranet-wgsl tuning table',
      engineVersion: ENGINE_VERSION,
      adapter: identityOf(ctx.adapter),
      created: new Date().toISOString(),
      tunedFor: { model: opts.model, size, batch },
      rules,
      passMs,
      chosen: winner.name,
    };
    return { table, convs, skipped };
  } finally {
    for (const m of models) m.model.destroy();
  }
}
