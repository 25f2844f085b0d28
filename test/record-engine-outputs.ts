// Rewrites test/fixtures/engine-outputs.json with the digests of the engine's outputs on this adapter (see
// test/support/engine-outputs.ts). Run as `node dist/test/record-engine-outputs.js` after `npm run build`,
// only in a commit that means to change results.
import { writeFileSync } from 'node:fs';
import { adapterKey, engineOutputDigests, FIXTURE, type Fixture } from './support/engine-outputs.js';
import { testGpu } from './support/gpu.js';

const { ctx, cache } = await testGpu();
const fixture: Fixture = { adapter: adapterKey(ctx), digests: await engineOutputDigests(ctx, cache) };
writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
console.log(`wrote ${Object.keys(fixture.digests).length} digests for ${fixture.adapter} to ${FIXTURE}`);
ctx.destroy();
