// The files the peers need for `pranet bench --peers`: the weights as the engine's own reader read them,
// written as an engine weight file (so PyTorch never unpickles the user's file: it reads that file with
// NumPy, tools/reference/any_weights.py), an ONNX export of them at the benchmark size, and the input as .npy.
// They are cached under the user's cache folder ($XDG_CACHE_HOME/pranet-wgsl/bench, else
// ~/.cache/pranet-wgsl/bench) by the content of the weights; a run that fails leaves nothing there. A random
// preset's checkpoint is made once by tools/reference/make_bench_checkpoint.py into the same folder.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../io/files-node.js';
import { encodeNpy } from '../../io/npy.js';
import { loadWeights } from '../../models/load-weights.js';
import type { PraNetPresetName } from '../../models/random-weights.js';
import { tuningDir } from '../../tuning/store-node.js';
import { encodeWeightFile } from '../../weights/engine-file.js';
import { PYTHON, REFERENCE_DIR } from './paths.js';

export interface PeerFiles {
  /** the engine's reading of the weights as a .pnw, which PyTorch and the ONNX export read */
  checkpoint: string;
  onnx: string;
  input: string;
}

/** Where the benchmark's peer files are cached (beside the tuning tables, never inside the package). */
export const benchCacheDir = (): string => join(tuningDir(), 'bench');

/** Why PyTorch cannot run here, or null when it can. */
export function whyNoTorch(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} cannot run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import torch and numpy (on Debian: apt-get install python3-torch python3-numpy)`;
  return null;
}

const mtime = (f: string) => statSync(f).mtimeMs;
const upToDate = (file: string, sources: string[]) => existsSync(file) && sources.every((s) => mtime(s) <= mtime(file));

/** Runs a reference script; on failure removes `partial`, the file it was writing. */
function python(script: string, args: string[], partial: string, what: string, log: (line: string) => void): void {
  log(`${what} (${script})...`);
  const r = spawnSync(PYTHON, [join(REFERENCE_DIR, script), ...args], { encoding: 'utf8', timeout: 1_800_000 });
  if (r.error || r.status !== 0) {
    rmSync(partial, { force: true });
    const tail = r.stderr.trim().split('\n').slice(-6).join('\n');
    throw new Error(`${what} failed: ${PYTHON} ${script} ${args.join(' ')} (${r.error?.message ?? `exit ${r.status}`})\n${tail}`);
  }
}

/** A seeded random checkpoint with calibrated batchnorm, made once per preset and seed. */
export function randomCheckpoint(preset: PraNetPresetName, seed: number, log: (line: string) => void): string {
  const dir = join(benchCacheDir(), `${preset}-seed${seed}`);
  const file = join(dir, 'model.pth');
  const scripts = ['make_bench_checkpoint.py', 'make_golden.py', 'pranet.py', 'pranet_config.py'].map((f) => join(REFERENCE_DIR, f));
  if (!upToDate(file, scripts)) {
    mkdirSync(dir, { recursive: true });
    // The script writes FILE.partial and renames it itself.
    python(
      'make_bench_checkpoint.py',
      ['--config', preset, '--seed', String(seed), '--out', file],
      `${file}.partial`,
      `making a random ${preset} checkpoint (seed ${seed}) with calibrated batchnorm`,
      log,
    );
  }
  return file;
}

/**
 * Reads `weights` with the engine's reader (a bad or hostile file fails here, before any Python sees it), then
 * makes or reuses the peers' files for it at `size` (batch 1).
 */
export async function peerFiles(weights: string, size: number, input: Float32Array, log: (line: string) => void): Promise<PeerFiles> {
  const loaded = await loadWeights(weights);
  const pnw = encodeWeightFile(new Map(loaded.weights), { dtype: 'f32', meta: { readFrom: basename(weights), by: 'pranet bench --peers' } });
  const dir = join(benchCacheDir(), `${basename(weights)}-${createHash('sha256').update(pnw).digest('hex').slice(0, 16)}`);
  const madeDir = !existsSync(dir);
  const made: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    const checkpoint = join(dir, 'weights.pnw');
    if (!existsSync(checkpoint)) {
      await writeFileAtomic(checkpoint, pnw);
      made.push(checkpoint);
    }
    const onnx = join(dir, `model-${size}.onnx`);
    if (!upToDate(onnx, [checkpoint, ...['export_onnx.py', 'any_weights.py', 'pranet.py'].map((f) => join(REFERENCE_DIR, f))])) {
      const partial = `${onnx}.partial.onnx`; // renamed when complete: a killed export leaves no usable-looking file
      python(
        'export_onnx.py',
        ['--weights', checkpoint, '--size', String(size), '--out', partial],
        partial,
        `exporting ${basename(weights)} to ONNX at ${size}x${size}`,
        log,
      );
      renameSync(partial, onnx);
      made.push(onnx);
    }
    const inputFile = join(dir, `input-${size}.npy`);
    await writeFileAtomic(inputFile, encodeNpy(input, [1, 3, size, size]));
    return { checkpoint, onnx, input: inputFile };
  } catch (err) {
    for (const f of made) rmSync(f, { force: true });
    if (madeDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
