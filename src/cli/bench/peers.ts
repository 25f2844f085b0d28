// The systems `pranet bench --peers` races the engine against, each behind the same small interface so runs
// can alternate: onnxruntime-node (CPU and WebGPU execution providers; a dev dependency, imported only
// here) and PyTorch CPU (and CUDA, where torch sees a GPU) in a persistent Python process
// (tools/reference/torch_bench_server.py).
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { PeerFiles } from './peer-files.js';
import { PYTHON, REFERENCE_DIR } from './paths.js';

export interface Peer {
  name: string;
  /** what it is, for the report */
  description: string;
  /** milliseconds spent getting ready (session creation, model load) */
  setupMs: number;
  /** one forward pass of the fixed input; resolves with its wall time in ms */
  run(): Promise<number>;
  /** the last run's lateral_map_2, when the peer hands outputs back */
  lastOutput?(): Float32Array | undefined;
  close(): Promise<void>;
}

type Ort = typeof import('onnxruntime-node');

/** onnxruntime-node, or the reason it cannot be loaded. */
export async function loadOrt(): Promise<Ort | string> {
  try {
    return await import('onnxruntime-node');
  } catch (err) {
    return `onnxruntime-node cannot be loaded (${(err as Error).message.split('\n')[0]}); it is a dev dependency: npm install --ignore-scripts onnxruntime-node`;
  }
}

export async function ortPeer(ort: Ort, provider: 'cpu' | 'webgpu', files: PeerFiles, input: Float32Array, size: number, threads: number): Promise<Peer> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(files.onnx, {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const setupMs = performance.now() - t0;
  const feeds = { image: new ort.Tensor('float32', input, [1, 3, size, size]) };
  let last: Float32Array | undefined;
  return {
    name: `ort-${provider}`,
    description:
      provider === 'cpu'
        ? `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} CPU execution provider, ${threads} intra-op threads`
        : `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} WebGPU execution provider (onnxruntime's own Dawn, default adapter)`,
    setupMs,
    async run() {
      const t = performance.now();
      const out = await session.run(feeds);
      const ms = performance.now() - t;
      last = out.lateral_map_2?.data as Float32Array | undefined;
      return ms;
    },
    lastOutput: () => last,
    close: () => session.release(),
  };
}

const READY_TIMEOUT_MS = 300_000;
const RUN_TIMEOUT_MS = 300_000;

/** Whether the reference Python's torch sees a CUDA device (then PyTorch CUDA joins the peers). */
export function torchHasCuda(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'], { encoding: 'utf8', timeout: 120_000 });
  return r.status === 0;
}

/** PyTorch in a server process: loads once, then one line "run" -> one forward pass -> its ms on a line. */
export async function torchPeer(files: PeerFiles, threads: number, device: 'cpu' | 'cuda' = 'cpu'): Promise<Peer> {
  const args = [
    join(REFERENCE_DIR, 'torch_bench_server.py'),
    '--weights',
    files.checkpoint,
    '--input',
    files.input,
    '--threads',
    String(threads),
    '--device',
    device,
  ];
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  let ended: Error | undefined;
  const fail = (err: Error) => {
    ended ??= err;
    for (const w of waiting.splice(0)) w.reject(ended);
  };
  child.on('error', (err) => fail(new Error(`${PYTHON} could not start: ${err.message}`)));
  child.on('exit', (code) =>
    fail(new Error(`torch_bench_server.py exited (code ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ') || 'no message'}`)),
  );
  lines.on('line', (line) => waiting.shift()?.resolve(line));
  // A stuck server must not hang the benchmark: every reply has a deadline, after which the server is killed.
  const next = (ms: number, what: string) =>
    new Promise<string>((resolve, reject) => {
      if (ended) return reject(ended);
      const timer = setTimeout(() => {
        child.kill();
        fail(new Error(`torch_bench_server.py did not ${what} within ${ms / 1000} s`));
      }, ms);
      waiting.push({ resolve: (line) => (clearTimeout(timer), resolve(line)), reject: (err) => (clearTimeout(timer), reject(err)) });
    });

  const ready = await next(READY_TIMEOUT_MS, 'load the model');
  const m = /^ready ([\d.]+)$/.exec(ready);
  if (!m) {
    child.kill();
    throw new Error(`torch_bench_server.py: expected "ready <ms>", got '${ready}'`);
  }
  return {
    name: device === 'cuda' ? 'torch-cuda' : 'torch',
    description:
      device === 'cuda'
        ? `PyTorch CUDA eager (${PYTHON}), float32, eval mode, no_grad; time measured in the server between CUDA synchronizations around model(x)`
        : `PyTorch CPU (${PYTHON}), ${threads} threads, eval mode, no_grad; time measured in the server around model(x)`,
    setupMs: Number(m[1]),
    async run() {
      const reply = next(RUN_TIMEOUT_MS, 'finish a forward pass');
      child.stdin.write('run\n');
      const line = await reply;
      const ms = Number(line);
      if (!Number.isFinite(ms)) throw new Error(`torch_bench_server.py: expected a time in ms, got '${line}'`);
      return ms;
    },
    async close() {
      if (ended) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end('quit\n');
      await exited;
    },
  };
}
