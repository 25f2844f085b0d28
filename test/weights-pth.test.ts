// .pth files written by real PyTorch (tools/reference/make_pth_fixtures.py) must decode element for element.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanStateDict, readCheckpoint, readPth, sniffCheckpoint, type StateDict } from '../src/weights/index.js';
import { requireTorch } from './support/python.js';

import { PYTHON } from './support/paths.js';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'tools', 'reference', 'make_pth_fixtures.py');

interface ExpectedTensor {
  key: string;
  dtype: string;
  shape: number[];
  values: number[];
}

const FILES = [
  'plain_legacy.pth',
  'plain_zip.pth',
  'plain_zip_deflated.pth',
  'wrapped_legacy.pth',
  'wrapped_zip.pth',
  'module_legacy.pth',
  'module_zip.pth',
  'model_opt_legacy.pth',
  'model_opt_zip.pth',
];

function compare(sd: StateDict, expected: ExpectedTensor[], file: string): void {
  expect([...sd.keys()], `${file} keys`).to.deep.equal(expected.map((e) => e.key));
  for (const e of expected) {
    const t = sd.get(e.key)!;
    expect(t.dtype, `${file} ${e.key} dtype`).to.equal(e.dtype);
    expect(t.shape, `${file} ${e.key} shape`).to.deep.equal(e.shape);
    expect(t.data.length, `${file} ${e.key} length`).to.equal(e.values.length);
    for (let i = 0; i < e.values.length; i++) {
      // Object.is: -0 must stay -0; every value is compared exactly after float32 rounding
      if (!Object.is(t.data[i], Math.fround(e.values[i]!))) {
        expect.fail(`${file} ${e.key}[${i}] = ${t.data[i]}, PyTorch says ${e.values[i]}`);
      }
    }
  }
}

describe('weights: .pth checkpoints written by PyTorch', function () {
  let dir = '';
  let expected: Record<string, ExpectedTensor[]> = {};
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(dir, file)));

  before(function () {
    this.timeout(120_000);
    requireTorch(this);
    dir = mkdtempSync(join(tmpdir(), 'pranet-pth-'));
    const run = spawnSync(PYTHON, [SCRIPT, dir], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`make_pth_fixtures.py failed (${run.status}): ${run.stderr}`);
    expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, ExpectedTensor[]>;
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of FILES) {
    it(`reads every element of ${file}`, () => {
      compare(readPth(read(file), file), expected[file]!, file);
    });
  }

  it('covers every dtype, 0-dim, empty, transposed, offset, strided and expanded tensors', () => {
    const plain = expected['plain_zip.pth']!;
    expect(new Set(plain.map((e) => e.dtype))).to.deep.equal(new Set(['f32', 'f16', 'bf16', 'f64', 'i64']));
    const sd = readPth(read('plain_legacy.pth'), 'plain_legacy.pth');
    expect(sd.get('scalar')!.shape).to.deep.equal([]);
    expect(sd.get('bn.num_batches_tracked')!.data[0]).to.equal(1234567);
    expect(sd.get('empty')!.shape).to.deep.equal([0, 3]);
    // transposed is base.t(): element [i][j] is base[j][i]
    const base = sd.get('base')!.data;
    const tr = sd.get('transposed')!.data;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) expect(tr[i * 5 + j]).to.equal(base[j * 6 + i]);
  });

  it('sniffs the legacy and zip formats', () => {
    expect(sniffCheckpoint(read('plain_legacy.pth'))).to.equal('pth-legacy');
    expect(sniffCheckpoint(read('plain_zip.pth'))).to.equal('pth-zip');
    compare(readCheckpoint(read('wrapped_legacy.pth'), 'w'), expected['wrapped_legacy.pth']!, 'readCheckpoint');
  });

  it('cleanStateDict strips the DataParallel prefix and drops num_batches_tracked', () => {
    const sd = readPth(read('module_zip.pth'), 'module_zip.pth');
    expect([...sd.keys()]).to.include('module.1.num_batches_tracked');
    const clean = cleanStateDict(sd);
    const want = expected['module_zip.pth']!.map((e) => e.key.replace(/^module\./, '')).filter((k) => !k.endsWith('num_batches_tracked'));
    expect([...clean.keys()]).to.deep.equal(want);
    expect(clean.get('0.weight')).to.equal(sd.get('module.0.weight'));
  });

  it('reports every truncation of a legacy and a zip file as truncated', () => {
    for (const file of ['wrapped_legacy.pth', 'wrapped_zip.pth']) {
      const bytes = read(file);
      for (let n = 0; n < bytes.length; n++) {
        expect(() => readPth(bytes.subarray(0, n), file), `${file} cut to ${n} bytes`).to.throw(/truncated/);
      }
    }
  });
});
