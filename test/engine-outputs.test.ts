// Refactors must not change a bit: the engine's outputs on fixed networks and inputs (tiny and compact
// topologies, every conv family, checkpoint and converter paths, the built-in model on the sample image) must
// equal the digests recorded in test/fixtures/engine-outputs.json on the same adapter.
import { expect } from 'chai';
import { adapterKey, engineOutputDigests, readFixture } from './support/engine-outputs.js';
import { testGpu } from './support/gpu.js';

describe('engine outputs are bit-identical to the recorded ones', function () {
  this.timeout(300_000);
  it('every recorded digest matches on the recording adapter', async function () {
    const { ctx, cache } = await testGpu();
    const fixture = readFixture();
    if (adapterKey(ctx) !== fixture.adapter) {
      console.log(`      SKIPPED: digests were recorded on ${fixture.adapter}; this adapter is ${adapterKey(ctx)}`);
      this.skip();
    }
    const got = await engineOutputDigests(ctx, cache);
    expect(Object.keys(got).sort()).to.deep.equal(Object.keys(fixture.digests).sort());
    const differ = Object.keys(got).filter((k) => got[k] !== fixture.digests[k]);
    expect(differ, `outputs that changed: ${differ.join(', ')}`).to.deep.equal([]);
  });
});
