// The GEMM ceiling: the best f32 matrix-product rate this device reaches with the engine's own conv kernel,
// used as a plain GEMM (a 1x1 conv: M = pixels, K = input channels, N = output channels) over a few tilings.
// Each conv of a profile can then be put against it: how far a layer is from what the kernel does at best.
// It is the engine's own ceiling, not the device's peak, and it has no memory-bandwidth roof.
import { uploadFloat32 } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/context.js';
import { prepareDispatches } from '../gpu/dispatch.js';
import { PipelineCache } from '../gpu/pipelines.js';
import { profileDispatches, type ProfileResult } from '../gpu/profiler.js';
import { conv2dAttrs, conv2dKernel, type ConvTiling, packConv2dBias, packConv2dWeights, withBias } from '../kernels/conv2d.js';
import { chooseTiling, DEFAULT_TILING_POLICY } from '../kernels/tiling-policy.js';
import { denseView } from '../kernels/layout.js';
import { gflopRate } from './kernel-profile.js';

export interface TilingRate {
  tiling: ConvTiling;
  /** one GEMM, from the fastest of the repeats: a ceiling is a best rate, and the least disturbed by other load */
  ms: number;
  gflopPerS: number;
}

export interface GemmCeiling {
  /** GEMM size: M pixels x K input channels -> N output channels */
  m: number;
  n: number;
  k: number;
  method: ProfileResult['method'];
  /** timed runs per tiling, after one warm-up */
  repeats: number;
  /** GEMMs per timed run: enough back-to-back dispatches for a run to last `minRunMs` (fast GPUs need many) */
  gemmsPerRun: number;
  rates: TilingRate[];
  best: TilingRate;
}

export const tilingText = (t: ConvTiling): string =>
  `lanes ${t.lanes ?? 'channels'}, tm ${t.tm}, tn ${t.tn}, wg ${t.wgx}x${t.wgy}${t.subgroup ? `, subgroup ${t.subgroup}` : ''}${t.kc ? `, kc ${t.kc}` : ''}`;

/** A small set of tilings around the engine's defaults; the subgroup ones only with fixed-size subgroups. */
export function ceilingTilings(size: number, subgroupSize?: number): ConvTiling[] {
  const list: ConvTiling[] = [
    chooseTiling(DEFAULT_TILING_POLICY, size, size, subgroupSize),
    { tm: 8, tn: 2, wgx: 8, wgy: 8, lanes: 'channels' },
    { tm: 8, tn: 2, wgx: 16, wgy: 2, lanes: 'channels' },
    { tm: 4, tn: 1, wgx: 8, wgy: 8, lanes: 'channels' },
    { tm: 4, tn: 4, wgx: 8, wgy: 8, lanes: 'channels' },
    { tm: 4, tn: 4, wgx: 64, wgy: 1, lanes: 'pixels' },
    // workgroup-memory tiles, the usual winners on real GPUs: 64 x 64, 128 x 64 and 128 x 128 outputs per workgroup
    { tm: 4, tn: 1, wgx: 16, wgy: 16, lanes: 'shared', kc: 4 },
    { tm: 8, tn: 1, wgx: 16, wgy: 16, lanes: 'shared', kc: 4 },
    { tm: 8, tn: 2, wgx: 16, wgy: 16, lanes: 'shared', kc: 4 },
    // the sum split across a workgroup
    { tm: 4, tn: 2, wgx: 32, wgy: 1, lanes: 'splitk' },
  ];
  if (subgroupSize !== undefined) {
    for (const [tm, tn] of [
      [4, 4],
      [8, 2],
      [4, 2],
    ] as const)
      list.push({ tm, tn, wgx: subgroupSize, wgy: 1, lanes: 'pixels', subgroup: subgroupSize });
  }
  // The default tiling may equal one of the others: keep the first of each.
  const byText = new Map<string, ConvTiling>();
  for (const t of list) if (!byText.has(tilingText(t))) byText.set(tilingText(t), t);
  return [...byText.values()];
}

export interface GemmCeilingOptions {
  /** M = N = K (a multiple of 32; default 1024) */
  size?: number;
  /** timed runs per tiling (default 3) */
  repeats?: number;
  /** a timed run repeats the GEMM until it lasts this long (default 20 ms): a single 1024^3 GEMM takes 0.1 ms on an H100 */
  minRunMs?: number;
  tilings?: ConvTiling[];
}

/** GEMM of `size`^3 per tiling: a warm-up that also sizes the runs, then `repeats` timed runs of `gemmsPerRun` GEMMs each. */
export async function measureGemmCeiling(ctx: GpuContext, opts: GemmCeilingOptions = {}, cache = new PipelineCache(ctx)): Promise<GemmCeiling> {
  const size = opts.size ?? 1024;
  const repeats = opts.repeats ?? 3;
  const minRunMs = opts.minRunMs ?? 20;
  if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new Error(`GEMM ceiling: size ${size} must be a positive multiple of 32`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`GEMM ceiling: repeats ${repeats} must be a positive integer`);
  if (!(minRunMs >= 0)) throw new Error(`GEMM ceiling: minRunMs ${minRunMs} must be >= 0`);
  const side = Math.sqrt(size);
  // M = size pixels as a side x side image when square, else a 1-pixel-high strip.
  const [h, w] = Number.isInteger(side) ? [side, side] : [1, size];
  const xs = denseView({ n: 1, c: size, h, w });
  const ys = denseView({ n: 1, c: size, h, w });
  const attrs = conv2dAttrs(size, 1, 1, { bias: true });
  const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.618 + seed) * 0.5);
  const x = uploadFloat32(ctx, values(h * w * size, 1), 'GEMM ceiling x');
  const y = uploadFloat32(ctx, new Float32Array(h * w * size), 'GEMM ceiling y');
  const status = uploadFloat32(ctx, new Float32Array(4), 'GEMM ceiling status');
  const weights = values(size * size, 2);
  const rates: TilingRate[] = [];
  let method: ProfileResult['method'] = 'timestamp-query';
  let gemmsPerRun = 1;
  try {
    for (const tiling of opts.tilings ?? ceilingTilings(size, ctx.subgroupSize)) {
      const call = conv2dKernel(attrs, xs, ys, tiling, { maxGroups: ctx.limits.maxComputeWorkgroupsPerDimension });
      const wt = uploadFloat32(
        ctx,
        withBias(packConv2dWeights(weights, size, size, 1, 1, tiling.tn), packConv2dBias(new Float32Array(size), size, tiling.tn)),
        'GEMM ceiling w',
      );
      try {
        const batch = await prepareDispatches(ctx, cache, [
          { call, resources: { x: { buffer: x }, w: { buffer: wt }, y: { buffer: y }, status: { buffer: status } } },
        ]);
        try {
          // A warm-up (first use can cost extra), then one timed GEMM sizes the runs: each repeats it enough to last minRunMs.
          await profileDispatches(ctx, batch.dispatches);
          const once = await profileDispatches(ctx, batch.dispatches);
          method = once.method;
          gemmsPerRun = Math.min(1000, Math.max(1, Math.ceil(minRunMs / Math.max(once.times[0]!.ms, 1e-3))));
          const run = Array.from({ length: gemmsPerRun }, () => batch.dispatches[0]!);
          const times: number[] = [];
          for (let i = 0; i < repeats; i++) {
            const r = await profileDispatches(ctx, run);
            times.push(r.times.reduce((sum, t) => sum + t.ms, 0) / gemmsPerRun);
          }
          const ms = Math.min(...times);
          rates.push({ tiling, ms, gflopPerS: gflopRate(call.flops, ms) });
        } finally {
          batch.destroy();
        }
      } finally {
        wt.destroy();
      }
    }
  } finally {
    x.destroy();
    y.destroy();
    status.destroy();
  }
  if (rates.length === 0) throw new Error('GEMM ceiling: no tiling to measure');
  const best = rates.reduce((a, b) => (b.gflopPerS > a.gflopPerS ? b : a));
  return { m: h * w, n: size, k: size, method, repeats, gemmsPerRun, rates, best };
}
