// `pranet info`: the WebGPU adapter this machine gives the engine, its features and the limits that matter.
import { createNodeGpu } from '../../gpu/node-device.js';
import { RAISED_LIMITS, WANTED_FEATURES } from '../../gpu/context.js';
import { BACKEND_OPTION, defineCommand } from '../command.js';
import { adapterClass } from '../../kernels/tiling-policy.js';
import { resolveNodeTuning } from '../../tuning/store-node.js';

/** The limits the engine raises, and the buffer offset alignment its planner follows. */
const LIMITS = [...RAISED_LIMITS, 'minStorageBufferOffsetAlignment'] as const;

export const info = defineCommand({
  spec: {
    name: 'info',
    summary: 'Print the WebGPU adapter the engine gets here: name, vendor, backend, feature level, optional features and key limits.',
    usage: 'pranet info [--backend NAME] [--json]',
    positionals: [],
    options: [BACKEND_OPTION, { name: 'json', type: 'boolean', help: 'print JSON instead of text' }],
    examples: ['pranet info', 'PRANET_BACKEND=opengles pranet info'],
  },
  async run(o) {
    const gpu = await createNodeGpu({ backend: o.backend });
    try {
      const a = gpu.adapter;
      const features = Object.fromEntries(WANTED_FEATURES.map((f) => [f, gpu.features.has(f)]));
      const limits = Object.fromEntries(LIMITS.map((l) => [l, (gpu.limits as unknown as Record<string, number>)[l]]));
      const tiling = resolveNodeTuning('auto', gpu).description;
      if (o.json) {
        console.log(JSON.stringify({ adapter: a, class: adapterClass(a), tiling, features, limits }, null, 2));
        return 0;
      }
      console.log(`Adapter:       ${a.description || a.device || '(no description)'}`);
      console.log(`  vendor:      ${a.vendor || '(blank)'}`);
      console.log(`  architecture:${a.architecture ? ` ${a.architecture}` : ' (blank)'}`);
      console.log(`  device:      ${a.device || '(blank)'}`);
      console.log(`  backend:     ${a.backend}`);
      console.log(`  feature level: ${a.featureLevel}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`);
      console.log(`  class:       ${adapterClass(a)}`);
      console.log(`Tiling: ${tiling}`);
      console.log('Features:');
      for (const [f, on] of Object.entries(features)) console.log(`  ${f.padEnd(16)} ${on ? 'yes' : 'no'}`);
      console.log('Limits:');
      for (const [l, v] of Object.entries(limits)) console.log(`  ${l.padEnd(34)} ${v}`);
      return 0;
    } finally {
      gpu.destroy();
    }
  },
});
