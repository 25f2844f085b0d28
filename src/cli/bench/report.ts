// Text shared by `pranet profile` and `pranet bench`: the device line and the GEMM ceiling table.
import type { GpuContext } from '../../gpu/context.js';
import { UNQUANTIZED_TIMESTAMP_TOGGLES } from '../../gpu/node-device.js';
import type { GemmCeiling } from '../../profile/gemm-ceiling.js';
import { tilingText } from '../../profile/gemm-ceiling.js';
import type { Say } from '../say.js';

export function adapterText(ctx: GpuContext): string {
  const a = ctx.adapter;
  return `${a.description || a.device || '(no description)'} (vendor ${a.vendor || '?'}, ${a.backend}, ${a.featureLevel}${a.isFallbackAdapter ? ', fallback adapter' : ''})`;
}

/** How the measuring commands' timestamps were taken (they ask Dawn for full resolution). */
export const TIMESTAMPS_TEXT = `timestamps unquantized (Dawn toggles: ${UNQUANTIZED_TIMESTAMP_TOGGLES.join(', ')})`;

export function printGemmCeiling(r: GemmCeiling, say: Say): void {
  const timing = r.method === 'timestamp-query' ? 'timestamp-query' : 'HOST CLOCK (no timestamp-query; includes submit overhead)';
  say(
    `GEMM ceiling: the engine's conv2d kernel as a ${r.m}x${r.k} by ${r.k}x${r.n} f32 GEMM (1x1 conv), fastest of ${r.repeats} runs of ${r.gemmsPerRun} GEMM${r.gemmsPerRun > 1 ? 's' : ''} after a warm-up, ${timing}`,
  );
  for (const t of r.rates)
    say(
      `  ${tilingText(t.tiling).padEnd(58)} ${t.ms.toFixed(1).padStart(8)} ms ${t.gflopPerS.toFixed(2).padStart(8)} GFLOP/s${t === r.best ? '  <- best' : ''}`,
    );
  say(`  best: ${r.best.gflopPerS.toFixed(2)} GFLOP/s\n`);
}
