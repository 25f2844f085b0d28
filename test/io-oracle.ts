// Runs tools/reference/pil_oracle.py (PIL / NumPy references) for the io tests, in a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KVASIR_TEST, PYTHON, REPO_ROOT } from './support/paths.js';
import { requirePil } from './support/python.js';

export { PYTHON };
const ORACLE = join(REPO_ROOT, 'tools/reference/pil_oracle.py');
export const KVASIR_IMAGES = join(KVASIR_TEST, 'images');

/** Skips (or, in CI, fails) the calling suite or test when PIL/numpy are unavailable. */
export const skipWithoutPython = requirePil;

/** Runs the oracle with `args` and returns its stdout; throws with its stderr when it fails. */
export function runOracle(args: string[]): string {
  const r = spawnSync(PYTHON, [ORACLE, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  if (r.error || r.status !== 0) {
    throw new Error(`pil_oracle.py ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stderr}`);
  }
  return r.stdout;
}

export interface OracleRun<M> {
  dir: string;
  manifest: M;
  read(file: string): Uint8Array;
  cleanup(): void;
}

/** Runs an oracle command that fills a fresh temp folder and reads back its manifest. */
export function oracleRun<M>(command: string, extra: string[] = []): OracleRun<M> {
  const dir = mkdtempSync(join(tmpdir(), `pranet-io-${command}-`));
  try {
    runOracle([command, dir, ...extra]);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as M,
    read: (file) => new Uint8Array(readFileSync(join(dir, file))),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The first `n` Kvasir test JPEGs (sorted), or all of them; callers require the shared data first (requireSharedData). */
export function kvasirImages(n?: number): string[] {
  const names = readdirSync(KVASIR_IMAGES)
    .filter((f) => f.endsWith('.jpg'))
    .sort();
  return names.slice(0, n ?? names.length).map((f) => join(KVASIR_IMAGES, f));
}

/** Reads a little-endian float32 file. */
export function float32s(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}
