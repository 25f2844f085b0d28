// The engine's cold start in Deno (WebGPU on wgpu), measured as `pranet bench` measures it in Node (Dawn):
// device, weights, graph build + pipeline creation, the first forward pass (where a driver such as lavapipe
// compiles the shaders), then a second one. It runs the browser bundle, as a Deno app would.
//   npm run bench:deno [-- weights.pnw]       (builds web/dist/pranet.js first)
// Set MESA_SHADER_CACHE_DISABLE=true, for this and for `pranet bench`, to time a compile without Mesa's disk cache.
/* global Deno */
import { createBrowserGpu, describeConfig, Segmenter, weightsFromBytes } from '../../web/dist/pranet.js';

const file = Deno.args[0] ?? new URL('../../weights/pranet-kvasir-compact.f16.pnw', import.meta.url).pathname;
let t = performance.now();
const lap = () => {
  const now = performance.now();
  const ms = now - t;
  t = now;
  return ms.toFixed(0);
};
const gpu = await createBrowserGpu();
const deviceMs = lap();
const weights = weightsFromBytes(await Deno.readFile(file), file);
const weightsMs = lap();
const segmenter = await Segmenter.create(gpu, weights);
const buildMs = lap();
const input = new Float32Array(3 * 352 * 352);
await segmenter.network.run(input);
const firstMs = lap();
await segmenter.network.run(input);
const secondMs = lap();
console.log(
  `Deno ${Deno.version.deno} (WebGPU on wgpu): ${gpu.adapter.description || gpu.adapter.device}; features: ${[...gpu.features].join(', ') || 'none'}`,
);
console.log(`Model: ${file}; ${describeConfig(segmenter.config)}; tiling: ${segmenter.tilingDescription}`);
console.log(
  `Cold start: device ${deviceMs} ms, weights ${weightsMs} ms, graph build + pipeline creation ${buildMs} ms, first run ${firstMs} ms; second run ${secondMs} ms`,
);
await segmenter.dispose();
