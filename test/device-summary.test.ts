// tools/device/summary.mjs puts a lent GPU run's numbers on one page, on a machine reached once in a while:
// a mistake there would cost that run. Fed files of the shapes run.sh's commands write (the table typed as
// the tuner's), it must print every number, with the ratios and rates worked out, and skip what is absent.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TuningTable } from '../src/tuning/table.js';
import { REPO_ROOT } from './support/paths.js';

const table = (batch: number, chosen: string, passMs: Record<string, number>): TuningTable => ({
  format: 'pranet-wgsl tuning table',
  engineVersion: '0.1.0',
  adapter: { vendor: 'nvidia', architecture: 'hopper', device: 'h100', description: 'NVIDIA H100', backend: 'vulkan' },
  created: '2026-11-27T00:00:00.000Z',
  tunedFor: { model: 'random official preset', size: 352, batch },
  rules: [],
  passMs,
  chosen,
});

const bench = (tiling: string, results: [string, number][]) => ({
  device: 'NVIDIA H100',
  tiling,
  results: results.map(([name, ms]) => ({ name, median_ms: ms, min_ms: ms, max_ms: ms, runs: 10 })),
  cold_start: {},
  memory: {},
});

function summary(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pranet-device-summary-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
    const r = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/device/summary.mjs'), dir, '16'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the GPU run summary (tools/device/summary.mjs)', () => {
  it("prints the first call's tuning, batch-1 peers with ratios, batch-16 rates, PyTorch, the profile and the frame path", () => {
    const out = summary({
      'info.txt':
        'Adapter:       NVIDIA H100\n  vendor:      nvidia\n  backend:     vulkan\n  class:       discrete\nTiling: the given tuning table\nother: x\n',
      'nvidia-smi.txt': 'name, driver_version, memory.total [MiB]\nNVIDIA H100 80GB HBM3, 580.159.04, 81559 MiB\n',
      'table-official.json': table(1, 'per-conv choice', { defaults: 20.5, 'per-conv choice': 9.25 }),
      'bench-official-defaults.json': bench('the defaults for a discrete GPU', [
        ['engine', 20],
        ['ort-webgpu', 40],
      ]),
      'bench-official-tuned.json': bench('the given tuning table', [
        ['engine', 8],
        ['torch-cuda', 20],
      ]),
      'bench-official-batch16-defaults.json': bench('defaults', [['engine', 400]]),
      'bench-official-batch16-tuned.json': bench('table', [['engine', 32]]),
      'torch-batch16.json': { device: 'cuda', batch: 16, size: 352, median_ms: 23.3, images_per_s: 686.7, runs: 10 },
      'profile-official.txt': 'Tiling: the given tuning table\nTotal GPU time 7.10 ms over 216 dispatches\nnoise\n',
      'bench-frames.json': { video: { width: 1920, height: 1080 }, end_to_end_fps: 95.5, network_fps: 100, ratio: 0.955 },
    });
    const lines = out.split('\n');
    for (const expected of [
      'Adapter:       NVIDIA H100',
      '  class:       discrete',
      'nvidia-smi: NVIDIA H100 80GB HBM3, 580.159.04, 81559 MiB',
      'official: tuning chose "per-conv choice"; whole-pass medians (ms):',
      'official, batch 1, defaults (the defaults for a discrete GPU):',
      "  ort-webgpu     40.00 ms  = 2.00x the engine's time",
      "  torch-cuda     20.00 ms  = 2.50x the engine's time",
      'official, batch 16, engine defaults: 400 ms per batch = 40.0 images/s',
      'official, batch 16, engine tuned at batch 1: 32.00 ms per batch = 500.0 images/s',
      'PyTorch eager fp32 (cuda), batch 16: 23.30 ms per batch = 686.7 images/s',
      'official profile: Total GPU time 7.10 ms over 216 dispatches',
      'Frame path, built-in model, 1920x1080 generated frames: 95.5 frames/s end to end, network alone 100.0 frames/s (96%)',
    ])
      expect(lines, expected).to.include(expected);
    expect(out).to.match(/ {2}per-conv choice +9\.25\n/);
    expect(out).not.to.include('other: x');
    expect(out).not.to.include('noise');
    expect(out).not.to.include('at batch 16:');
  });

  it("prints the batch call's table, rates and profile at batch 16, and nothing for files that are not there", () => {
    const out = summary({
      'table-official-batch16.json': table(16, 'every conv lanes shared, tm 8, tn 2, wg 16x16, kc 4', { defaults: 300, 'every conv lanes shared': 25 }),
      'bench-official-batch16-defaults.json': bench('defaults', [['engine', 320]]),
      'bench-official-batch16-tuned16.json': bench('table', [['engine', 20]]),
      'profile-official-batch16.txt': 'Total GPU time 19.00 ms over 216 dispatches\n',
    });
    expect(out.split('\n')).to.include.members([
      'official at batch 16: tuning chose "every conv lanes shared, tm 8, tn 2, wg 16x16, kc 4"; whole-pass medians (ms):',
      'official, batch 16, engine defaults: 320 ms per batch = 50.0 images/s',
      'official, batch 16, engine tuned at batch 16: 20.00 ms per batch = 800.0 images/s',
      'official profile, batch 16: Total GPU time 19.00 ms over 216 dispatches',
    ]);
    expect(out).not.to.match(/batch 1,|PyTorch|Frame path|Adapter/);
  });

  it('names a file a step cut off left empty or half-written, and still prints the rest', () => {
    const out = summary({
      'torch-batch16.json': '',
      'bench-official-tuned.json': '{"device": "NVIDIA H100", "res',
      'bench-official-batch16-defaults.json': bench('defaults', [['engine', 320]]),
    });
    const lines = out.split('\n');
    expect(lines).to.include('torch-batch16.json: not read (empty)');
    expect(lines.find((l) => l.startsWith('bench-official-tuned.json: not read ('))).to.match(/JSON/);
    expect(lines).to.include('official, batch 16, engine defaults: 320 ms per batch = 50.0 images/s');
  });
});
