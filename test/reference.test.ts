// The PyTorch reference that every parity test trusts is itself checked against the architecture: the
// official state dict's 922 keys in order with their shapes and dtypes (the key list in the shared data), and
// the independently measured MACs, data-flow shapes, pool borders and bilinear formulas of docs/pranet.md.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PYTHON, REPO_ROOT, STATE_DICT_KEYS } from './support/paths.js';
import { requireTorch } from './support/python.js';
import { requireSharedData } from './support/shared-data.js';

function runCheck(script: string): string {
  const r = spawnSync(PYTHON, [join(REPO_ROOT, 'tools/reference', script)], { encoding: 'utf8', timeout: 300_000 });
  expect(r.error, `${script} could not run`).to.equal(undefined);
  expect(r.status, `${script} failed:\n${r.stdout}\n${r.stderr}`).to.equal(0);
  return r.stdout;
}

describe('the PyTorch reference model (tools/reference)', function () {
  this.timeout(300_000);
  before(function () {
    requireTorch(this);
  });

  it('has exactly the 922 state-dict keys of the official checkpoint, in order, with their shapes and dtypes', function () {
    requireSharedData(this, STATE_DICT_KEYS);
    expect(runCheck('check_keys.py')).to.match(/^OK: 922 keys match .*pranet-state-dict-keys\.tsv in order, shape and dtype/m);
  });

  it("matches docs/pranet.md's MACs, data-flow shapes, pool borders and bilinear formulas", () => {
    expect(runCheck('check_spec.py')).to.match(/^OK: MACs .* match docs\/pranet\.md/m);
  });
});
