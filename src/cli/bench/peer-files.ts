// The files the peers need for `pranet bench --peers`: a PyTorch checkpoint (the engine reads the same .pth
// and folds its batchnorm), an ONNX export of it at the benchmark size, and the input as .npy. A random
// preset's checkpoint is made once by tools/reference/make_bench_checkpoint.py into .cache/bench/<preset>-seed<N>/
// and reused while it is newer than the scripts that made it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/files-node.js';
import { encodeNpy } from '../../io/npy.js';
import type { PraNetPresetName } from '../../models/random-weights.js';
import { BENCH_CACHE, PYTHON, REFERENCE_DIR } from './paths.js';

export interface PeerFiles {
  /** the weight file every system runs (.pth, .safetensors or .pnw; PyTorch reads its config from the shapes) */
  checkpoint: string;
  onnx: string;
  input: string;
}

/** Why PyTorch cannot run here, or null when it can. */
export function whyNoTorch(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import torch and numpy (on Debian: apt-get install python3-torch python3-numpy)`;
  return null;
}

const mtime = (f: string) => statSync(f).mtimeMs;
const upToDate = (file: string, sources: string[]) => existsSync(file) && sources.every((s) => mtime(s) <= mtime(file));

function python(script: string, args: string[], what: string, log: (line: string) => void): void {
  log(`${what} (${script})...`);
  const r = spawnSync(PYTHON, [join(REFERENCE_DIR, script), ...args], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.error || r.status !== 0) {
    const tail = r.stderr.trim().split('\n').slice(-6).join('\n');
    throw new Error(`${what} failed: ${PYTHON} ${script} ${args.join(' ')} (${r.error?.message ?? `exit ${r.status}`})\n${tail}`);
  }
}

/** A seeded random checkpoint with calibrated batchnorm, made once per preset and seed. */
export function randomCheckpoint(preset: PraNetPresetName, seed: number, log: (line: string) => void): string {
  const dir = join(BENCH_CACHE, `${preset}-seed${seed}`);
  const file = join(dir, 'model.pth');
  const scripts = ['make_bench_checkpoint.py', 'make_golden.py', 'pranet.py', 'pranet_config.py'].map((f) => join(REFERENCE_DIR, f));
  if (!upToDate(file, scripts)) {
    mkdirSync(dir, { recursive: true });
    python(
      'make_bench_checkpoint.py',
      ['--config', preset, '--seed', String(seed), '--out', file],
      `making a random ${preset} checkpoint (seed ${seed}) with calibrated batchnorm`,
      log,
    );
  }
  return file;
}

/**
 * The ONNX export of `checkpoint` at `size` (batch 1): next to the checkpoint for a random preset, else in the
 * cache under the file's name and a hash of its full path (two files of the same name do not share exports).
 */
export async function peerFiles(checkpoint: string, size: number, input: Float32Array, log: (line: string) => void): Promise<PeerFiles> {
  const full = resolve(checkpoint);
  const cacheDir = full.startsWith(resolve(BENCH_CACHE))
    ? join(checkpoint, '..')
    : join(BENCH_CACHE, `${basename(checkpoint)}-${createHash('sha256').update(full).digest('hex').slice(0, 12)}`);
  mkdirSync(cacheDir, { recursive: true });
  const onnx = join(cacheDir, `model-${size}.onnx`);
  if (!upToDate(onnx, [checkpoint, ...['export_onnx.py', 'any_weights.py', 'pranet.py'].map((f) => join(REFERENCE_DIR, f))])) {
    const partial = `${onnx}.partial.onnx`; // renamed when complete: a killed export leaves no usable-looking file
    python(
      'export_onnx.py',
      ['--weights', checkpoint, '--size', String(size), '--out', partial],
      `exporting ${basename(checkpoint)} to ONNX at ${size}x${size}`,
      log,
    );
    renameSync(partial, onnx);
  }
  const inputFile = join(cacheDir, `input-${size}.npy`);
  await writeFileAtomic(inputFile, encodeNpy(input, [1, 3, size, size]));
  return { checkpoint, onnx, input: inputFile };
}
