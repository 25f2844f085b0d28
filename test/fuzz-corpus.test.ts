// Replays the fuzzer's reproducers (test/fuzz-corpus/): each must now be read, or refused with the project's
// own error naming the file, within the fuzzer's time and memory limits. Also runs the fuzzer itself briefly,
// so the harness that CI runs for longer (.ci/run) stays working.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS, type Kind } from './fuzz/cases.js';
import { judge } from './fuzz/judge.js';
import { CORPUS_DIR } from './fuzz/corpus.js';
import { REPO_ROOT } from './support/paths.js';

describe('fuzz reproducers and harness', () => {
  const files = readdirSync(CORPUS_DIR).filter((f) => f !== 'README.md');

  it('every reproducer is named by its kind', () => {
    expect(files.length).to.be.greaterThan(0);
    for (const f of files)
      expect(
        KINDS.some((k) => f.startsWith(`${k}-`)),
        f,
      ).to.equal(true);
  });

  for (const file of files) {
    it(`${file} is read or refused by name, within the limits`, () => {
      const kind = [...KINDS].sort((a, b) => b.length - a.length).find((k) => file.startsWith(`${k}-`)) as Kind;
      const outcome = judge(kind, new Uint8Array(readFileSync(join(CORPUS_DIR, file))), file);
      expect(outcome.verdict, outcome.message).to.be.oneOf(['accepted', 'refused']);
    });
  }

  it('npm run fuzz: 120 cases of every kind run clean (exit 0) and report per kind', function () {
    this.timeout(120_000);
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'dist/test/fuzz/run.js'), '--cases', '120', '--seed', '7', '--no-save'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/fuzz: 120 cases \(seed 7\) in [\d.]+ s, 0 failures/);
    for (const k of KINDS) expect(r.stdout).to.match(new RegExp(`^  ${k} +`, 'm'));
  });
});
