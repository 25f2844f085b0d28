// Tuning: the table format is checked when read, 'auto' finds the table stored for the adapter and refuses a
// stale one, and the tuner decides by whole passes among the per-conv choice, forced tilings and the defaults.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterSummary } from '../src/gpu/context.js';
import { adapterClass, chooseTiling, DEFAULT_TILING_POLICY, GPU_TILING_POLICY, type TilingPolicy } from '../src/kernels/tiling-policy.js';
import { weightsFromBytes } from '../src/models/load-weights.js';
import { resolveTuning } from '../src/tuning/resolve.js';
import { readStoredTable, resolveNodeTuning, storeTable, tablePath } from '../src/tuning/store-node.js';
import { resolveBrowserTuning } from '../src/tuning/store-browser.js';
import { describeTable, identityOf, mergeTables, parseTuningTable, tableName, type TuningTable } from '../src/tuning/table.js';
import { distinctTilings, predictedUniform } from '../src/tuning/candidates.js';
import { sweep, sweepContestants, sweepTilings, tunedPolicy } from '../src/tuning/sweep.js';
import type { ConvTiling } from '../src/kernels/conv2d.js';
import { tune } from '../src/tuning/tune.js';
import { tilingText } from '../src/profile/gemm-ceiling.js';
import { ENGINE_VERSION } from '../src/version.js';
import { testGpu } from './support/gpu.js';
import { REPO_ROOT, TEST_CACHE_HOME } from './support/paths.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';
import { runPranet } from './support/cli.js';

const LAVAPIPE: AdapterSummary = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe',
  description: 'llvmpipe: Mesa 25',
  backend: 'vulkan',
  featureLevel: 'core',
  isFallbackAdapter: true,
};
const H100: AdapterSummary = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: 'nvidia-h100-80gb-hbm3',
  description: 'NVIDIA H100',
  backend: 'vulkan',
  featureLevel: 'core',
  isFallbackAdapter: false,
};

function table(a: AdapterSummary, rules: TuningTable['rules'] = [{ tiling: { lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 } }]): TuningTable {
  return {
    format: 'pranet-wgsl tuning table',
    engineVersion: ENGINE_VERSION,
    adapter: identityOf(a),
    created: '2026-11-27T10:00:00.000Z',
    tunedFor: { model: 'test', size: 64, batch: 1 },
    rules,
    passMs: { defaults: 10, 'every conv x': 8 },
    chosen: 'every conv x',
  };
}

describe('tuning tables', () => {
  it("the engine version is package.json's", () => {
    expect(ENGINE_VERSION).to.equal((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('adapters fall into classes, each with its measured defaults', () => {
    expect(adapterClass(LAVAPIPE)).to.equal('software');
    expect(adapterClass({ ...H100, vendor: 'google', description: 'SwiftShader Device (Subzero)' })).to.equal('software');
    expect(adapterClass(H100)).to.equal('discrete');
    expect(adapterClass({ ...H100, vendor: 'intel', description: 'Intel(R) UHD Graphics 620' })).to.equal('integrated');
    expect(chooseTiling(GPU_TILING_POLICY, 121, 256, 32).lanes).to.equal('shared');
    expect(chooseTiling(DEFAULT_TILING_POLICY, 121, 256, 32)).to.deep.equal({ lanes: 'pixels', tm: 4, tn: 4, wgx: 32, wgy: 1, subgroup: 32 });
  });

  it('a rule can name one conv; others fall through to the next rules', () => {
    const policy = [{ conv: 'A', tiling: { lanes: 'splitk', tm: 1, tn: 1, wgx: 64, wgy: 1 } as const }, ...DEFAULT_TILING_POLICY];
    expect(chooseTiling(policy, 121, 256, 8, 'A').lanes).to.equal('splitk');
    expect(chooseTiling(policy, 121, 256, 8, 'B').lanes).to.equal('pixels');
  });

  it("a tiling that names a subgroup size applies only where the device's subgroups are that size (else garbage): rules fall through, a forced one is refused", () => {
    const sg32 = { lanes: 'pixels', tm: 4, tn: 4, wgx: 32, wgy: 1, subgroup: 32 } as const;
    const table = [{ conv: 'A', tiling: sg32 }, ...DEFAULT_TILING_POLICY];
    expect(chooseTiling(table, 121, 256, 32, 'A')).to.deep.equal(sg32);
    expect(chooseTiling(table, 121, 256, 8, 'A')).to.deep.equal({ ...sg32, wgx: 8, subgroup: 8 }); // the defaults' rule
    expect(chooseTiling(table, 121, 256, undefined, 'A').lanes).to.equal('channels');
    expect(() => chooseTiling([{ tiling: sg32 }], 121, 256, 8)).to.throw(
      /shares weights across subgroups of 32 invocations, but this device's subgroups are 8 wide/,
    );
    expect(() => chooseTiling([{ tiling: sg32 }], 121, 256, undefined)).to.throw(/this device's subgroups are not of one fixed size/);
  });

  it('reads back what it writes and names what is wrong in a bad file', () => {
    const t = table(LAVAPIPE);
    expect(parseTuningTable(JSON.stringify(t), 't.json')).to.deep.equal(t);
    const bad = (edit: (x: Record<string, unknown>) => void) => {
      const x = JSON.parse(JSON.stringify(t)) as Record<string, unknown>;
      edit(x);
      return () => parseTuningTable(JSON.stringify(x), 'bad.json');
    };
    expect(() => parseTuningTable('{', 'bad.json')).to.throw(/bad\.json: not a tuning table \(not JSON/);
    // An image read as UTF-8 (bytes that are not UTF-8 become U+FFFD): its bytes stay off the terminal.
    const jpeg = new TextDecoder().decode(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46));
    expect(() => parseTuningTable(jpeg, 'polyp.jpg')).to.throw(/^polyp\.jpg: not a tuning table \(a binary file, not JSON text\)$/);
    expect(() => parseTuningTable('{"rules": []}', 'bad.json')).to.throw(/bad\.json: not a tuning table \(no "format"/);
    expect(bad((x) => ((x.rules as Record<string, unknown>[])[0]!.tiling = { lanes: 'diagonal', tm: 1, tn: 1, wgx: 1, wgy: 1 }))).to.throw(
      /bad\.json: rule 0: lanes must be one of pixels, channels, shared, splitk/,
    );
    expect(bad((x) => ((x.rules as Record<string, unknown>[])[0]!.tiling = { tm: 0, tn: 1, wgx: 1, wgy: 1 }))).to.throw(
      /rule 0: tm must be an integer in 1\.\.16, got 0/,
    );
    expect(bad((x) => ((x.rules as Record<string, unknown>[])[0]!.tiling = { tm: 1, tn: 1, wgx: 1, wgy: 1, speed: 'fast' }))).to.throw(
      /unknown tiling field speed/,
    );
    expect(bad((x) => delete x.adapter)).to.throw(/adapter must name vendor/);
  });

  it('a new tuning keeps the stored rules for convs it did not measure, replaces the others, and lists what it kept', () => {
    const tiling = (tm: number) => ({ lanes: 'channels', tm, tn: 1, wgx: 8, wgy: 8 }) as const;
    const batch1 = { ...table(LAVAPIPE, [{ conv: 'A1', tiling: tiling(1) }, { conv: 'S', tiling: tiling(2) }, { tiling: tiling(3) }]) };
    const batch2 = {
      ...table(LAVAPIPE, [
        { conv: 'A2', tiling: tiling(4) },
        { conv: 'S', tiling: tiling(5) },
      ]),
      tunedFor: { model: 'test', size: 64, batch: 2 },
    };
    const merged = mergeTables(batch1, batch2, LAVAPIPE);
    // batch 2's rules first; batch 1's for A1; S re-measured; a rule naming no conv is not carried over
    expect(merged.rules).to.deep.equal([...batch2.rules, { conv: 'A1', tiling: tiling(1) }]);
    expect(merged.earlier).to.deep.equal([{ model: 'test', size: 64, batch: 1, created: batch1.created }]);
    expect({ ...merged, rules: batch2.rules, earlier: undefined }).to.deep.equal({ ...batch2, earlier: undefined });
    expect(describeTable(merged)).to.match(
      /batch 2: every conv x, 1\.25x the defaults' speed; also holds rules from earlier tunings for test at 64 px, batch 1$/,
    );
    expect(parseTuningTable(JSON.stringify(merged), 'merged.json')).to.deep.equal(merged);
    // tuning batch 1 again: its old record goes, batch 2's stays
    const again = mergeTables(merged, { ...batch1, rules: [{ conv: 'A1', tiling: tiling(6) }] }, LAVAPIPE);
    expect(again.rules).to.deep.equal([{ conv: 'A1', tiling: tiling(6) }, ...batch2.rules]);
    expect(again.earlier).to.deep.equal([{ model: 'test', size: 64, batch: 2, created: batch2.created }]);
    // nothing kept: the new table as it is
    expect(mergeTables(batch2, batch2, LAVAPIPE)).to.equal(batch2);
    expect(mergeTables(undefined, batch2, LAVAPIPE)).to.equal(batch2);
    // another engine version or adapter: replaced
    expect(mergeTables({ ...batch1, engineVersion: '0.0.1' }, batch2, LAVAPIPE)).to.equal(batch2);
    expect(mergeTables(table(H100, [{ conv: 'A1', tiling: tiling(1) }]), batch2, LAVAPIPE)).to.equal(batch2);
    expect(() => parseTuningTable(JSON.stringify({ ...merged, earlier: [{ model: 'x' }] }), 'bad.json')).to.throw(
      /bad\.json: earlier 0 must give model, size and batch/,
    );
  });

  it('file names are readable and differ between adapters', () => {
    expect(tableName(identityOf(LAVAPIPE))).to.match(/^mesa-llvmpipe-vulkan-[0-9a-f]{8}\.json$/);
    expect(tableName(identityOf(LAVAPIPE))).to.not.equal(tableName(identityOf({ ...LAVAPIPE, backend: 'opengles' })));
  });

  it("'auto' uses the stored table of this adapter and engine version, and says why it ignores another", () => {
    const none = resolveTuning('auto', LAVAPIPE);
    expect(none.description).to.match(/the defaults for a software adapter \(no tuning table for this adapter yet/);
    expect(none.policy).to.equal(DEFAULT_TILING_POLICY);
    const t = table(LAVAPIPE);
    const used = resolveTuning('auto', LAVAPIPE, { table: t, where: 'x.json' });
    expect(used.policy[0]).to.deep.equal(t.rules[0]);
    expect(used.policy.slice(1)).to.deep.equal([...DEFAULT_TILING_POLICY]);
    expect(used.description).to.match(/^tuning table x\.json, tuned 2026-11-27 for test at 64 px, batch 1: every conv x, 1\.25x the defaults' speed$/);
    const stale = resolveTuning('auto', LAVAPIPE, { table: { ...t, engineVersion: '0.0.1' }, where: 'x.json' });
    expect(stale.policy).to.equal(DEFAULT_TILING_POLICY);
    expect(stale.description).to.match(/the table at x\.json is not used: it was tuned with engine version 0\.0\.1/);
    expect(resolveTuning('auto', H100, { table: t, where: 'x.json' }).description).to.match(
      /not used: it was tuned on llvmpipe: Mesa 25 \(vulkan\), this is NVIDIA H100/,
    );
    expect(() => resolveTuning(t, H100)).to.throw(/this tuning table does not apply: it was tuned on llvmpipe/);
    expect(resolveTuning('none', LAVAPIPE).policy).to.equal(DEFAULT_TILING_POLICY);
  });

  it("in a browser, 'auto' on a page that cannot use IndexedDB (a sandboxed iframe) gets the defaults and says why, instead of failing to load", async () => {
    const g = globalThis as { indexedDB?: unknown };
    const saved = g.indexedDB;
    g.indexedDB = {
      open() {
        throw Object.assign(new Error('Access to the IndexedDB API is denied in this context.'), { name: 'SecurityError' });
      },
    };
    try {
      const r = await resolveBrowserTuning('auto', H100);
      expect(r.policy).to.deep.equal(GPU_TILING_POLICY);
      expect(r.description).to.equal(
        'the defaults for a discrete adapter (no stored tuning table: IndexedDB cannot be opened here (Access to the IndexedDB API is denied in this context.))',
      );
      expect((await resolveBrowserTuning('none', H100)).description).to.equal('the defaults for a discrete adapter');
    } finally {
      g.indexedDB = saved;
    }
  });

  it("Node keeps tables under $XDG_CACHE_HOME/pranet-wgsl (the tests' own folder here)", async () => {
    const { ctx } = await testGpu();
    expect(tablePath(ctx.adapter).startsWith(join(TEST_CACHE_HOME, 'pranet-wgsl'))).to.equal(true);
    expect(readStoredTable(ctx.adapter)).to.equal(undefined);
    const path = await storeTable(table(ctx.adapter), ctx.adapter);
    try {
      expect(readStoredTable(ctx.adapter)!.table.rules).to.deep.equal(table(ctx.adapter).rules);
      expect(resolveNodeTuning('auto', ctx).description).to.include(path);
    } finally {
      writeFileSync(path, '{}'); // a broken table is an error that names it...
      expect(() => resolveNodeTuning('auto', ctx)).to.throw(/not a tuning table/);
      spawnSync('rm', [path]); // ...and removing it brings the defaults back
      expect(existsSync(path)).to.equal(false);
    }
  });
});

describe('tilings forced on the whole network in the tuner', () => {
  it('distinctTilings keeps the first of each tiling, whatever the order of its fields', () => {
    const a: ConvTiling = { lanes: 'shared', tm: 4, tn: 1, wgx: 8, wgy: 8, kc: 4 };
    const sameReordered: ConvTiling = { kc: 4, wgy: 8, wgx: 8, tn: 1, tm: 4, lanes: 'shared' };
    const other: ConvTiling = { ...a, kc: 2 };
    expect(distinctTilings([a, sameReordered, other, a])).to.deep.equal([a, other]);
  });

  it('predictedUniform ranks the tilings measured on every conv by the summed per-conv time (times count), fastest first', () => {
    const a: ConvTiling = { lanes: 'pixels', tm: 4, tn: 2, wgx: 8, wgy: 1, subgroup: 8 };
    const b: ConvTiling = { lanes: 'pixels', tm: 8, tn: 2, wgx: 8, wgy: 1, subgroup: 8 };
    const c: ConvTiling = { lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 };
    const k: ConvTiling = { lanes: 'splitk', tm: 2, tn: 2, wgx: 16, wgy: 1 };
    const order = predictedUniform([
      // a wins the first conv, but it appears 3 times less than the second conv, where b is much faster
      {
        count: 1,
        ms: [
          { tiling: a, ms: 1 },
          { tiling: b, ms: 2 },
          { tiling: c, ms: 3 },
        ],
      },
      {
        count: 3,
        ms: [
          { tiling: a, ms: 5 },
          { tiling: b, ms: 2 },
          { tiling: c, ms: 4 },
          { tiling: k, ms: 0.1 },
        ],
      },
    ]);
    // b: 2 + 6 = 8, a: 1 + 15 = 16, c: 3 + 12 = 15; k ran on one conv only, so it cannot be forced everywhere
    expect(order).to.deep.equal([b, c, a]);
  });
});

describe('the tuner', function () {
  this.timeout(600_000);

  it('times candidates per conv, then keeps the fastest whole pass among the per-conv choice, forced tilings and the defaults', async () => {
    const { ctx, cache } = await testGpu();
    const steps: string[] = [];
    const { table: t, convs } = await tune(ctx, cache, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), {
      size: 64,
      model: 'tiny',
      rounds: 2,
      maxCandidates: 2,
      minRunMs: 5,
      onProgress: (what, done, total) => steps.push(`${what} ${done}/${total}`),
    });
    expect(convs.length, 'distinct convs of the tiny network').to.be.greaterThan(20);
    for (const c of convs) {
      expect(c.ms.length).to.be.within(1, 2);
      expect(c.ms.every((m) => m.ms > 0)).to.equal(true);
      expect(c.best).to.equal(c.ms.reduce((a, b) => (b.ms < a.ms ? b : a)).tiling);
    }
    expect(Object.keys(t.passMs), 'the defaults, the per-conv choice and 2 forced tilings').to.have.length(4);
    expect(t.passMs).to.have.property('defaults');
    expect(t.passMs).to.have.property('per-conv choice');
    const fastest = Object.entries(t.passMs).reduce((a, b) => (b[1] < a[1] ? b : a))[0];
    expect(t.chosen).to.equal(fastest);
    // Whatever won, one rule per conv it measured (the winner's tiling for that conv), none for other convs.
    expect(t.rules.map((r) => r.conv)).to.deep.equal(convs.map((c) => c.conv));
    if (t.chosen === 'per-conv choice') expect(t.rules.map((r) => r.tiling)).to.deep.equal(convs.map((c) => c.best));
    const named = new Set(t.rules.map((r) => `every conv ${tilingText(r.tiling as ConvTiling)}`));
    if (t.chosen.startsWith('every conv')) expect([...named], 'the forced tiling that won, on every conv').to.deep.equal([t.chosen]);
    expect(parseTuningTable(JSON.stringify(t), 'tuned')).to.deep.equal(t);
    expect(steps.at(-1)).to.equal('whole passes 2/2');
  });

  it('the sweep times the defaults, a table with rules and every tiling family forced on every conv, in whole passes', async () => {
    const { ctx, cache } = await testGpu();
    const tilings = sweepTilings(ctx.subgroupSize);
    expect(new Set(tilings.map((t) => t.lanes)), 'every family').to.deep.equal(new Set(['pixels', 'channels', 'shared']));
    expect(new Set(tilings.map((t) => JSON.stringify(t))).size, 'each tiling once').to.equal(tilings.length);
    const rules: TilingPolicy = [{ tiling: { lanes: 'channels', tm: 4, tn: 4, wgx: 4, wgy: 16 } }];
    const steps: string[] = [];
    const ms = await sweep(ctx, cache, weightsFromBytes(tinyPraNetWeightFile(3), 'tiny'), {
      size: 64,
      rounds: 1,
      tuned: rules,
      onProgress: (what, done, total) => steps.push(`${what} ${done}/${total}`),
    });
    const names = Object.keys(ms);
    expect(names.slice(0, 2)).to.deep.equal(['defaults', 'tuning table']);
    expect(names.slice(2)).to.deep.equal(tilings.map((t) => `every conv ${tilingText(t)}`));
    expect(Object.values(ms).every((v) => Number.isFinite(v) && v > 0)).to.equal(true);
    expect(steps.at(-1)).to.equal('whole passes 1/1');
    const names0 = sweepContestants(DEFAULT_TILING_POLICY, ctx.subgroupSize, []).map((c) => c.name);
    expect(names0, 'a table that chose the defaults is not timed twice').to.deep.equal(names.filter((n) => n !== 'tuning table'));
    const t = table(LAVAPIPE, [{ conv: 'A', tiling: { lanes: 'channels', tm: 8, tn: 2, wgx: 8, wgy: 8 } }]);
    expect(tunedPolicy(t)).to.deep.equal(t.rules);
    expect(tunedPolicy({ ...t, chosen: 'defaults' }), 'a table whose rules restate the defaults is swept as the defaults').to.deep.equal([]);
  });

  it("on Dawn's GL ES adapter (no timestamp-query, compatibility mode) too: a table for that backend, used by bench", () => {
    const out = join(TEST_CACHE_HOME, 'gles-table.json');
    const run = (args: string[]) => runPranet(args);
    const tuned = run(['tune', '--backend', 'opengles', '--random', 'tiny', '--size', '64', '--rounds', '1', '--candidates', '1', '--out', out]);
    expect(tuned.status, tuned.stderr).to.equal(0);
    const t = parseTuningTable(readFileSync(out, 'utf8'), out);
    expect(t.adapter.backend).to.equal('opengles');
    const bench = run(['bench', '--backend', 'opengles', '--random', 'tiny', '--size', '64', '--runs', '1', '--tuning', out]);
    expect(bench.status, bench.stderr).to.equal(0);
    expect(bench.stdout).to.include('Tiling: the given tuning table');
  });

  it("pranet tune into the cache at batch 1, then at batch 2: the adapter's table keeps both, and bench uses it", async () => {
    const home = mkdtempSync(join(TEST_CACHE_HOME, 'two-tunings-'));
    const run = (args: string[]) => runPranet(args, { XDG_CACHE_HOME: home });
    const tuneAt = (batch: number) => {
      const r = run(['tune', '--random', 'tiny', '--size', '64', '--batch', String(batch), '--rounds', '1', '--candidates', '1']);
      expect(r.status, r.stderr).to.equal(0);
      return r;
    };
    const path = join(home, 'pranet-wgsl', tableName(identityOf((await testGpu()).ctx.adapter)));
    tuneAt(1);
    const first = parseTuningTable(readFileSync(path, 'utf8'), path);
    expect(first.rules.length, 'one rule per distinct conv').to.be.greaterThan(20);
    expect(first.rules.every((r) => r.conv?.startsWith('1x'))).to.equal(true);
    const second = tuneAt(2);
    const both = parseTuningTable(readFileSync(path, 'utf8'), path);
    expect(both.tunedFor.batch).to.equal(2);
    expect(
      both.rules.filter((r) => r.conv?.startsWith('1x')),
      "batch 1's rules, kept",
    ).to.deep.equal(first.rules);
    expect(both.rules.filter((r) => r.conv?.startsWith('2x')).length, "batch 2's rules").to.equal(first.rules.length);
    expect(both.earlier).to.deep.equal([{ ...first.tunedFor, created: first.created }]);
    expect(second.stdout).to.include(`wrote ${path}: ${describeTable(both)}`);
    expect(second.stdout).to.match(/also holds rules from earlier tunings for random tiny preset .* at 64 px, batch 1\n/);
    const bench = run(['bench', '--random', 'tiny', '--size', '64', '--runs', '1']);
    expect(bench.status, bench.stderr).to.equal(0);
    expect(bench.stdout).to.include(`Tiling: tuning table ${path}, tuned`);
  });

  it('pranet tune --out and --tuning FILE: the table is written, then used and named by bench; a table for another adapter is refused', () => {
    const out = join(TEST_CACHE_HOME, 'tiny-table.json');
    const run = (args: string[]) => runPranet(args);
    const tuned = run(['tune', '--random', 'tiny', '--size', '64', '--rounds', '1', '--candidates', '1', '--out', out]);
    expect(tuned.status, tuned.stderr).to.equal(0);
    expect(tuned.stdout).to.match(/Whole forward passes \(median ms\):/);
    expect(tuned.stdout).to.match(/<- chosen/);
    const t = parseTuningTable(readFileSync(out, 'utf8'), out);
    const bench = run(['bench', '--random', 'tiny', '--size', '64', '--runs', '1', '--tuning', out]);
    expect(bench.status, bench.stderr).to.equal(0);
    expect(bench.stdout).to.include(`Tiling: the given tuning table, tuned ${t.created.slice(0, 10)} for random tiny preset`);
    writeFileSync(out, JSON.stringify({ ...t, adapter: identityOf(H100) }));
    const refused = run(['bench', '--random', 'tiny', '--size', '64', '--runs', '1', '--tuning', out]);
    expect(refused.status).to.equal(1);
    expect(refused.stderr).to.match(/this tuning table does not apply: it was tuned on NVIDIA H100/);
  });
});
