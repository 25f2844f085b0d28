// Tests that need the Python references or the shared data skip on a developer's machine without them and
// fail in CI (PRANET_REQUIRE_ALL=1): the decision, and what each case prints or throws.
import { expect } from 'chai';
import { join } from 'node:path';
import { KVASIR_TEST, REPO_ROOT } from './support/paths.js';
import { prerequisiteAction, REQUIRE_ALL, requireOrSkip } from './support/prerequisites.js';
import { whyNoSharedData } from './support/shared-data.js';

/** Runs requireOrSkip with REQUIRE_ALL set to `value` (or unset) and a context whose skip() is recorded. */
function outcome(reason: string | null, value: string | undefined): string {
  const saved = process.env[REQUIRE_ALL];
  if (value === undefined) delete process.env[REQUIRE_ALL];
  else process.env[REQUIRE_ALL] = value;
  const log = console.log;
  console.log = () => undefined; // the SKIPPED line is for real skips
  try {
    let skipped = false;
    requireOrSkip({ skip: () => (skipped = true) } as unknown as Mocha.Context, reason);
    return skipped ? 'skipped' : 'ran';
  } catch (err) {
    return `threw: ${(err as Error).message}`;
  } finally {
    console.log = log;
    if (saved === undefined) delete process.env[REQUIRE_ALL];
    else process.env[REQUIRE_ALL] = saved;
  }
}

describe('test prerequisites: skip on a developer machine, fail in CI', () => {
  it('runs when nothing is missing, skips when something is, fails instead only with PRANET_REQUIRE_ALL=1', () => {
    expect(REQUIRE_ALL).to.equal('PRANET_REQUIRE_ALL');
    expect(prerequisiteAction(null, {})).to.equal('run');
    expect(prerequisiteAction(null, { PRANET_REQUIRE_ALL: '1' })).to.equal('run');
    expect(prerequisiteAction('no torch', {})).to.equal('skip');
    expect(prerequisiteAction('no torch', { PRANET_REQUIRE_ALL: '0' })).to.equal('skip');
    expect(prerequisiteAction('no torch', { PRANET_REQUIRE_ALL: '1' })).to.equal('fail');
  });

  it('requireOrSkip skips the test, or in CI throws the reason and the variable that demands it', () => {
    expect(outcome(null, '1')).to.equal('ran');
    expect(outcome('shared data missing: /x', undefined)).to.equal('skipped');
    expect(outcome('shared data missing: /x', '1')).to.equal('threw: shared data missing: /x; PRANET_REQUIRE_ALL=1 requires it');
  });

  it('shared data: null when every path exists, else a reason naming the first missing path and PRANET_SHARED', () => {
    expect(whyNoSharedData([REPO_ROOT, join(REPO_ROOT, 'package.json')])).to.equal(null);
    const missing = join(KVASIR_TEST, 'no-such-folder');
    const why = whyNoSharedData([REPO_ROOT, missing, join(REPO_ROOT, 'nor-this')]);
    expect(why).to.include(`shared data missing: ${missing} `).and.include('PRANET_SHARED');
  });
});
