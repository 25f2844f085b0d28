// The page tools/browser/tune-in-chromium.ts opens (bundled there, never shipped): tunes this browser's adapter
// with tuneThisDevice, then judges the table with the sweep of src/tuning/sweep.ts on the same device.
import { tuneThisDevice } from '../../src/browser.js';
import { createBrowserGpu } from '../../src/gpu/browser-device.js';
import { PipelineCache } from '../../src/gpu/pipelines.js';
import { loadWeights } from '../../src/models/load-weights.js';
import { sweep, tunedPolicy } from '../../src/tuning/sweep.js';
import type { AdapterSummary } from '../../src/gpu/context.js';

export interface TuneAndSweep {
  adapter: AdapterSummary;
  chosen: string;
  /** the tuner's own whole-pass comparison */
  tunerPassMs: Record<string, number>;
  convs: number;
  tuneSeconds: number;
  sweepMs: Record<string, number>;
}

declare global {
  interface Window {
    tuneAndSweep?: (weightsUrl: string, size: number, rounds: number) => Promise<TuneAndSweep>;
  }
}

window.tuneAndSweep = async (weightsUrl, size, rounds) => {
  const report = (what: string, done: number, total: number) => console.log(`${what} ${done}/${total}`);
  const t0 = performance.now();
  const tuned = await tuneThisDevice(weightsUrl, { size, rounds, onProgress: report });
  const tuneSeconds = (performance.now() - t0) / 1000;
  const gpu = await createBrowserGpu();
  try {
    const sweepMs = await sweep(gpu, new PipelineCache(gpu), await loadWeights(weightsUrl), {
      size,
      rounds,
      tuned: tunedPolicy(tuned.table),
      onProgress: report,
    });
    return { adapter: gpu.adapter, chosen: tuned.table.chosen, tunerPassMs: tuned.table.passMs, convs: tuned.convs.length, tuneSeconds, sweepMs };
  } finally {
    gpu.destroy();
  }
};
