// Kernel-level profiling and the benchmark: the pure aggregation and trace on hand-made dispatch lists, stage
// names of the real graph, and `pranet profile` / `pranet bench` (with and without the peers) end to end.
import { expect } from 'chai';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optimize } from '../src/graph/passes.js';
import { planMemory } from '../src/graph/planner.js';
import { buildPraNet } from '../src/models/pranet-graph.js';
import { praNetConvShapes, PRANET_PRESETS, randomPraNetWeights } from '../src/models/random-weights.js';
import { type ChromeTrace, chromeTrace, type TraceEvent } from '../src/profile/chrome-trace.js';
import { type KernelRow, type ProfileSummary, slowestRows, summarizeProfile, type TimedDispatch } from '../src/profile/kernel-profile.js';
import { measureGemmCeiling, ceilingTilings, tilingText } from '../src/profile/gemm-ceiling.js';
import { STAGES, stageOf } from '../src/profile/stages.js';
import { requireTorch } from './support/python.js';
import { requireSharedData } from './support/shared-data.js';
import { testGpu } from './support/gpu.js';
import { KVASIR_TRAIN_IMAGES, PYTHON, TEST_CACHE_HOME } from './support/paths.js';
import { forbiddenGlobalPth } from './weights-helpers.js';
import { tinyPraNetWeightFile } from './support/tiny-weights.js';
import { runPranet } from './support/cli.js';

const pranet = runPranet;

/** What `pranet profile --json` writes: the summary, its rows as `kernels`, and what ran. */
type ProfileJson = Omit<ProfileSummary, 'rows'> & { kernels: KernelRow[]; size: number };
/** What `pranet bench --json` writes. */
interface BenchJson {
  device: string;
  tiling: string;
  results: { name: string; median_ms: number; min_ms: number; max_ms: number; runs: number }[];
  cold_start: Record<string, number>;
  memory: { weights_bytes: number; activations_bytes: number };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/** A made-up forward pass: real node names, hand-picked times and work (flops / ms / 1e6 = GFLOP/s by hand). */
const DISPATCHES: TimedDispatch[] = [
  { name: 'resnet.conv1.0', op: 'conv2d 3x3', shapes: '1x3x352x352 -> 1x32x176x176', ms: 20, flops: 1e9, bytes: 5e6 },
  { name: 'resnet.maxpool', op: 'maxpool 3x3', shapes: '1x64x176x176 -> 1x64x88x88', ms: 5, flops: 0, bytes: 1e7 },
  { name: 'resnet.layer1.0.conv1', op: 'conv2d 1x1', shapes: '1x64x88x88 -> 1x104x88x88', ms: 40, flops: 4e9, bytes: 2e6 },
  { name: 'resnet.layer3.5.convs.2', op: 'conv2d 3x3', shapes: '1x104x22x22 -> 1x104x22x22', ms: 10, flops: 5e8, bytes: 1e6 },
  { name: 'rfb4_1.branch3.3.conv', op: 'conv2d 3x3', shapes: '1x32x11x11 -> 1x32x11x11', ms: 2, flops: 2e7, bytes: 1e5 },
  { name: 'agg1.cat3.copy0', op: 'copy', shapes: '1x32x44x44 -> 1x32x44x44', ms: 1, flops: 0, bytes: 5e5 },
  { name: 'crop_4', op: 'resize', shapes: '1x1x44x44 -> 1x1x11x11', ms: 0.5, flops: 0, bytes: 1e4 },
  { name: 'ra4_conv2.conv', op: 'conv2d 5x5', shapes: '1x256x11x11 -> 1x256x11x11', ms: 8, flops: 8e8, bytes: 3e6 },
  { name: 'ra3_erase', op: 'erase', shapes: '1x1024x22x22, 1x1x22x22 -> 1x1024x22x22', ms: 3, flops: 0, bytes: 4e6 },
  { name: 'ra2_conv4.conv', op: 'conv2d 3x3', shapes: '1x64x44x44 -> 1x1x44x44', ms: 0, flops: 2e6, bytes: 1e5 },
  { name: 'lateral_map_2', op: 'resize', shapes: '1x1x44x44 -> 1x1x352x352', ms: 0.5, flops: 0, bytes: 5e5 },
];

describe('profile aggregation', () => {
  const s = summarizeProfile(DISPATCHES, 'timestamp-query', 50);

  it('per-op and per-stage sums equal the totals, and the totals are the sums of the dispatches', () => {
    expect(s.totals.ms).to.equal(90);
    expect(s.totals.flops).to.equal(6.322e9);
    expect(s.totals.dispatches).to.equal(DISPATCHES.length);
    for (const groups of [s.byOp, s.byStage]) {
      expect(close(sum(groups.map((g) => g.ms)), s.totals.ms)).to.equal(true);
      expect(close(sum(groups.map((g) => g.flops)), s.totals.flops)).to.equal(true);
      expect(close(sum(groups.map((g) => g.bytes)), s.totals.bytes)).to.equal(true);
      expect(sum(groups.map((g) => g.dispatches))).to.equal(DISPATCHES.length);
      expect(close(sum(groups.map((g) => g.share)), 100, 1e-9)).to.equal(true);
    }
    expect(close(sum(s.rows.map((r) => r.share)), 100, 1e-9)).to.equal(true);
  });

  it('computes rates, shares, op groups and stage groups as worked by hand', () => {
    const layer1 = s.rows.find((r) => r.name === 'resnet.layer1.0.conv1')!;
    expect(layer1.gflopPerS).to.be.closeTo(100, 1e-9); // 4e9 flop in 40 ms
    expect(layer1.share).to.be.closeTo((100 * 40) / 90, 1e-9);
    expect(layer1.ceilingFraction).to.be.closeTo(2, 1e-12); // 100 of 50 GFLOP/s
    expect(s.rows.find((r) => r.name === 'resnet.maxpool')!.ceilingFraction).to.equal(undefined);
    expect(s.rows.find((r) => r.name === 'ra2_conv4.conv')!.gflopPerS).to.equal(0); // too fast for the timer
    const conv3 = s.byOp.find((g) => g.key === 'conv2d 3x3')!;
    expect(conv3).to.include({ dispatches: 4, ms: 32 });
    expect(conv3.gflopPerS).to.be.closeTo(1.522e9 / 32 / 1e6, 1e-9);
    expect(s.byOp.map((g) => g.ms)).to.deep.equal([...s.byOp.map((g) => g.ms)].sort((a, b) => b - a));
    expect(s.byStage.map((g) => g.key)).to.deep.equal(['stem', 'layer1', 'layer3', 'RFB', 'decoder', 'RA4', 'RA3', 'RA2', 'output']);
    expect(s.byStage.find((g) => g.key === 'stem')).to.include({ dispatches: 2, ms: 25, flops: 1e9, bytes: 1.5e7 });
    expect(s.byStage.find((g) => g.key === 'RA4')).to.include({ dispatches: 2, ms: 8.5 });
  });

  it('lists the slowest rows first, ties in pass order, and keeps all with top 0', () => {
    expect(slowestRows(s, 3).map((r) => r.name)).to.deep.equal(['resnet.layer1.0.conv1', 'resnet.conv1.0', 'resnet.layer3.5.convs.2']);
    const all = slowestRows(s, 0);
    expect(all).to.have.length(DISPATCHES.length);
    expect(all.filter((r) => r.ms === 0.5).map((r) => r.name)).to.deep.equal(['crop_4', 'lateral_map_2']);
  });

  it('rejects a negative or non-finite time and a non-positive GEMM ceiling', () => {
    expect(() => summarizeProfile([{ ...DISPATCHES[0]!, ms: -1 }], 'host-clock')).to.throw(/resnet\.conv1\.0.*-1 ms/);
    expect(() => summarizeProfile([{ ...DISPATCHES[0]!, ms: NaN }], 'host-clock')).to.throw(/NaN ms/);
    expect(() => summarizeProfile(DISPATCHES, 'host-clock', 0)).to.throw(/GEMM ceiling/);
  });

  it('maps node names to stages', () => {
    const cases: [string, string][] = [
      ['resnet.conv1.0', 'stem'],
      ['resnet.conv1.6', 'stem'],
      ['resnet.maxpool', 'stem'],
      ['resnet.layer1.0.conv1', 'layer1'],
      ['resnet.layer2.0.downsample.0', 'layer2'],
      ['resnet.layer3.5.conv3', 'layer3'],
      ['resnet.layer4.2.pool', 'layer4'],
      ['rfb2_1.branch0.0.conv', 'RFB'],
      ['rfb4_1.cat.copy1', 'RFB'],
      ['agg1.up_a', 'decoder'],
      ['agg1.conv5', 'decoder'],
      ['crop_4', 'RA4'],
      ['ra4_erase', 'RA4'],
      ['ra4_conv5.conv', 'RA4'],
      ['ra4.residual', 'RA4'],
      ['crop_3', 'RA3'],
      ['ra3_conv4.conv', 'RA3'],
      ['crop_2', 'RA2'],
      ['ra2_conv1.conv', 'RA2'],
      ['lateral_map_2', 'output'],
      ['lateral_map_5', 'output'],
      ['post.sigmoid', 'other'],
      ['ra40', 'other'],
      ['crop_45', 'other'],
    ];
    for (const [name, stage] of cases) expect(stageOf(name), name).to.equal(stage);
  });

  it('puts every step of the real (tiny) graph in a PraNet stage, in network order', () => {
    const built = buildPraNet(randomPraNetWeights('tiny', 1), { size: 64, outputs: ['lateral_map_2'] });
    optimize(built.graph);
    const steps = planMemory(built.graph).steps; // what runs, with the planner's copies
    const stages = steps.map((n) => stageOf(n.name));
    expect(
      stages.filter((st) => st === 'other'),
      'steps outside every stage',
    ).to.deep.equal([]);
    const order = stages.map((st) => STAGES.indexOf(st as (typeof STAGES)[number]));
    expect(order, 'stage order along the pass').to.deep.equal([...order].sort((a, b) => a - b));
    expect([...new Set(stages)]).to.deep.equal([...STAGES]);
  });
});

describe('Chrome trace', () => {
  it('is JSON with one complete event per dispatch, end to end on one track, durations = times', () => {
    const s = summarizeProfile(DISPATCHES, 'timestamp-query');
    const trace = JSON.parse(JSON.stringify(chromeTrace(s, { device: 'test' }))) as ChromeTrace;
    const xs: TraceEvent[] = trace.traceEvents.filter((e: TraceEvent) => e.ph === 'X');
    expect(xs).to.have.length(DISPATCHES.length);
    expect(trace.traceEvents.filter((e: TraceEvent) => e.ph !== 'X' && e.ph !== 'M')).to.deep.equal([]);
    expect(xs[0]!.ts).to.equal(0);
    xs.forEach((e, i) => {
      const d = DISPATCHES[i]!;
      expect(e.name).to.equal(d.name);
      expect(e.dur).to.be.closeTo(d.ms * 1000, 1e-9);
      expect(e.args).to.include({ op: d.op, shapes: d.shapes, flops: d.flops, bytes: d.bytes, stage: stageOf(d.name) });
      expect([e.pid, e.tid]).to.deep.equal([xs[0]!.pid, xs[0]!.tid]);
      if (i > 0) expect(e.ts!, `slice ${i} starts after slice ${i - 1} ends`).to.be.at.least(xs[i - 1]!.ts! + xs[i - 1]!.dur!);
    });
    const last = xs[xs.length - 1]!;
    expect(last.ts! + last.dur!).to.be.closeTo(90_000, 1e-6);
    expect(trace.otherData).to.include({ method: 'timestamp-query', device: 'test' });
  });
});

describe('GEMM ceiling', () => {
  it('times every tiling of the conv kernel as a GEMM and picks the fastest; rate = 2 m n k / time', async () => {
    const { ctx, cache } = await testGpu();
    const tilings = ceilingTilings(64, ctx.subgroupSize);
    expect(new Set(tilings.map(tilingText)).size, 'no tiling twice').to.equal(tilings.length);
    if (ctx.subgroupSize !== undefined) expect(tilings.some((t) => t.subgroup === ctx.subgroupSize)).to.equal(true);
    const r = await measureGemmCeiling(ctx, { size: 64, repeats: 1, tilings: tilings.slice(0, 3) }, cache);
    expect([r.m, r.n, r.k]).to.deep.equal([64, 64, 64]);
    expect(r.rates.map((x) => tilingText(x.tiling))).to.deep.equal(tilings.slice(0, 3).map(tilingText));
    for (const x of r.rates) if (x.ms > 0) expect(x.gflopPerS).to.be.closeTo((2 * 64 ** 3) / x.ms / 1e6, 1e-9);
    expect(r.best.gflopPerS).to.equal(Math.max(...r.rates.map((x) => x.gflopPerS)));
    // One 64^3 GEMM lasts far less than the 20 ms a timed run must last, so a run repeats it.
    expect(r.gemmsPerRun).to.be.greaterThan(1);
  });
});

describe('pranet profile and pranet bench', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(join(tmpdir(), 'pranet-profile-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("on an adapter without timestamp-query (Dawn's OpenGL ES backend) it times each dispatch with the host clock, and says so", () => {
    const json = join(tmp, 'profile-gles.json');
    const r = pranet(['profile', '--backend', 'opengles', '--random', 'tiny', '--size', '64', '--json', json]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Device: .*opengles/m);
    expect(r.stdout).to.match(/^Timing: HOST CLOCK per dispatch \(this adapter has no timestamp-query\)/m);
    const p = JSON.parse(readFileSync(json, 'utf8')) as ProfileJson;
    expect(p.method).to.equal('host-clock');
    expect(p.kernels.length).to.be.greaterThan(100);
    expect(
      p.kernels.every((k: { ms: number }) => k.ms > 0),
      'every dispatch has a time',
    ).to.equal(true);
  });

  it('pranet profile --random tiny --size 64 --trace --json: tables, a trace with a slice per dispatch, consistent JSON', () => {
    const trace = join(tmp, 'trace.json');
    const json = join(tmp, 'profile.json');
    const wgsl = join(tmp, 'wgsl');
    const r = pranet([
      'profile',
      '--random',
      'tiny',
      '--size',
      '64',
      '--top',
      '5',
      '--trace',
      trace,
      '--json',
      json,
      '--gemm-ceiling-gflops',
      '10',
      '--dump-wgsl',
      wgsl,
    ]);
    expect(r.status, r.stderr).to.equal(0);
    const p = JSON.parse(readFileSync(json, 'utf8')) as ProfileJson;
    const n = p.kernels.length;
    // Every dispatch's module, in pass order, complete (generated declarations included).
    const dumped = readdirSync(wgsl).sort();
    expect(dumped).to.have.length(n);
    expect(dumped[0]).to.match(/^000-resnet\.conv1\.0\.wgsl$/);
    for (const f of dumped) expect(readFileSync(join(wgsl, f), 'utf8')).to.match(/struct Params \{[\s\S]*@binding\(0\) var<uniform> p: Params;[\s\S]*@compute/);
    expect(r.stdout).to.include(`Kernels by GPU time (slowest 5 of ${n})`);
    for (const heading of ['By op type:', 'By network stage:', 'Total GPU time', '% ceiling']) expect(r.stdout).to.include(heading);
    expect(r.stdout).to.match(p.method === 'timestamp-query' ? /Timing: timestamp-query/ : /Timing: HOST CLOCK per dispatch/);
    // Dawn quantizes timestamps unless asked not to (an empty pass reads 0 on lavapipe): profile asks.
    if (p.method === 'timestamp-query') expect(r.stdout).to.include('Timing: timestamps unquantized (Dawn toggles: enable-dawn-features=allow_unsafe_apis');
    expect(p.totals.dispatches).to.equal(n);
    expect(close(sum(p.kernels.map((k: { ms: number }) => k.ms)), p.totals.ms, 1e-9)).to.equal(true);
    expect(p.totals.ms).to.be.greaterThan(0);
    expect(p.byStage.map((g: { key: string }) => g.key)).to.deep.equal([...STAGES]);
    for (const k of p.kernels) {
      if (k.op.startsWith('conv2d')) expect(k.ceilingFraction).to.be.closeTo(k.gflopPerS / 10, 1e-9);
      else expect(k).to.not.have.property('ceilingFraction');
    }
    // Each conv's work from its printed op and shapes: 2 * cout * cin * kh * kw per output pixel.
    for (const k of p.kernels.filter((x: { op: string }) => x.op.startsWith('conv2d'))) {
      const [kh, kw] = k.op.split(' ')[1]!.split('x').map(Number) as [number, number];
      const shapes = k.shapes.split(' -> ').map((t: string) => t.split(', ')[0]!.split('x').map(Number));
      const [[, cin], [n, cout, h, w]] = shapes as [[number, number], [number, number, number, number]];
      expect(k.flops, `${k.name} ${k.op} ${k.shapes}`).to.equal(2 * n * h * w * cout * cin * kh * kw);
    }
    expect(p.size).to.equal(64);
    const xs = (JSON.parse(readFileSync(trace, 'utf8')) as ChromeTrace).traceEvents.filter((e: TraceEvent) => e.ph === 'X');
    expect(xs).to.have.length(n);
    expect(xs.map((e: TraceEvent) => e.name)).to.deep.equal(p.kernels.map((k: { name: string }) => k.name));
  });

  it('pranet bench --random tiny --size 64 --runs 2 --json: the schema, the engine first, positive times, its memory', () => {
    const json = join(tmp, 'bench.json');
    const r = pranet(['bench', '--random', 'tiny', '--size', '64', '--runs', '2', '--json', json]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Device: /m);
    expect(r.stdout).to.match(/Cold start: device [\d.]+ ms, weights [\d.]+ ms, graph build \+ pipeline compile [\d.]+ ms .*first run [\d.]+ ms/);
    const b = JSON.parse(readFileSync(json, 'utf8')) as BenchJson;
    expect(Object.keys(b)).to.deep.equal(['device', 'tiling', 'results', 'cold_start', 'memory']);
    expect(b.tiling).to.match(/^the defaults for a software adapter|^tuning table|^the defaults for a (integrated|discrete) adapter/);
    expect(b.device).to.be.a('string').and.not.equal('');
    expect(b.results).to.have.length(1);
    const e = b.results[0]!;
    expect(Object.keys(e)).to.deep.equal(['name', 'median_ms', 'min_ms', 'max_ms', 'runs']);
    expect(e.name).to.equal('engine');
    expect(e.runs).to.equal(2);
    expect(e.median_ms).to.be.greaterThan(0);
    expect(e.min_ms).to.be.at.most(e.median_ms);
    expect(e.max_ms).to.be.at.least(e.median_ms);
    for (const v of Object.values(b.cold_start)) expect(v).to.be.greaterThan(0);
    // Every weight of the tiny preset lives in the constant buffer (the packing pads, never drops).
    const weightBytes = 4 * sum(praNetConvShapes(PRANET_PRESETS.tiny).map(([, [o, i, kh, kw]]) => o * i * kh * kw));
    expect(b.memory.weights_bytes).to.be.at.least(weightBytes);
    expect(b.memory.activations_bytes).to.be.at.least(4 * 3 * 64 * 64);
  });

  it("bench --peers reads the weights with the engine's reader first: a hostile .pth never reaches PyTorch, and nothing is cached", function () {
    requireTorch(this);
    const evil = join(tmp, 'evil.pth');
    writeFileSync(evil, forbiddenGlobalPth());
    // A Python that records what it is asked to run, then runs it.
    const calls = join(tmp, 'python-calls.txt');
    const fake = join(tmp, 'python');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${calls}'\nexec ${PYTHON} "$@"\n`);
    chmodSync(fake, 0o755);
    const cache = mkdtempSync(join(tmp, 'cache-'));
    const r = pranet(['bench', '--weights', evil, '--peers', '--runs', '1', '--size', '64'], { PRANET_PYTHON: fake, XDG_CACHE_HOME: cache });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/forbidden global 'os\.system' in .*evil\.pth/);
    const ran = existsSync(calls) ? readFileSync(calls, 'utf8') : '';
    expect(ran, 'what Python was asked to run').to.not.include('evil.pth');
    expect(readdirSync(cache), 'the cache after a failed run').to.deep.equal([]);
  });

  it('refuses --peers with a batch, and --weights together with --random', () => {
    for (const [args, msg] of [
      [['bench', '--peers', '--random', 'tiny', '--batch', '2'], /batch 1 only/],
      [['profile', '--weights', 'x.pnw', '--random', 'tiny'], /either --weights or --random/],
      [['profile', '--random', 'huge'], /option --random must be one of official, compact, tiny; got 'huge'/],
    ] as [string[], RegExp][]) {
      const res = pranet(args);
      expect(res.status, args.join(' ')).to.equal(2);
      expect(res.stderr).to.match(msg);
    }
  });

  it('pranet bench --peers --random tiny --size 64 --runs 2: the same network in onnxruntime CPU, WebGPU and PyTorch', function () {
    requireTorch(this);
    requireSharedData(this, KVASIR_TRAIN_IMAGES); // the random checkpoint's batchnorm is calibrated on them
    const json = join(tmp, 'peers.json');
    const r = pranet(['bench', '--random', 'tiny', '--size', '64', '--runs', '2', '--peers', '--json', json]);
    expect(r.status, r.stderr).to.equal(0);
    const b = JSON.parse(readFileSync(json, 'utf8')) as BenchJson;
    expect(b.results.map((x: { name: string }) => x.name)).to.deep.equal(['engine', 'ort-cpu', 'ort-webgpu', 'torch']);
    for (const x of b.results) {
      expect(x.runs, x.name).to.equal(2);
      expect(x.median_ms, x.name).to.be.greaterThan(0);
    }
    for (const peer of ['ort-cpu', 'ort-webgpu']) {
      const m = new RegExp(`${peer} lateral_map_2 vs the engine's: relative L2 (\\S+)`).exec(r.stdout);
      expect(m, `${peer} output comparison in:\n${r.stdout}`).to.not.equal(null);
      expect(Number(m![1]), `${peer} runs the same network and weights`).to.be.below(1e-4);
    }
    for (const peer of ['ort-cpu', 'ort-webgpu', 'torch']) expect(r.stdout).to.match(new RegExp(`${peer} [\\d.]+ ms = [\\d.]+x the engine's time`));
  });

  it("pranet bench --peers on the engine's own .pnw file (folded batchnorm): the peers compute the same maps", function () {
    requireTorch(this);
    const weights = join(tmp, 'tiny-seed3.pnw');
    writeFileSync(weights, tinyPraNetWeightFile(3));
    const r = pranet(['bench', '--weights', weights, '--size', '64', '--runs', '1', '--peers']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include("(the peers get the engine's reading of it)");
    // PyTorch and onnxruntime read the engine's export, cached in the user's cache folder (the tests' own).
    const entries = readdirSync(join(TEST_CACHE_HOME, 'pranet-wgsl', 'bench')).filter((d) => d.startsWith('tiny-seed3.pnw-'));
    expect(entries).to.have.length(1);
    expect(readdirSync(join(TEST_CACHE_HOME, 'pranet-wgsl', 'bench', entries[0]!)).sort()).to.deep.equal(['input-64.npy', 'model-64.onnx', 'weights.pnw']);
    for (const peer of ['ort-cpu', 'ort-webgpu']) {
      const m = new RegExp(`${peer} lateral_map_2 vs the engine's: relative L2 (\\S+)`).exec(r.stdout);
      expect(m, `${peer} output comparison in:\n${r.stdout}`).to.not.equal(null);
      expect(Number(m![1]), `${peer} runs the unfolded .pnw like the engine`).to.be.below(1e-4);
    }
    expect(r.stdout).to.match(/torch [\d.]+ ms = [\d.]+x the engine's time/);
  });
});
