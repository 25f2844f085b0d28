// A tuning table judged in whole forward passes against the adapter's defaults and every tiling forced on every
// conv (src/tuning/sweep.ts): the README's tuning tables.
//   node dist/tools/tuning/sweep.js --table FILE [--backend opengles] [--rounds K] [--size PX]
// The built-in model; the table from `pranet tune --out FILE` on the same adapter.
import { parseArgs } from 'node:util';
import { DEFAULT_WEIGHTS_PATH } from '../../src/index.js';
import { createNodeGpu } from '../../src/gpu/node-device.js';
import { PipelineCache } from '../../src/gpu/pipelines.js';
import { loadWeights } from '../../src/models/load-weights.js';
import { sweep, tunedPolicy } from '../../src/tuning/sweep.js';
import { readTableFile } from '../../src/tuning/store-node.js';
import { printSweep } from './print-sweep.js';

const { values } = parseArgs({
  options: { table: { type: 'string' }, backend: { type: 'string' }, rounds: { type: 'string', default: '5' }, size: { type: 'string', default: '352' } },
});
const table = values.table === undefined ? undefined : readTableFile(values.table);
const backend = values.backend as 'vulkan' | 'opengles' | 'opengl' | undefined;
const gpu = await createNodeGpu(backend ? { backend } : {});
try {
  const loaded = await loadWeights(DEFAULT_WEIGHTS_PATH);
  const size = Number(values.size);
  const passMs = await sweep(gpu, new PipelineCache(gpu), loaded, {
    size,
    rounds: Number(values.rounds),
    ...(table ? { tuned: tunedPolicy(table) } : {}),
    onProgress: (what, done, total) => process.stderr.write(`\r${what} ${done}/${total}   `),
  });
  process.stderr.write('\n');
  printSweep(gpu.adapter, passMs, table?.chosen);
} finally {
  gpu.destroy();
}
