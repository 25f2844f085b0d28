// `pranet bench`: cold start, then the latency of whole forward passes (upload, network, read-back of the four
// lateral maps PraNet's forward returns), optionally against onnxruntime-node (CPU, WebGPU) and PyTorch CPU
// running the same checkpoint, in alternating runs so that drift of a shared machine hits every system alike.
import { loadavg } from 'node:os';
import type { GpuContext } from '../../gpu/context.js';
import { stopwatch } from '../../util/stopwatch.js';
import type { PraNetOutput } from '../../models/pranet-graph.js';
import type { PraNetModel } from '../../models/pranet-model.js';
import { measureGemmCeiling, type GemmCeiling, tilingText } from '../../profile/gemm-ceiling.js';
import { UsageError } from '../args.js';
import { peerFiles, randomCheckpoint, whyNoTorch } from '../bench/peer-files.js';
import { loadOrt, ortPeer, type Peer, torchHasCuda, torchPeer } from '../bench/peers.js';
import { openModel } from '../bench/open-model.js';
import { adapterText, printGemmCeiling } from '../bench/report.js';
import { relativeL2, runStats } from '../bench/stats.js';
import { benchInput, MODEL_OPTIONS, modelChoice, type ModelChoice, PRESET_NAMES, type WeightsChoice } from '../bench/weights-choice.js';
import { BACKEND_OPTION, defineCommand, optionInputs, TUNING_OPTION, tuningChoice } from '../command.js';
import { benchVideo, parseFrameSize } from '../video/bench-video.js';
import { formatBytes } from '../progress.js';
import { sayer } from '../say.js';
import { checkPlannedOutputs } from '../writable.js';
import { isStdout, writeText } from '../write-output.js';

/** What PraNet's forward returns, so every system does the same work. */
const OUTPUTS: PraNetOutput[] = ['lateral_map_5', 'lateral_map_4', 'lateral_map_3', 'lateral_map_2'];

/** With --peers: the weights file the engine runs (made first for a random preset), or a usage error. */
function planPeers(choice: ModelChoice): (log: (l: string) => void) => string {
  if (choice.batch !== 1) throw new UsageError('--peers compares batch 1 only (tools/reference/export_onnx.py exports a batch-1 model)', 'bench');
  const w = choice.weights;
  return w.kind === 'random' ? (log) => randomCheckpoint(w.preset, w.seed, log) : () => w.path;
}

/** The --json file, checked before any work: not the weights file, and writable. */
function checkBenchOutput(json: string | undefined, weights: WeightsChoice, tuning: string, video?: string): void {
  if (json === undefined) return;
  checkPlannedOutputs(
    { inputs: optionInputs(weights.kind === 'file' ? weights.path : undefined, tuning, video), outputs: [{ path: json, what: '--json' }] },
    'bench',
  );
}

function enginePeer(model: PraNetModel, input: Float32Array, ctx: GpuContext): Peer & { output(): Float32Array | undefined } {
  let last: Float32Array | undefined;
  return {
    name: 'engine',
    description: `pranet-wgsl on ${adapterText(ctx)}`,
    setupMs: 0,
    async run() {
      const t = performance.now();
      const out = await model.run(input);
      const ms = performance.now() - t;
      last = out.lateral_map_2;
      return ms;
    },
    output: () => last,
    close: () => Promise.resolve(), // the engine is destroyed with its model, after the peers
  };
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');

export const bench = defineCommand({
  spec: {
    name: 'bench',
    summary:
      'Benchmark the engine: cold start (device, weights, graph build and pipeline compile, first run), then the latency of K forward passes after a warm-up (median, min, max, images/s) and GPU memory; with --peers the same checkpoint in onnxruntime-node (CPU, WebGPU) and PyTorch CPU, in alternating runs.',
    usage: `pranet bench [--weights FILE | --random ${PRESET_NAMES}] [--size PX] [--batch N] [--runs K] [--json FILE] [--peers] [--gemm-ceiling] [--video FILE | --frames WxH]`,
    positionals: [],
    options: [
      ...MODEL_OPTIONS,
      { name: 'video', type: 'string', meta: 'FILE', help: 'frames/s of the video path on this clip (ffmpeg decoding, pipeline) beside the network alone' },
      {
        name: 'frames',
        type: 'string',
        meta: 'WxH',
        help: 'as --video on RGBA frames of this size generated in memory (no decoding; at least 10 frames and 3 s), e.g. 1920x1080',
      },
      { name: 'runs', type: 'int', meta: 'K', default: 5, help: 'timed runs per system after one warm-up run' },
      {
        name: 'json',
        type: 'string',
        meta: 'FILE',
        help: "write {device, results: [{name, median_ms, min_ms, max_ms, runs}], cold_start, memory}; with --video or --frames {video, network_ms, network_fps, end_to_end_fps, ratio} ('-': standard output)",
      },
      {
        name: 'peers',
        type: 'boolean',
        help: 'also run onnxruntime-node CPU and WebGPU, PyTorch CPU and, where torch sees a GPU, PyTorch CUDA on the same weights (dev dependencies; batch 1); a peer that cannot start is reported and left out',
      },
      { name: 'threads', type: 'int', meta: 'N', default: 2, help: 'CPU threads of onnxruntime CPU and PyTorch' },
      { name: 'gemm-ceiling', type: 'boolean', help: "measure the best f32 GEMM rate of the engine's conv kernel over a few tilings" },
      BACKEND_OPTION,
      TUNING_OPTION,
    ],
    examples: [
      'pranet bench --random official --runs 5',
      'pranet bench --random official --peers --json bench.json',
      'pranet bench --peers                 # the built-in model, vs the same weights in onnxruntime and PyTorch',
      'pranet bench --weights trained.pth --peers',
      'pranet bench --random compact --gemm-ceiling',
      'pranet bench --video clip.mp4        # the video path: decoding, pipeline, vs the network alone',
      'pranet bench --frames 1920x1080      # the same on generated 1080p frames (no decoder)',
    ],
  },
  async run(o) {
    const choice = modelChoice(o, 'bench');
    const { runs, threads } = o;
    if (runs < 1) throw new UsageError(`--runs must be at least 1, got ${runs}`, 'bench');
    if (o.video !== undefined || o.frames !== undefined) {
      const flag = o.video !== undefined ? '--video' : '--frames';
      if (o.video !== undefined && o.frames !== undefined) throw new UsageError('give --video FILE or --frames WxH, not both', 'bench');
      if (o.peers || o.random !== undefined || choice.batch !== 1 || choice.size !== 352 || o.tiling !== undefined) {
        throw new UsageError(`${flag} runs the video path of the given weights at 352 px, batch 1: no --peers, --random, --batch, --size or --tiling`, 'bench');
      }
      const frameSize = o.frames === undefined ? undefined : parseFrameSize(o.frames);
      if (o.frames !== undefined && !frameSize)
        throw new UsageError(`--frames wants WIDTHxHEIGHT (1 to 8192 each), e.g. 1920x1080; got '${o.frames}'`, 'bench');
      checkBenchOutput(o.json, choice.weights, o.tuning, o.video);
      const say = sayer({ stdoutTaken: isStdout(o.json) });
      const r = await benchVideo(frameSize ?? { path: o.video! }, o.weights, o.backend, tuningChoice(o.tuning), runs, say);
      const what = r.video.path === null ? 'frames generated in memory' : r.video.path;
      const stages = r.video.path === null ? 'upload' : 'decode, upload';
      say(`Video: ${what}, ${r.video.width}x${r.video.height}, ${r.video.frames} frames`);
      say(`  network only (median of ${runs} forward passes): ${r.network_ms.toFixed(1)} ms = ${r.network_fps.toFixed(2)} frames/s`);
      say(
        `  end to end (${stages}, network, resize to the frame, read-back; 2 frames in flight): ${r.end_to_end_fps.toFixed(2)} frames/s = ${(100 * r.ratio).toFixed(0)}% of the network alone (which runs one frame at a time: frames in flight may overlap past 100%)`,
      );
      if (o.json) await writeText(o.json, `${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    if (threads < 1) throw new UsageError(`--threads must be at least 1, got ${threads}`, 'bench');
    const peerWeights = o.peers ? planPeers(choice) : undefined;
    checkBenchOutput(o.json, choice.weights, o.tuning);
    const say = sayer({ stdoutTaken: isStdout(o.json) });
    const log = (line: string) => console.error(line);

    // The engine reads the weights file; the peers get what the engine read, as a .pnw (peer-files.ts), with
    // identity batchnorms where the weights are folded (tools/reference/any_weights.py).
    let engineWeights: WeightsChoice = choice.weights;
    let peerWeightFile: string | undefined;
    if (peerWeights) {
      const noTorch = whyNoTorch();
      if (noTorch) throw new Error(`--peers needs PyTorch for the checkpoint, the ONNX export and the torch peer: ${noTorch}`);
      peerWeightFile = peerWeights(log);
      engineWeights = { kind: 'file', path: peerWeightFile };
    }

    say(`Load average at start (1, 5, 15 min): ${load()}`);
    // The model first: a size or batch too large for the device is refused before the input is made (a
    // 12000-pixel input took 39 s and 1.8 GB to make).
    const opened = await openModel({ ...choice, weights: engineWeights }, o.backend, tuningChoice(o.tuning), OUTPUTS);
    const { ctx, cache, model, about } = opened;
    const { deviceMs, weightsMs, compileMs } = opened.coldStart;
    const peers: Peer[] = [];
    try {
      const input = benchInput(choice.batch, choice.size);
      const files = peerWeightFile ? await peerFiles(peerWeightFile, choice.size, input, log) : undefined;
      const firstRun = stopwatch();
      await model.run(input);
      const firstRunMs = firstRun();

      say(`Device: ${about.device}`);
      say(`Model: ${about.weights}${files ? " (the peers get the engine's reading of it)" : ''}; ${about.config}`);
      say(`Tiling: ${about.tiling}`);
      say(`Input: ${about.input}; outputs ${OUTPUTS.join(', ')} read back every run`);
      say(
        `Cold start: device ${fmtMs(deviceMs)} ms, weights ${fmtMs(weightsMs)} ms, graph build + pipeline compile ${fmtMs(compileMs)} ms (${cache.size} pipelines), first run ${fmtMs(firstRunMs)} ms`,
      );
      const plan = model.compiled.plan;
      const memory = { weights_bytes: model.compiled.constantBytes, activations_bytes: plan.arenaBytes, activations_peak_live_bytes: plan.peakLiveBytes };
      say(
        `GPU memory: weights (constant buffer) ${formatBytes(memory.weights_bytes)}, activations (arena) ${formatBytes(memory.activations_bytes)} (largest set live at once ${formatBytes(memory.activations_peak_live_bytes)})`,
      );

      let ceiling: GemmCeiling | undefined;
      if (o['gemm-ceiling']) {
        say('');
        ceiling = await measureGemmCeiling(ctx, {}, cache);
        printGemmCeiling(ceiling, say);
      }

      const engine = enginePeer(model, input, ctx);
      const systems: Peer[] = [engine];
      if (files) {
        const forPeers = files; // a const, so the closures below see it narrowed
        // A peer that cannot start (no WebGPU adapter for onnxruntime, say) is reported and left out; the
        // others still run.
        const tryPeer = async (name: string, start: () => Promise<Peer>) => {
          log(`starting ${name}...`);
          try {
            peers.push(await start());
          } catch (err) {
            say(`  ${name.padEnd(11)} not run: ${(err as Error).message.split('\n')[0]}`);
          }
        };
        const ort = await loadOrt();
        if (typeof ort === 'string') say(`  ort-cpu, ort-webgpu: not run: ${ort}`);
        else {
          for (const provider of ['cpu', 'webgpu'] as const)
            await tryPeer(`ort-${provider}`, () => ortPeer(ort, provider, forPeers, input, choice.size, threads));
        }
        await tryPeer('torch', () => torchPeer(forPeers, threads));
        if (torchHasCuda()) await tryPeer('torch-cuda', () => torchPeer(forPeers, threads, 'cuda'));
        systems.push(...peers);
        for (const p of peers) say(`  ${p.name.padEnd(11)} ${p.description}; ready in ${fmtMs(p.setupMs)} ms`);
      }

      // One warm-up run each, then `runs` rounds, every round running each system once in the same order.
      log(`warm-up: ${systems.map((s) => s.name).join(', ')}...`);
      for (const s of systems) log(`  ${s.name} warm-up ${fmtMs(await s.run())} ms`);
      const want = engine.output()!;
      for (const p of peers) {
        const got = p.lastOutput?.();
        if (!got) continue;
        const d = relativeL2(got, want);
        say(`  ${p.name} lateral_map_2 vs the engine's: relative L2 ${d.toExponential(2)}${d > 1e-3 ? '  WARNING: not the same network output' : ''}`);
      }
      const times = new Map<string, number[]>(systems.map((s) => [s.name, []]));
      for (let r = 0; r < runs; r++) {
        const round: string[] = [];
        for (const s of systems) {
          const ms = await s.run();
          times.get(s.name)!.push(ms);
          round.push(`${s.name} ${fmtMs(ms)} ms`);
        }
        log(`round ${r + 1}/${runs}: ${round.join(', ')}`);
      }

      const results = systems.map((s) => ({ name: s.name, ...runStats(times.get(s.name)!, s.name) }));
      const engineMedian = results[0]!.median;
      say(
        `\n${runs} timed run${runs > 1 ? 's' : ''} per system after one warm-up${systems.length > 1 ? `, alternating ${systems.map((s) => s.name).join(', ')}` : ''}:`,
      );
      say(`  ${'system'.padEnd(11)} ${'median ms'.padStart(10)} ${'min ms'.padStart(9)} ${'max ms'.padStart(9)} ${'images/s'.padStart(9)}`);
      for (const r of results) {
        say(
          `  ${r.name.padEnd(11)} ${fmtMs(r.median).padStart(10)} ${fmtMs(r.min).padStart(9)} ${fmtMs(r.max).padStart(9)} ${((1000 * choice.batch) / r.median).toFixed(2).padStart(9)}`,
        );
      }
      for (const r of results.slice(1)) say(`  ${r.name} ${fmtMs(r.median)} ms = ${(r.median / engineMedian).toFixed(2)}x the engine's time`);
      say(`Load average at end (1, 5, 15 min): ${load()}`);

      if (o.json) {
        const report = {
          device: about.device,
          tiling: about.tiling,
          results: results.map((r) => ({ name: r.name, median_ms: r.median, min_ms: r.min, max_ms: r.max, runs: r.runs })),
          cold_start: {
            device_ms: deviceMs,
            weights_ms: weightsMs,
            compile_ms: compileMs,
            first_run_ms: firstRunMs,
            ...(peers.length ? { peers_setup_ms: Object.fromEntries(peers.map((p) => [p.name, p.setupMs])) } : {}),
          },
          memory,
          ...(ceiling
            ? {
                gemm_ceiling: {
                  best_gflops: ceiling.best.gflopPerS,
                  best_tiling: tilingText(ceiling.best.tiling),
                  gemms_per_run: ceiling.gemmsPerRun,
                  rates: ceiling.rates.map((x) => ({ tiling: tilingText(x.tiling), ms: x.ms, gflops: x.gflopPerS })),
                },
              }
            : {}),
        };
        await writeText(o.json, `${JSON.stringify(report, null, 2)}\n`);
        if (!isStdout(o.json)) say(`wrote ${o.json}`);
      }
      return 0;
    } finally {
      for (const p of peers) await p.close().catch(() => undefined);
      opened.destroy();
    }
  },
});
